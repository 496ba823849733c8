/**
 * Text generation over any causal language model step: greedy search, sampling and beam search with
 * Hugging Face transformers 4.46 semantics (`GenerationMixin._sample`, `_beam_search` with
 * `BeamSearchScorer` / `BeamHypotheses`): left-padded batches, `position_ids = cumsum(mask) − 1`,
 * finished rows padded, beam scores as summed log-probabilities divided by `generated_len ** length_penalty`,
 * `early_stopping` true / false / 'never', 2·num_beams candidates a step.
 *
 * Reference: tools/reference/textgen.py (numpy, over the torch model) writes tests/fixtures/textgen/*.json.
 */
import { Rng } from '@/engine/random';
import { NodeRunError } from '@/engine/errors';
import { argmax, drawIndex, logSoftmax, processScores, softmax, type ProcessorSettings, type ProcessorStage } from './processors';

/** One forward step of a causal LM over a batch of rows; `past` is the model's own cache. */
export interface CausalLM<Past = unknown> {
  readonly vocabSize: number;
  /** New tokens per row, the full attention mask per row, their positions; returns last-position logits [rows × vocab]. */
  step(input: StepInput<Past>, signal?: AbortSignal): Promise<{ logits: Float32Array; past: Past }>;
  /** The cache with its rows picked (and repeated) by index: beam search's reorder. */
  reorder(past: Past, rows: readonly number[]): Promise<Past>;
  dispose(past: Past): void;
}

export interface StepInput<Past> {
  readonly inputIds: readonly (readonly number[])[];
  readonly attentionMask: readonly (readonly number[])[];
  readonly positionIds: readonly (readonly number[])[];
  readonly past: Past | null;
}

export type DecodeMode = 'greedy' | 'sample' | 'beam';

export interface GenerateOptions {
  /** Prompt ids per batch item (not padded). */
  readonly prompts: readonly (readonly number[])[];
  readonly mode: DecodeMode;
  readonly maxNewTokens: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  readonly processors?: ProcessorSettings;
  /** transformers' min_new_tokens: end tokens are banned until this many tokens are generated. */
  readonly minNewTokens?: number;
  readonly seed?: number;
  readonly numBeams?: number;
  readonly lengthPenalty?: number;
  readonly earlyStopping?: boolean | 'never';
  readonly numReturnSequences?: number;
  /** Stops a row once its generated text contains one of these (the token that completes it is kept). */
  readonly stopStrings?: readonly string[];
  /** Decodes ids to text (stop strings, streaming). */
  readonly decode?: (ids: readonly number[]) => string;
  /** Called after each step with every row's generated ids so far (row = batch item, or its best beam). */
  readonly onStep?: (info: { step: number; generated: readonly (readonly number[])[] }) => void;
  /** Keep the per-step distributions (top tokens before/after processors) and the beam tree. */
  readonly trace?: boolean | { topTokens?: number };
  readonly signal?: AbortSignal;
}

export interface TokenChoice {
  readonly id: number;
  /** Probability before any processor (softmax of the raw logits). */
  readonly p: number;
  /** Probability after the processors (0 where removed). */
  readonly q: number;
}

export interface StepTrace {
  /** Row (batch item) the step belongs to. */
  readonly row: number;
  readonly step: number;
  readonly chosen: number;
  /** Top tokens by raw probability, with the processed probability. */
  readonly top: readonly TokenChoice[];
  readonly entropy: number;
  /** Per processor stage: its label and the count of tokens still allowed. */
  readonly stages: readonly { label: string; kept: number }[];
}

export type CandidateFate = 'kept' | 'finished' | 'eos below the top beams' | 'not in the top beams';

export interface BeamCandidate {
  readonly parent: number;
  readonly token: number;
  /** Summed log-probability of the parent's sequence plus this token. */
  readonly score: number;
  readonly rank: number;
  readonly fate: CandidateFate;
  /** Index of the beam it became at the next step (kept candidates). */
  readonly beam?: number;
  /** Its length-normalised score (finished candidates). */
  readonly finalScore?: number;
}

export interface BeamStep {
  readonly step: number;
  /** The live beams entering this step: their generated ids and summed log-probabilities. */
  readonly beams: readonly { ids: readonly number[]; score: number; top: readonly TokenChoice[] }[];
  readonly candidates: readonly BeamCandidate[];
  /** Why the batch item stopped after this step, when it did. */
  readonly done?: string;
}

