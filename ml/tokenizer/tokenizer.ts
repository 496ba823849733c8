/**
 * WeftTokenizer: a thin wrapper over `@huggingface/tokenizers` (the JS port of Hugging Face tokenizers
 * used by transformers.js) for text-encoder nodes: loads a `tokenizer.json` (+ `tokenizer_config.json`)
 * or a CLIP folder's `vocab.json` + `merges.txt`, and encodes with HF-style padding and truncation
 * (`padding="max_length", truncation=True, max_length=77` in diffusers' SD pipelines).
 *
 * Reference: tests/fixtures/tokenizer/clip-cases.json from tools/reference/clip_tokenize.py (a port of
 * OpenAI CLIP's simple_tokenizer.py); see tokenizer.test.ts.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { buildClipTokenizerJson } from './clip';

export interface TokenizerFiles {
  /** Parsed tokenizer.json. Takes precedence over vocab + merges. */
  tokenizerJson?: object;
  /** Parsed tokenizer_config.json (model_max_length, pad_token, bos/eos/unk tokens...). */
  tokenizerConfig?: object;
  /** Parsed vocab.json of a CLIP (byte-level BPE) folder. */
  vocab?: object;
  /** merges.txt text of a CLIP folder. */
  merges?: string;
}

export interface EncodeOptions {
  /** Defaults to modelMaxLength. */
  maxLength?: number;
  /** 'max_length' pads to maxLength with the pad token (default); 'none' leaves the length as is. */
  padding?: 'max_length' | 'none';
  /** Cut to maxLength keeping the special tokens (bos ... eos). Default true. */
  truncation?: boolean;
}

export interface EncodeResult {
  ids: Int32Array;
  /** 1 for real tokens (including bos/eos), 0 for padding. */
  attentionMask: Int32Array;
  /** Token strings of the real tokens (no padding), e.g. ['<|startoftext|>', 'a</w>', ..., '<|endoftext|>']. */
  pieces: string[];
  /** Whether tokens were dropped by truncation. */
  truncated: boolean;
  /** Number of real tokens (bos + text + eos), after truncation. */
  length: number;
}

export interface WeftTokenizer {
  encode(text: string, options?: EncodeOptions): EncodeResult;
  /** Text of the ids; special tokens and padding skipped unless skipSpecialTokens is false; trimmed unless trim is false. */
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean; trim?: boolean }): string;
  readonly modelMaxLength: number;
  readonly padTokenId: number;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly vocabSize: number;
  tokenToId(token: string): number | undefined;
}

/** CLIP's context length: the default when neither config nor tokenizer.json gives a usable one. */
export const DEFAULT_MAX_LENGTH = 77;

type Json = Record<string, unknown>;

function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

