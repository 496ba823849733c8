// shapes-lm-v1 and the decoding code against the reference (tools/reference/textgen.py, transformers 4.46
// semantics) and against torch (tools/train/lm.py export): tokenizer ids, ONNX logits, the KV cache,
// logits processors, greedy and beam search, left-padded batches.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '@/bin/nodeRuntime';
import { mlServices } from '@/ml/runtime/services';
import { openLanguageModel, OnnxCausalLM } from '@/ml/text/languageModel';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { generate } from '@/ml/text/generate';
import { keptDistribution, processScores, type ProcessorSettings } from '@/ml/text/processors';

const fixture = (name: string) => JSON.parse(readFileSync(`tests/fixtures/textgen/${name}.json`, 'utf8'));

async function open() {
  const runtime = await createNodeRuntime({ backend: 'wasm' });
  const ml = mlServices(runtime);
  const { ref, session } = await openLanguageModel(ml, 'shipped:shapes-lm-v1', '', '');
  const tokenizer = await tokenizerFor(ml, ref.tokenizer);
  return { ml, ref, lm: new OnnxCausalLM(ml, ref, session), tokenizer };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('shapes-lm-v1 in onnxruntime-web (wasm)', () => {
  it('tokenizes as the Python BPE that trained it', async () => {
    const { tokenizer } = await open();
    const fx = fixture('parity');
    for (const [text, ids] of Object.entries(fx.tokens as Record<string, number[]>)) {
      expect(Array.from(tokenizer.encode(text, { padding: 'none', truncation: false }).ids), text).toEqual(ids);
      expect(tokenizer.decode(ids, { trim: false })).toBe(text);
    }
  });

  it('matches torch within 1e-4 on a left-padded batch, and one cached step after it', async () => {
    const { lm } = await open();
    const fx = fixture('parity');
    const first = await lm.step({ inputIds: fx.input_ids, attentionMask: fx.attention_mask, positionIds: fx.position_ids, past: null });
    expect(maxDiff(first.logits, fx.logits_last.flat())).toBeLessThanOrEqual(1e-4);
    const next = fx.next_ids.map((t: number) => [t]);
    const mask2 = fx.attention_mask.map((m: number[]) => [...m, 1]);
    const pos2 = fx.position_ids.map((p: number[]) => [p[p.length - 1] + 1]);
    const second = await lm.step({ inputIds: next, attentionMask: mask2, positionIds: pos2, past: first.past });
    expect(maxDiff(second.logits, fx.step_logits.flat())).toBeLessThanOrEqual(1e-4);
  });

  it('a cached step-by-step run gives the logits of one full run without a cache', async () => {
    const { lm, tokenizer } = await open();
    const ids = Array.from(tokenizer.encode('Story: The small red circle rolled to the left.', { padding: 'none', truncation: false }).ids);
    const full = await lm.step({ inputIds: [ids], attentionMask: [ids.map(() => 1)], positionIds: [ids.map((_, i) => i)], past: null });
    let past = null;
    let last: Float32Array = new Float32Array();
    for (let t = 0; t < ids.length; t++) {
      const out: { logits: Float32Array; past: unknown } = await lm.step({ inputIds: [[ids[t]]], attentionMask: [ids.slice(0, t + 1).map(() => 1)], positionIds: [[t]], past: past as never });
      past = out.past;
      last = out.logits;
    }
    expect(maxDiff(last, full.logits)).toBeLessThanOrEqual(1e-4);
  });
});

describe('other export layouts', () => {
  it('reads an export without position_ids from a folder on disk (dir:) and generates what torch does', async () => {
    const fx = fixture('no-position-ids/expected');
    const runtime = await createNodeRuntime({ backend: 'wasm' });
    const ml = mlServices(runtime);
    const { ref, session } = await openLanguageModel(ml, `dir:${process.cwd()}/tests/fixtures/textgen/no-position-ids`, '', '');
    const lm = new OnnxCausalLM(ml, ref, session);
    expect(lm.io.hasPositionIds).toBe(false);
    expect(ref.layers).toBe(2);
    const r = await generate(lm, { prompts: [fx.prompt_ids], mode: 'greedy', maxNewTokens: fx.greedy.length, eosTokenIds: [], padTokenId: fx.eos });
    expect(r.sequences[0]).toEqual(fx.greedy);
  });
});

describe('logits processors (transformers 4.46 semantics)', () => {
  const fx = fixture('processors');
  for (const [i, c] of (fx.cases as { settings: ProcessorSettings; scores: number[]; ids: number[]; kept: number[]; probs: number[] }[]).entries()) {
    it(`case ${i}: ${JSON.stringify(c.settings)} keeps the reference's ids and probabilities`, () => {
      const { scores } = processScores(Float32Array.from(c.scores), c.ids, c.settings, true);
      const kept = keptDistribution(scores);
      expect(kept.ids).toEqual(c.kept);
      expect(maxDiff(kept.probs, c.probs)).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('generation against the reference', () => {
  const fx = fixture('generate');
  type Case = { kind: 'greedy' | 'beam'; texts: string[]; prompts: number[][]; settings: ProcessorSettings; maxNewTokens: number; sequences: number[][]; scores?: number[]; beam?: { numBeams: number; lengthPenalty: number; earlyStopping: boolean | 'never'; numReturnSequences: number } };
  for (const [i, c] of (fx.cases as Case[]).entries()) {
    const what = `${c.kind} ${c.prompts.length > 1 ? `batch of ${c.prompts.length}` : JSON.stringify(c.texts[0])} ${JSON.stringify(c.settings)}${c.beam ? ' ' + JSON.stringify(c.beam) : ''}`;
    it(`case ${i}: ${what}`, async () => {
      const { lm } = await open();
      const r = await generate(lm, {
        prompts: c.prompts,
        mode: c.kind,
        maxNewTokens: c.maxNewTokens,
        eosTokenIds: fx.eos,
        padTokenId: fx.pad,
        processors: c.settings,
        ...(c.beam ?? {}),
      });
      expect(r.sequences).toEqual(c.sequences);
      if (c.scores) expect(maxDiff(r.scores!, c.scores)).toBeLessThanOrEqual(1e-4);
    });
  }

  it('a left-padded batch gives each prompt what it gives alone (greedy and beam)', () => {
    const cases = fx.cases as Case[];
    const greedyBatch = cases.find((c) => c.kind === 'greedy' && c.prompts.length > 1 && Object.keys(c.settings).length === 0)!;
    greedyBatch.prompts.forEach((p, i) => {
      const alone = cases.find((c) => c.kind === 'greedy' && c.prompts.length === 1 && Object.keys(c.settings).length === 0 && c.prompts[0].join() === p.join())!;
      expect(greedyBatch.sequences[i]).toEqual(alone.sequences[0]);
    });
  });
});

describe('shapes-lm-v1 writes prompts shapes-v1 can draw', () => {
  it('at least 95% of 100 sampled completions of "Prompt:" (temperature 0.8) parse under the caption grammar', async () => {
    const { lm, ref, tokenizer } = await open();
    const g = fixture('grammar');
    const grammar = new RegExp(g.pattern);
    const prompt = Array.from(tokenizer.encode(g.prefix, { padding: 'none', truncation: false }).ids);
    let ok = 0;
    const bad: string[] = [];
    const all = new Set<string>();
    // 100 draws as 4 left-padded batches of 25 (one prompt repeated), seeded
    for (let b = 0; b < 4; b++) {
      const r = await generate(lm, { prompts: new Array(25).fill(prompt), mode: 'sample', maxNewTokens: 48, eosTokenIds: ref.eosTokenIds, padTokenId: ref.padTokenId, processors: { temperature: 0.8 }, seed: 100 + b });
      for (const seq of r.sequences) {
        const text = tokenizer.decode(seq, { skipSpecialTokens: true }).trim();
        all.add(text);
        if (grammar.test(text)) ok++;
        else bad.push(text);
      }
    }
    expect(ok, `failed: ${JSON.stringify(bad.slice(0, 5))}`).toBeGreaterThanOrEqual(95);
    // and they are not one prompt over and over (each batch row draws its own tokens)
    expect(all.size).toBeGreaterThanOrEqual(80);
  });
});