export interface BeamTrace {
  readonly item: number;
  readonly steps: BeamStep[];
  /** Every hypothesis that was kept as finished at some point, with whether it survived to the end. */
  readonly finished: { ids: readonly number[]; score: number; step: number; kept: boolean }[];
}

export interface GenerateResult {
  /** Generated ids per returned sequence (prompt excluded), ending with eos when it ended there. Batch-major. */
  readonly sequences: number[][];
  /** Beam search: the length-normalised score of each returned sequence. */
  readonly scores?: number[];
  /** Why each returned sequence ended: 'eos', 'stop string', 'max tokens'. */
  readonly reasons: string[];
  readonly steps: number;
  readonly trace?: { tokens: StepTrace[]; beams?: BeamTrace[] };
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('cancelled', 'AbortError');
}

function leftPad(prompts: readonly (readonly number[])[], pad: number) {
  const len = Math.max(...prompts.map((p) => p.length));
  const ids = prompts.map((p) => [...new Array<number>(len - p.length).fill(pad), ...p]);
  const mask = prompts.map((p) => [...new Array<number>(len - p.length).fill(0), ...new Array<number>(p.length).fill(1)]);
  // transformers: position_ids = attention_mask.cumsum(-1) - 1, then masked_fill_(attention_mask == 0, 1)
  const pos = mask.map((m) => {
    let c = -1;
    return m.map((x) => ((c += x), x === 0 ? 1 : c));
  });
  return { ids, mask, pos, len };
}

/** log Σ exp(x) over finite scores, and Σ softmax(x)·x (for the entropy), in one pass. */
function logSumExp(x: ArrayLike<number>): { lse: number; meanZ: number } {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  if (max === -Infinity) return { lse: -Infinity, meanZ: 0 };
  let sum = 0;
  let sumZ = 0;
  for (let i = 0; i < x.length; i++) {
    const z = x[i];
    if (z === -Infinity) continue;
    const e = Math.exp(z - max);
    sum += e;
    sumZ += e * z;
  }
  return { lse: max + Math.log(sum), meanZ: sumZ / sum };
}

/**
 * The n likeliest tokens by raw score with their raw and processed probabilities, and the raw entropy.
 * Scores are ranked directly (softmax keeps their order) and only n probabilities are made: no
 * vocabulary-sized arrays a step.
 */
function topChoices(raw: Float32Array, processed: Float32Array, n: number): { top: TokenChoice[]; entropy: number } {
  const idx: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i];
    if (idx.length === n && z <= raw[idx[n - 1]]) continue;
    let j = idx.length;
    while (j > 0 && raw[idx[j - 1]] < z) j--;
    idx.splice(j, 0, i);
    if (idx.length > n) idx.pop();
  }
  const r = logSumExp(raw);
  const q = processed === raw ? r : logSumExp(processed);
  const top = idx.map((id) => ({ id, p: Math.exp(raw[id] - r.lse), q: processed[id] === -Infinity ? 0 : Math.exp(processed[id] - q.lse) }));
  // H = −Σ p log p = lse − Σ p·z
  return { top, entropy: r.lse - r.meanZ };
}

function endsWithStop(text: string, before: string, stops: readonly string[]): boolean {
  // The stop string must end inside the newest token's text (after the text before it, less the string's length).
  return stops.some((s) => s.length > 0 && text.indexOf(s, Math.max(0, before.length - s.length + 1)) >= 0);
}

export async function generate<P>(lm: CausalLM<P>, o: GenerateOptions): Promise<GenerateResult> {
  if (o.prompts.length === 0) throw new NodeRunError('no_prompt', 'generation needs at least one prompt');
  if (o.prompts.some((p) => p.length === 0)) throw new NodeRunError('empty_prompt', 'a prompt has no tokens: give it some text (or a start token)');
  if (!(Number.isInteger(o.maxNewTokens) && o.maxNewTokens >= 0)) throw new NodeRunError('bad_param', `max new tokens must be a whole number ≥ 0, got ${o.maxNewTokens}`);
  return o.mode === 'beam' ? beamSearch(lm, o) : decodeRows(lm, o);
}

