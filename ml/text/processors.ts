/**
 * Logits processors: how a language model's next-token scores are reshaped before a token is chosen.
 * Semantics follow Hugging Face transformers 4.46 (`generation/logits_process.py`): the same order
 * (repetition penalty, no-repeat n-gram, then, when sampling, temperature, top-k, top-p, min-p), the same
 * tie rules (top-k keeps every token tied with the k-th; top-p drops the low tail whose cumulative
 * probability is ≤ 1 − p; min-p keeps tokens with p ≥ min_p · p_max) and `min_tokens_to_keep = 1`.
 * Removed tokens get −Infinity. Sums are taken in float64 (torch sums in float32: scores that sit
 * within ~1e-7 of a cut can fall the other way).
 *
 * Reference: tools/reference/textgen.py writes tests/fixtures/textgen/processors.json.
 */

export interface ProcessorSettings {
  /** > 1 discourages tokens already in the sequence (prompt included); 1 = off. */
  readonly repetitionPenalty?: number;
  /** Bans any n-gram of this size from appearing twice; 0 = off. */
  readonly noRepeatNgramSize?: number;
  /** Divides the scores; 1 = off. Sampling only. */
  readonly temperature?: number;
  /** Keeps the k highest-scoring tokens (and ties); 0 = off. Sampling only. */
  readonly topK?: number;
  /** Keeps the smallest set of top tokens whose probability reaches p; 1 = off. Sampling only. */
  readonly topP?: number;
  /** Keeps tokens at least min_p times as likely as the likeliest; 0 = off. Sampling only. */
  readonly minP?: number;
}

export type ProcessorName = 'repetitionPenalty' | 'noRepeatNgram' | 'temperature' | 'topK' | 'topP' | 'minP';

export interface ProcessorStage {
  readonly name: ProcessorName;
  /** A short human description: "temperature 0.8", "top-k 40". */
  readonly label: string;
  /** The scores after this stage. */
  readonly scores: Float32Array;
}

export const PROCESSOR_LABELS: Record<ProcessorName, string> = {
  repetitionPenalty: 'repetition penalty',
  noRepeatNgram: 'no-repeat n-gram',
  temperature: 'temperature',
  topK: 'top-k',
  topP: 'top-p',
  minP: 'min-p',
};

/** The stages that apply, in transformers' order; sampling-only warpers only when `sampling`. */
export function activeStages(s: ProcessorSettings, sampling: boolean): ProcessorName[] {
  const out: ProcessorName[] = [];
  if (s.repetitionPenalty !== undefined && s.repetitionPenalty !== 1) out.push('repetitionPenalty');
  if (s.noRepeatNgramSize !== undefined && s.noRepeatNgramSize > 0) out.push('noRepeatNgram');
  if (sampling) {
    if (s.temperature !== undefined && s.temperature !== 1) out.push('temperature');
    if (s.topK !== undefined && s.topK > 0) out.push('topK');
    if (s.topP !== undefined && s.topP < 1) out.push('topP');
    if (s.minP !== undefined && s.minP > 0) out.push('minP');
  }
  return out;
}

export function repetitionPenalty(scores: Float32Array, ids: readonly number[], penalty: number): Float32Array {
  const out = scores.slice();
  for (const id of new Set(ids)) {
    if (id < 0 || id >= out.length) continue;
    const s = scores[id];
    out[id] = s < 0 ? s * penalty : s / penalty;
  }
  return out;
}

/** Tokens that would repeat an n-gram already in `ids` (transformers' `_get_ngrams` + `_get_generated_ngrams`). */
export function bannedNgramTokens(ids: readonly number[], n: number): number[] {
  const len = ids.length;
  if (n <= 0 || len + 1 < n) return [];
  const prefix = ids.slice(len + 1 - n, len).join(',');
  const banned = new Set<number>();
  for (let i = 0; i + n <= len; i++) {
    if (ids.slice(i, i + n - 1).join(',') === prefix) banned.add(ids[i + n - 1]);
  }
  return [...banned];
}

export function noRepeatNgram(scores: Float32Array, ids: readonly number[], n: number): Float32Array {
  const out = scores.slice();
  for (const t of bannedNgramTokens(ids, n)) if (t >= 0 && t < out.length) out[t] = -Infinity;
  return out;
}

export function temperature(scores: Float32Array, t: number): Float32Array {
  if (!(t > 0)) throw new Error(`temperature must be above 0, got ${t}`);
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] / t;
  return out;
}

