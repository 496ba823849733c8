import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildClipTokenizerJson, loadTokenizer, type WeftTokenizer } from './index';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const CLIP_DIR = root('tests/fixtures/clip-tokenizer/');
const vocab = JSON.parse(readFileSync(CLIP_DIR + 'vocab.json', 'utf8'));
const merges = readFileSync(CLIP_DIR + 'merges.txt', 'utf8');
const tokenizerConfig = JSON.parse(readFileSync(CLIP_DIR + 'tokenizer_config.json', 'utf8'));
// Reference ids from tools/reference/clip_tokenize.py (port of OpenAI CLIP simple_tokenizer.py).
const REF = JSON.parse(readFileSync(root('tests/fixtures/tokenizer/clip-cases.json'), 'utf8')) as {
  cases: Array<{ text: string; ids: number[]; pieces: string[] }>;
  htmlEntityCase: { text: string; hfIds: number[]; openaiIds: number[] };
};

const fromFolder = loadTokenizer({ vocab, merges, tokenizerConfig });
const fromJson = loadTokenizer({ tokenizerJson: JSON.parse(JSON.stringify(buildClipTokenizerJson(vocab, merges))), tokenizerConfig });
const variants: Array<[string, WeftTokenizer]> = [
  ['vocab.json + merges.txt', fromFolder],
  ['tokenizer.json built from them', fromJson],
];

const SHIPPED = root('public/models/shapes-v1/tokenizer/');
if (existsSync(SHIPPED + 'tokenizer.json')) {
  const cfgPath = SHIPPED + 'tokenizer_config.json';
  variants.push([
    'shipped public/models/shapes-v1/tokenizer',
    loadTokenizer({
      tokenizerJson: JSON.parse(readFileSync(SHIPPED + 'tokenizer.json', 'utf8')),
      tokenizerConfig: existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, 'utf8')) : undefined,
    }),
  ]);
}

describe('CLIP reference ids', () => {
  it('the fixture has the README example and a prompt longer than 77 tokens', () => {
    expect(REF.cases[0]).toMatchObject({ text: 'An astronaut riding a horse', ids: [49406, 550, 18376, 6765, 320, 4558, 49407] });
    expect(REF.cases.some((c) => c.ids.length > 77)).toBe(true);
    expect(REF.cases.length).toBeGreaterThanOrEqual(35);
  });
  for (const [name, tok] of variants) {
    describe(name, () => {
      for (const c of REF.cases) {
        it(`ids of ${JSON.stringify(c.text).slice(0, 50)}`, () => {
          const r = tok.encode(c.text, { padding: 'none', truncation: false });
          expect(Array.from(r.ids)).toEqual(c.ids);
          expect(r.length).toBe(c.ids.length);
          expect(r.truncated).toBe(false);
          expect(r.pieces.slice(1, -1)).toEqual(c.pieces);
        });
      }
      it('html entities stay literal (HF fast behaviour, not OpenAI html.unescape)', () => {
        const r = tok.encode(REF.htmlEntityCase.text, { padding: 'none' });
        expect(Array.from(r.ids)).toEqual(REF.htmlEntityCase.hfIds);
      });
    });
  }
});