/** Greedy search and sampling (transformers' `_sample`). */
async function decodeRows<P>(lm: CausalLM<P>, o: GenerateOptions): Promise<GenerateResult> {
  const sampling = o.mode === 'sample';
  const n = o.prompts.length;
  const { ids, mask, pos } = leftPad(o.prompts, o.padTokenId);
  const seqs = o.prompts.map((p) => [...p]);
  const gen: number[][] = o.prompts.map(() => []);
  const reasons: string[] = o.prompts.map(() => 'max tokens');
  const finished = new Array<boolean>(n).fill(false);
  const rng = new Rng(o.seed ?? 0);
  const traceTop = o.trace ? (typeof o.trace === 'object' ? o.trace.topTokens ?? 20 : 20) : 0;
  const tokens: StepTrace[] = [];
  const eos = new Set(o.eosTokenIds);
  let past: P | null = null;
  let input = { inputIds: ids as number[][], attentionMask: mask, positionIds: pos };
  let steps = 0;
  try {
    for (let step = 0; step < o.maxNewTokens; step++) {
      checkAbort(o.signal);
      const out: { logits: Float32Array; past: P } = await lm.step({ ...input, past }, o.signal);
      if (past) lm.dispose(past);
      past = out.past;
      const V = lm.vocabSize;
      const next: number[] = [];
      for (let r = 0; r < n; r++) {
        if (finished[r]) {
          next.push(o.padTokenId);
          continue;
        }
        const raw = out.logits.subarray(r * V, (r + 1) * V);
        const { scores, stages } = processScores(banEos(raw, step, o), seqs[r], o.processors ?? {}, sampling);
        const tok = sampling ? drawIndex(softmax(scores), rng.nextFloat()) : argmax(scores);
        next.push(tok);
        if (traceTop) tokens.push(traceStep(r, step, tok, raw, scores, stages, traceTop));
      }
      steps = step + 1;
      for (let r = 0; r < n; r++) {
        if (finished[r]) continue;
        const before = o.stopStrings?.length && o.decode ? o.decode(gen[r]) : '';
        seqs[r].push(next[r]);
        gen[r].push(next[r]);
        if (eos.has(next[r])) {
          finished[r] = true;
          reasons[r] = 'eos';
        } else if (o.stopStrings?.length && o.decode && endsWithStop(o.decode(gen[r]), before, o.stopStrings)) {
          finished[r] = true;
          reasons[r] = 'stop string';
        }
      }
      o.onStep?.({ step, generated: gen });
      if (finished.every(Boolean) || step === o.maxNewTokens - 1) break;
      const m = input.attentionMask.map((row) => [...row, 1]);
      input = { inputIds: next.map((t) => [t]), attentionMask: m, positionIds: input.positionIds.map((p) => [p[p.length - 1] + 1]) };
    }
  } finally {
    if (past) lm.dispose(past);
  }
  return { sequences: gen, reasons, steps, ...(traceTop ? { trace: { tokens } } : {}) };
}

function traceStep(row: number, step: number, chosen: number, raw: Float32Array, processed: Float32Array, stages: readonly ProcessorStage[], n: number): StepTrace {
  const { top, entropy } = topChoices(raw, processed, n);
  return {
    row,
    step,
    chosen,
    top,
    entropy,
    stages: stages.map((s) => ({ label: s.label, kept: s.scores.reduce((c, x) => c + (x === -Infinity ? 0 : 1), 0) })),
  };
}

interface Hypothesis {
  readonly score: number;
  /** Generated ids, without the eos that finished it (as transformers stores them). */
  readonly ids: number[];
  readonly step: number;
  readonly eos: boolean;
}

/** MinNewTokensLengthLogitsProcessor: −∞ for end tokens while fewer than min_new_tokens are generated. */
function banEos(scores: Float32Array, step: number, o: GenerateOptions): Float32Array {
  if (!o.minNewTokens || step >= o.minNewTokens || o.eosTokenIds.length === 0) return scores;
  const out = scores.slice();
  for (const e of o.eosTokenIds) if (e >= 0 && e < out.length) out[e] = -Infinity;
  return out;
}

/** transformers' BeamHypotheses. */
class Hypotheses {
  readonly beams: Hypothesis[] = [];
  worst = 1e9;
  constructor(readonly numBeams: number, readonly lengthPenalty: number, readonly early: boolean | 'never', readonly maxLength: number) {}