export function topK(scores: Float32Array, k: number, minKeep = 1): Float32Array {
  const kk = Math.min(Math.max(k, minKeep), scores.length);
  const sorted = Array.from(scores).sort((a, b) => b - a);
  const kth = sorted[kk - 1];
  const out = scores.slice();
  for (let i = 0; i < out.length; i++) if (out[i] < kth) out[i] = -Infinity;
  return out;
}

/** Softmax in float64 (−Infinity → 0). */
export function softmax(scores: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  const p = new Float64Array(scores.length);
  if (max === -Infinity) return p;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const e = Math.exp(scores[i] - max);
    p[i] = e;
    sum += e;
  }
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

export function logSoftmax(scores: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] - lse;
  return out;
}

/** Indices sorted by score, stable (equal scores keep index order). */
function order(scores: Float32Array, descending: boolean): number[] {
  const idx = Array.from(scores, (_, i) => i);
  return idx.sort((a, b) => (descending ? scores[b] - scores[a] : scores[a] - scores[b]) || a - b);
}

export function topP(scores: Float32Array, p: number, minKeep = 1): Float32Array {
  const asc = order(scores, false);
  const probs = softmax(asc.map((i) => scores[i]));
  const out = scores.slice();
  let cum = 0;
  for (let r = 0; r < asc.length - minKeep; r++) {
    cum += probs[r];
    if (cum <= 1 - p) out[asc[r]] = -Infinity;
  }
  return out;
}

export function minP(scores: Float32Array, m: number, minKeep = 1): Float32Array {
  const probs = softmax(scores);
  let top = 0;
  for (const x of probs) if (x > top) top = x;
  const cut = m * top;
  const desc = order(scores, true);
  const out = scores.slice();
  for (let r = minKeep; r < desc.length; r++) if (probs[desc[r]] < cut) out[desc[r]] = -Infinity;
  return out;
}

/**
 * Runs the active stages on one row's scores. `ids` is the row's whole sequence so far (prompt and
 * generated), which the repetition penalty and the n-gram ban read.
 */
export function processScores(
  scores: Float32Array,
  ids: readonly number[],
  s: ProcessorSettings,
  sampling: boolean,
  minKeep = 1,
): { scores: Float32Array; stages: ProcessorStage[] } {
  let cur = scores;
  const stages: ProcessorStage[] = [];
  for (const name of activeStages(s, sampling)) {
    if (name === 'repetitionPenalty') cur = repetitionPenalty(cur, ids, s.repetitionPenalty!);
    else if (name === 'noRepeatNgram') cur = noRepeatNgram(cur, ids, s.noRepeatNgramSize!);
    else if (name === 'temperature') cur = temperature(cur, s.temperature!);
    else if (name === 'topK') cur = topK(cur, s.topK!, minKeep);
    else if (name === 'topP') cur = topP(cur, s.topP!, minKeep);
    else cur = minP(cur, s.minP!, minKeep);
    stages.push({ name, label: stageLabel(name, s), scores: cur });
  }
  return { scores: cur, stages };
}

export function stageLabel(name: ProcessorName, s: ProcessorSettings): string {
  switch (name) {
    case 'repetitionPenalty': return `repetition penalty ${s.repetitionPenalty}`;
    case 'noRepeatNgram': return `no-repeat ${s.noRepeatNgramSize}-gram`;
    case 'temperature': return `temperature ${s.temperature}`;
    case 'topK': return `top-k ${s.topK}`;
    case 'topP': return `top-p ${s.topP}`;
    case 'minP': return `min-p ${s.minP}`;
  }
}

/** The ids still allowed after processing (finite scores), with their renormalised probabilities. */
export function keptDistribution(scores: Float32Array): { ids: number[]; probs: number[] } {
  const p = softmax(scores);
  const ids: number[] = [];
  const probs: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== -Infinity) {
      ids.push(i);
      probs.push(p[i]);
    }
  }
  return { ids, probs };
}

/** First index of the maximum (torch.argmax's choice among ties). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Draws an index from probabilities with a uniform number u in [0, 1). */
export function drawIndex(probs: ArrayLike<number>, u: number): number {
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i];
  let acc = 0;
  const target = u * total;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] <= 0) continue;
    last = i;
    acc += probs[i];
    if (target < acc) return i;
  }
  return last;
}

/** Entropy in nats of a distribution. */
export function entropy(probs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] > 0) h -= probs[i] * Math.log(probs[i]);
  return h;
}
