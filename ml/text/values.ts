import type { WeftTokenizer } from '../tokenizer';
import type { BeamTrace, DecodeMode, StepTrace } from './generate';

/** Next-token scores on a wire: the last position's logits of each row, with the ids they follow. */
export interface LogitsValue {
  readonly kind: 'logits';
  readonly model: string;
  readonly vocabSize: number;
  /** rows × vocabSize. */
  readonly data: Float32Array;
  /** The sequence each row continues. */
  readonly ids: readonly (readonly number[])[];
  /** Tokens that end a text for this model. */
  readonly eosTokenIds: readonly number[];
  /** After a Sample Token node: the raw scores and each processor's result, row 0 (the probe's before/after chart). */
  readonly stages?: readonly { readonly label: string; readonly scores: Float32Array }[];
  /** The token text of an id (for probes). */
  tokenText(id: number): string;
}

export function isLogitsValue(v: unknown): v is LogitsValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'logits';
}

/** What a Generate Text node did: every returned sequence, and the trace behind it. */
export interface GenerationValue {
  readonly kind: 'generation';
  /** The Generate Text node that made it (the probe's "continue from token k" edits it). */
  readonly nodeId: string;
  /** Text it was told to start with (its prefix param). */
  readonly prefix: string;
  readonly model: string;
  readonly mode: DecodeMode;
  readonly settingsText: string;
  readonly promptText: string;
  readonly promptIds: readonly number[];
  readonly sequences: readonly (readonly number[])[];
  readonly texts: readonly string[];
  readonly scores?: readonly number[];
  readonly reasons: readonly string[];
  readonly tokens: readonly StepTrace[];
  readonly beams?: readonly BeamTrace[];
  readonly seconds: number;
  readonly firstTokenSeconds: number;
  tokenText(id: number): string;
}

export function isGenerationValue(v: unknown): v is GenerationValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'generation';
}

const texts = new WeakMap<WeftTokenizer, Map<number, string>>();

/** The text of one token as the tokenizer decodes it alone, special tokens kept (memoised per tokenizer). */
export function tokenTextOf(tok: WeftTokenizer): (id: number) => string {
  let m = texts.get(tok);
  if (!m) texts.set(tok, (m = new Map()));
  const memo = m;
  return (id: number) => {
    let t = memo.get(id);
    if (t === undefined) {
      t = tok.decode([id], { skipSpecialTokens: false, trim: false });
      memo.set(id, t);
    }
    return t;
  };
}