  add(ids: number[], sumLogprobs: number, generatedLen: number, step: number, eos: boolean): Hypothesis | null {
    const score = sumLogprobs / generatedLen ** this.lengthPenalty;
    if (this.beams.length < this.numBeams || score > this.worst) {
      const h: Hypothesis = { score, ids, step, eos };
      this.beams.push(h);
      if (this.beams.length > this.numBeams) {
        const sorted = this.beams.map((b, i) => [b.score, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        this.beams.splice(sorted[0][1], 1);
        this.worst = sorted[1][0];
      } else {
        this.worst = Math.min(score, this.worst);
      }
      return h;
    }
    return null;
  }

  isDone(bestSumLogprobs: number, curLen: number, promptLen: number): boolean {
    if (this.beams.length < this.numBeams) return false;
    if (this.early === true) return true;
    if (this.early === false) return this.worst >= bestSumLogprobs / (curLen - promptLen) ** this.lengthPenalty;
    const len = this.lengthPenalty > 0 ? this.maxLength - promptLen : curLen - promptLen;
    return this.worst >= bestSumLogprobs / len ** this.lengthPenalty;
  }
}

async function beamSearch<P>(lm: CausalLM<P>, o: GenerateOptions): Promise<GenerateResult> {
  const nb = o.numBeams ?? 1;
  if (!(Number.isInteger(nb) && nb >= 1)) throw new NodeRunError('bad_param', `number of beams must be a whole number ≥ 1, got ${nb}`);
  const nret = o.numReturnSequences ?? 1;
  if (nret > nb) throw new NodeRunError('bad_param', `return sequences (${nret}) cannot be more than the number of beams (${nb})`);
  const lp = o.lengthPenalty ?? 1;
  const early = o.earlyStopping ?? false;
  const batch = o.prompts.length;
  const V = lm.vocabSize;
  const eos = new Set(o.eosTokenIds);
  const { ids, mask, pos, len: promptLen } = leftPad(o.prompts, o.padTokenId);
  const maxLength = promptLen + o.maxNewTokens;
  const expand = <T>(rows: T[]) => rows.flatMap((r) => new Array<T>(nb).fill(r));
  let seqs = expand(ids).map((r) => [...r]);
  let attn = expand(mask);
  let posIds = expand(pos);
  const beamScores = new Float64Array(batch * nb);
  for (let b = 0; b < batch; b++) for (let k = 1; k < nb; k++) beamScores[b * nb + k] = -1e9;
  const hyps = o.prompts.map(() => new Hypotheses(nb, lp, early, maxLength));
  const done = new Array<boolean>(batch).fill(false);
  const traceTop = o.trace ? (typeof o.trace === 'object' ? o.trace.topTokens ?? 10 : 10) : 0;
  const beamTraces: BeamTrace[] = o.prompts.map((_, item) => ({ item, steps: [], finished: [] }));
  const finishedTrace = o.prompts.map(() => [] as { h: Hypothesis; entry: BeamTrace['finished'][number] }[]);
  const nCand = Math.max(2, 1 + eos.size) * nb;
  let past: P | null = null;
  let input: number[][] = seqs.map((r) => [...r]);
  let stepPos = posIds;
  let steps = 0;
  try {
    while (true) {
      checkAbort(o.signal);
      const out: { logits: Float32Array; past: P } = await lm.step({ inputIds: input, attentionMask: attn, positionIds: stepPos, past }, o.signal);
      if (past) lm.dispose(past);
      past = out.past;
      const curLen = seqs[0].length + 1;
      const step = curLen - promptLen - 1;
      const total = new Float64Array(batch * nb * V);
      const rowTop: TokenChoice[][] = [];
      for (let r = 0; r < batch * nb; r++) {
        const raw = out.logits.subarray(r * V, (r + 1) * V);
        const logp = logSoftmax(raw);
        const { scores } = processScores(banEos(logp, step, o), seqs[r], o.processors ?? {}, false);
        for (let v = 0; v < V; v++) total[r * V + v] = scores[v] + beamScores[r];
        if (traceTop) rowTop.push(topChoices(raw, scores, traceTop).top);
      }
      const nextScores = new Float64Array(batch * nb);
      const nextTokens = new Array<number>(batch * nb).fill(o.padTokenId);
      const nextRows = new Array<number>(batch * nb).fill(0);
      for (let b = 0; b < batch; b++) {
        const trace: BeamCandidate[] = [];
        // top 2·nb over all of this item's beams × vocabulary (ties: lower index first)
        const base = b * nb * V;
        const cands = topIndices(total, base, nb * V, nCand);
        if (done[b]) {
          for (let k = 0; k < nb; k++) nextRows[b * nb + k] = b * nb;
          continue;
        }
        let beamIdx = 0;
        for (let rank = 0; rank < cands.length; rank++) {
          const flat = cands[rank];
          const parent = Math.floor(flat / V);
          const token = flat % V;
          const score = total[base + flat];
          const row = b * nb + parent;
          if (beamIdx >= nb) {
            trace.push({ parent, token, score, rank, fate: 'not in the top beams' });
            continue;
          }
          if (eos.has(token)) {
            if (rank >= nb) {
              trace.push({ parent, token, score, rank, fate: 'eos below the top beams' });
              continue;
            }
            const h = hyps[b].add(seqs[row].slice(promptLen), score, curLen - promptLen, step, true);
            trace.push({ parent, token, score, rank, fate: 'finished', ...(h ? { finalScore: h.score } : {}) });
            if (h && traceTop) finishedTrace[b].push({ h, entry: { ids: [...h.ids, token], score: h.score, step, kept: true } });
          } else {
            nextScores[b * nb + beamIdx] = score;
            nextTokens[b * nb + beamIdx] = token;
            nextRows[b * nb + beamIdx] = row;
            trace.push({ parent, token, score, rank, fate: 'kept', beam: beamIdx });
            beamIdx++;
          }
        }
        if (beamIdx < nb) throw new NodeRunError('beam_failed', `beam search found only ${beamIdx} of ${nb} live candidates at step ${step}; use fewer beams`);
        const best = total[base + cands[0]];
        let why: string | undefined;
        if (hyps[b].isDone(best, curLen, promptLen)) {
          done[b] = true;
          why = early === true ? `${nb} finished hypotheses (early stopping)` : 'no live beam can beat the finished hypotheses';
        }
        if (traceTop) {
          beamTraces[b].steps.push({
            step,
            beams: Array.from({ length: nb }, (_, k) => ({ ids: seqs[b * nb + k].slice(promptLen), score: beamScores[b * nb + k], top: rowTop[b * nb + k] })),
            candidates: trace,
            ...(why ? { done: why } : {}),
          });
        }
      }
      beamScores.set(nextScores);
      seqs = nextRows.map((r, i) => [...seqs[r], nextTokens[i]]);
      attn = nextRows.map((r) => [...attn[r], 1]);
      stepPos = nextRows.map((r) => [stepPos[r][stepPos[r].length - 1] + 1]);
      steps = step + 1;
      o.onStep?.({ step, generated: Array.from({ length: batch }, (_, b) => seqs[b * nb].slice(promptLen)) });
      if (done.every(Boolean) || seqs[0].length >= maxLength) break;
      const reordered: P = await lm.reorder(past, nextRows);
      lm.dispose(past);
      past = reordered;
      input = nextTokens.map((t) => [t]);
    }
  } finally {
    if (past) lm.dispose(past);
  }
  // finalize: live beams of unfinished items become hypotheses too
  for (let b = 0; b < batch; b++) {
    if (done[b]) continue;
    for (let k = 0; k < nb; k++) {
      const r = b * nb + k;
      const gen = seqs[r].slice(promptLen);
      const h = hyps[b].add(gen, beamScores[r], seqs[r].length - promptLen, steps, false);
      if (h && traceTop) finishedTrace[b].push({ h, entry: { ids: gen, score: h.score, step: steps, kept: true } });
    }
  }
  const sequences: number[][] = [];
  const scores: number[] = [];
  const reasons: string[] = [];
  for (let b = 0; b < batch; b++) {
    const sorted = [...hyps[b].beams].sort((x, y) => y.score - x.score);
    for (const h of sorted.slice(0, nret)) {
      sequences.push(h.eos ? [...h.ids, o.eosTokenIds[0]] : [...h.ids]);
      scores.push(h.score);
      reasons.push(h.eos ? 'eos' : 'max tokens');
    }
    if (traceTop) {
      const alive = new Set(hyps[b].beams);
      for (const f of finishedTrace[b]) beamTraces[b].finished.push({ ...f.entry, kept: alive.has(f.h) });
    }
  }
  return { sequences, scores, reasons, steps, ...(traceTop ? { trace: { tokens: [], beams: beamTraces } } : {}) };
}

/** Indices (relative to base) of the k largest values in values[base, base+count), stable on ties. */
function topIndices(values: Float64Array, base: number, count: number, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = values[base + i];
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) idx.sort((a, b) => values[base + b] - values[base + a] || a - b);
      continue;
    }
    const lastV = values[base + idx[k - 1]];
    if (v > lastV) {
      let j = k - 1;
      while (j > 0 && values[base + idx[j - 1]] < v) j--;
      idx.splice(j, 0, i);
      idx.pop();
    }
  }
  if (idx.length < k) idx.sort((a, b) => values[base + b] - values[base + a] || a - b);
  return idx;
}
