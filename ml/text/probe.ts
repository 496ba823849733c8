import { entropy, softmax } from './processors';
import type { BeamCandidate } from './generate';
import type { GenerationValue, LogitsValue } from './values';

/** What the probe shows of next-token logits and of a generation trace (small, plain data for the page). */

export interface TokenP {
  readonly id: number;
  readonly text: string;
  readonly p: number;
}

export interface LogitsProbe {
  kind: 'logits';
  model: string;
  vocabSize: number;
  /** The end of the text the scores continue. */
  context: string;
  top: TokenP[];
  entropy: number;
  /** Before/after each processor, over the top tokens by raw probability (Sample Token's processed output). */
  stages?: { tokens: { id: number; text: string }[]; series: { label: string; probs: number[]; kept: number; entropy: number }[] };
}

export interface GenerationProbe {
  kind: 'generation';
  nodeId: string;
  prefix: string;
  model: string;
  mode: string;
  settingsText: string;
  prompt: string;
  texts: string[];
  scores?: number[];
  reasons: string[];
  seconds: number;
  firstTokenSeconds: number;
  tokensPerSecond: number;
  /** Tokens generated in the best sequence. */
  tokens: number;
  /** Row 0, one entry per generated token: the choice and the distribution it came from. */
  steps: { token: TokenP & { q: number }; entropy: number; top: (TokenP & { q: number })[]; stages: { label: string; kept: number }[] }[];
  beams?: BeamTreeProbe;
}

export interface BeamTreeProbe {
  numBeams: number;
  steps: {
    step: number;
    beams: { text: string; score: number; top: (TokenP & { q: number })[] }[];
    candidates: (Omit<BeamCandidate, 'token'> & { token: number; text: string })[];
    done?: string;
  }[];
  finished: { text: string; score: number; step: number; kept: boolean }[];
}

const TOP = 20;

function joinText(v: { tokenText(id: number): string }, ids: readonly number[]): string {
  return ids.map((id) => v.tokenText(id)).join('');
}

export function probeLogits(v: LogitsValue): LogitsProbe {
  const raw = v.stages?.[0]?.scores ?? v.data.subarray(0, v.vocabSize);
  const p = softmax(raw);
  const order = Array.from(p, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b).slice(0, TOP);
  const ids = v.ids[0] ?? [];
  const context = joinText(v, ids.slice(-24)).slice(-80);
  const probe: LogitsProbe = {
    kind: 'logits',
    model: v.model,
    vocabSize: v.vocabSize,
    context,
    top: order.map((id) => ({ id, text: v.tokenText(id), p: p[id] })),
    entropy: entropy(p),
  };
  if (v.stages && v.stages.length > 0) {
    probe.stages = {
      tokens: order.map((id) => ({ id, text: v.tokenText(id) })),
      series: v.stages.map((s) => {
        const q = softmax(s.scores);
        return { label: s.label, probs: order.map((id) => q[id]), kept: s.scores.reduce((c, x) => c + (x === -Infinity ? 0 : 1), 0), entropy: entropy(q) };
      }),
    };
  }
  return probe;
}

const MAX_STEPS = 256;

export function probeGeneration(v: GenerationValue): GenerationProbe {
  const tt = (id: number) => v.tokenText(id);
  const steps = v.tokens
    .filter((s) => s.row === 0)
    .slice(0, MAX_STEPS)
    .map((s) => {
      const chosen = s.top.find((t) => t.id === s.chosen);
      return {
        token: { id: s.chosen, text: tt(s.chosen), p: chosen?.p ?? NaN, q: chosen?.q ?? NaN },
        entropy: s.entropy,
        top: s.top.slice(0, 10).map((t) => ({ id: t.id, text: tt(t.id), p: t.p, q: t.q })),
        stages: [...s.stages],
      };
    });
  const generated = v.sequences[0]?.length ?? 0;
  const probe: GenerationProbe = {
    kind: 'generation',
    nodeId: v.nodeId,
    prefix: v.prefix,
    model: v.model,
    mode: v.mode,
    settingsText: v.settingsText,
    prompt: v.promptText,
    texts: [...v.texts],
    ...(v.scores ? { scores: [...v.scores] } : {}),
    reasons: [...v.reasons],
    seconds: v.seconds,
    firstTokenSeconds: v.firstTokenSeconds,
    tokensPerSecond: v.seconds > 0 ? generated / v.seconds : 0,
    tokens: generated,
    steps,
  };
  const b = v.beams?.[0];
  if (b) {
    probe.beams = {
      numBeams: b.steps[0]?.beams.length ?? 0,
      steps: b.steps.slice(0, MAX_STEPS).map((s) => ({
        step: s.step,
        beams: s.beams.map((x) => ({ text: joinText(v, x.ids), score: x.score, top: x.top.slice(0, 10).map((t) => ({ id: t.id, text: tt(t.id), p: t.p, q: t.q })) })),
        candidates: s.candidates.map((c) => ({ ...c, text: tt(c.token) })),
        ...(s.done ? { done: s.done } : {}),
      })),
      finished: b.finished.map((f) => ({ text: joinText(v, f.ids), score: f.score, step: f.step, kept: f.kept })),
    };
  }
  return probe;
}