describe('padding and truncation (SD: max_length 77, pad with <|endoftext|>)', () => {
  const tok = fromFolder;
  it('model max length and special ids come from tokenizer_config.json / the post-processor', () => {
    expect(tok.modelMaxLength).toBe(77);
    expect(tok.bosTokenId).toBe(49406);
    expect(tok.eosTokenId).toBe(49407);
    expect(tok.padTokenId).toBe(49407);
    expect(tok.vocabSize).toBe(49408);
  });
  it('README example padded to 77', () => {
    const r = tok.encode('An astronaut riding a horse');
    expect(r.ids.length).toBe(77);
    expect(Array.from(r.ids.slice(0, 7))).toEqual([49406, 550, 18376, 6765, 320, 4558, 49407]);
    expect(Array.from(r.ids.slice(7)).every((v) => v === 49407)).toBe(true);
    expect(Array.from(r.attentionMask.slice(0, 7))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(r.attentionMask.slice(7)).every((v) => v === 0)).toBe(true);
    expect(r.length).toBe(7);
    expect(r.truncated).toBe(false);
    expect(r.ids).toBeInstanceOf(Int32Array);
  });
  it('long prompt is truncated to 77: bos, the first 75 text tokens, eos', () => {
    const long = REF.cases.find((c) => c.ids.length > 77)!;
    for (const [, t] of variants) {
      const r = t.encode(long.text, { maxLength: 77 });
      expect(r.ids.length).toBe(77);
      expect(r.length).toBe(77);
      expect(r.truncated).toBe(true);
      expect(r.ids[0]).toBe(49406);
      expect(r.ids[76]).toBe(49407);
      expect(Array.from(r.ids)).toEqual([...long.ids.slice(0, 76), 49407]);
      expect(Array.from(r.attentionMask).every((v) => v === 1)).toBe(true);
      expect(r.pieces.length).toBe(77);
    }
  });
  it('custom max length, no padding', () => {
    const r = tok.encode('a photograph of an astronaut riding a horse', { maxLength: 5 });
    expect(Array.from(r.ids)).toEqual([49406, 320, 8853, 539, 49407]);
    const u = tok.encode('a cat', { padding: 'none' });
    expect(Array.from(u.ids)).toEqual([49406, 320, 2368, 49407]);
    expect(Array.from(u.attentionMask)).toEqual([1, 1, 1, 1]);
  });
  it('empty prompt (the unconditional embedding) is bos, eos, padding', () => {
    const r = tok.encode('');
    expect(Array.from(r.ids.slice(0, 3))).toEqual([49406, 49407, 49407]);
    expect(r.length).toBe(2);
  });
  it('a pad_token from tokenizer_config is honoured (SD 2.x pads with "!")', () => {
    const t = loadTokenizer({ vocab, merges, tokenizerConfig: { ...tokenizerConfig, pad_token: '!' } });
    expect(t.padTokenId).toBe(0);
    expect(t.encode('a cat').ids[4]).toBe(0);
  });
});

if (variants.length > 2) {
  describe('shipped shapes-v1 tokenizer', () => {
    const shipped = variants[2][1];
    it('pads and truncates to its own model_max_length, ending with eos', () => {
      const n = shipped.modelMaxLength;
      expect(n).toBeGreaterThan(2);
      const long = REF.cases.find((c) => c.ids.length > 77)!;
      const r = shipped.encode(long.text);
      expect(r.ids.length).toBe(n);
      expect(r.truncated).toBe(true);
      expect(Array.from(r.ids)).toEqual([...long.ids.slice(0, n - 1), 49407]);
      const short = shipped.encode('a cat');
      expect(short.ids.length).toBe(n);
      expect(Array.from(short.ids.slice(0, 4))).toEqual([49406, 320, 2368, 49407]);
    });
  });
}

describe('decode', () => {
  it('round-trips text (lowercased, cleaned) and skips bos/eos/padding', () => {
    const tok = fromFolder;
    expect(tok.decode(tok.encode('An astronaut riding a horse').ids)).toBe('an astronaut riding a horse');
    expect(tok.decode(tok.encode('café naïve').ids)).toBe('café naïve');
    expect(tok.decode([])).toBe('');
  });
});

describe('tokenizer.json variants', () => {
  it('accepts the newer merges format (pairs instead of "a b" strings)', () => {
    const tj = buildClipTokenizerJson(vocab, merges) as { model: { merges: unknown[] } };
    tj.model.merges = (tj.model.merges as string[]).map((m) => m.split(' '));
    const t = loadTokenizer({ tokenizerJson: tj, tokenizerConfig });
    for (const c of REF.cases.slice(0, 12)) expect(Array.from(t.encode(c.text, { padding: 'none', truncation: false }).ids)).toEqual(c.ids);
  });
  it('without tokenizer_config.json: max length 77, pads with eos', () => {
    const t = loadTokenizer({ tokenizerJson: buildClipTokenizerJson(vocab, merges) });
    expect(t.modelMaxLength).toBe(77);
    expect(t.padTokenId).toBe(49407);
  });
});

describe('errors', () => {
  it('missing files', () => {
    expect(() => loadTokenizer({})).toThrow(/tokenizer.json/);
    expect(() => loadTokenizer({ vocab })).toThrow(/merges/);
  });
  it('malformed merges', () => {
    expect(() => loadTokenizer({ vocab, merges: '#version: 0.2\na b c\n' })).toThrow(/merges.txt/);
  });
});