/** Load a tokenizer from a tokenizer.json (+ config), or from CLIP vocab.json + merges.txt. */
export function loadTokenizer(files: TokenizerFiles): WeftTokenizer {
  const config: Json = { ...((files.tokenizerConfig as Json | undefined) ?? {}) };
  let tj: Json;
  if (files.tokenizerJson) {
    tj = files.tokenizerJson as Json;
    if (!tj.model || typeof tj.model !== 'object') throw new Error('tokenizer.json has no "model" section');
  } else if (files.vocab && typeof files.merges === 'string') {
    tj = buildClipTokenizerJson(files.vocab as Record<string, number>, files.merges, {
      bos: tokenString(config.bos_token) ?? '<|startoftext|>',
      eos: tokenString(config.eos_token) ?? '<|endoftext|>',
      unk: tokenString(config.unk_token) ?? '<|endoftext|>',
      pad: tokenString(config.pad_token),
    });
  } else {
    throw new Error('loadTokenizer needs tokenizer.json, or vocab.json together with merges.txt');
  }
  if (!Array.isArray(tj.added_tokens)) tj = { ...tj, added_tokens: [] };
  // HF CLIPTokenizerFast-style decode: clean_up_tokenization_spaces defaults to true in the JS library;
  // keep the config's choice when given.
  const tok = new Tokenizer(tj, config);

  const idOf = (t: string | undefined): number | null => (t === undefined ? null : tok.token_to_id(t) ?? null);
  // Special token ids: from the post-processor when it names them (CLIP's RobertaProcessing), else config.
  const pp = (tj.post_processor ?? null) as Json | null;
  let bosId = idOf(tokenString(config.bos_token));
  let eosId = idOf(tokenString(config.eos_token));
  if (pp && pp.type === 'RobertaProcessing') {
    if (Array.isArray(pp.cls)) bosId = Number(pp.cls[1]);
    if (Array.isArray(pp.sep)) eosId = Number(pp.sep[1]);
  }
  const padding = (tj.padding ?? null) as Json | null;
  let padId = idOf(tokenString(config.pad_token));
  if (padId === null && padding && typeof padding.pad_id === 'number') padId = padding.pad_id;
  if (padId === null) padId = eosId;
  if (padId === null) throw new Error('tokenizer has no pad token (tokenizer_config.json pad_token) and no eos token to pad with');

  let modelMaxLength = DEFAULT_MAX_LENGTH;
  const cfgMax = config.model_max_length;
  const trunc = (tj.truncation ?? null) as Json | null;
  if (typeof cfgMax === 'number' && Number.isInteger(cfgMax) && cfgMax > 0 && cfgMax < 1e6) modelMaxLength = cfgMax;
  else if (trunc && typeof trunc.max_length === 'number') modelMaxLength = trunc.max_length;

  const vocabSize = tok.get_vocab(true).size;
  const padIdFinal: number = padId;

  function encode(text: string, options: EncodeOptions = {}): EncodeResult {
    if (typeof text !== 'string') throw new Error('tokenizer input must be a string');
    const maxLength = options.maxLength ?? modelMaxLength;
    const pad = (options.padding ?? 'max_length') === 'max_length';
    const truncation = options.truncation ?? true;
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new Error(`maxLength must be a positive integer, got ${maxLength}`);

    const full = tok.encode(text, { add_special_tokens: true });
    let ids = full.ids;
    let pieces = full.tokens;
    let truncated = false;
    if (truncation && ids.length > maxLength) {
      // Keep the special tokens the post-processor added around the text (HF truncates the text
      // part to max_length - num_special_tokens, then adds them).
      const inner = tok.encode(text, { add_special_tokens: false });
      const nSpecial = ids.length - inner.ids.length;
      if (maxLength < nSpecial) throw new Error(`maxLength ${maxLength} is shorter than the ${nSpecial} special tokens`);
      const p = prefixLength(full.ids, inner.ids);
      const keep = maxLength - nSpecial;
      ids = [...full.ids.slice(0, p), ...inner.ids.slice(0, keep), ...full.ids.slice(p + inner.ids.length)];
      pieces = [...full.tokens.slice(0, p), ...inner.tokens.slice(0, keep), ...full.tokens.slice(p + inner.tokens.length)];
      truncated = true;
    }
    const length = ids.length;
    const total = pad ? Math.max(maxLength, length) : length;
    const outIds = new Int32Array(total).fill(padIdFinal);
    const mask = new Int32Array(total);
    for (let i = 0; i < length; i++) {
      outIds[i] = ids[i];
      mask[i] = 1;
    }
    return { ids: outIds, attentionMask: mask, pieces, truncated, length };
  }

  function decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean; trim?: boolean } = {}): string {
    const list = Array.from(ids, Number);
    if (list.length === 0) return '';
    const text = tok.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? true });
    return options.trim === false ? text : text.trim();
  }

  return {
    encode,
    decode,
    modelMaxLength,
    padTokenId: padIdFinal,
    bosTokenId: bosId,
    eosTokenId: eosId,
    vocabSize,
    tokenToId: (t: string) => tok.token_to_id(t),
  };
}

/** Where `inner` sits inside `full` (the number of special tokens before the text). */
function prefixLength(full: number[], inner: number[]): number {
  for (let p = 0; p + inner.length <= full.length; p++) {
    let ok = true;
    for (let i = 0; i < inner.length && ok; i++) ok = full[p + i] === inner[i];
    if (ok) return p;
  }
  throw new Error('tokenizer post-processor reorders tokens; cannot truncate');
}
