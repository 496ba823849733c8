import { isKvCacheValue } from './languageModel';
import { probeGeneration, probeLogits } from './probe';
import { isGenerationValue, isLogitsValue } from './values';

/** One line for a text-generation value where a plain value is shown (an Output node, the CLI report). */
export function describeTextValue(value: unknown): string | undefined {
  if (isLogitsValue(value)) {
    const p = probeLogits(value);
    const top = p.top.slice(0, 3).map((t) => `${JSON.stringify(t.text)} ${(t.p * 100).toFixed(1)}%`);
    return `next token: ${top.join(', ')} … (entropy ${p.entropy.toFixed(2)} nats${value.stages ? `; after ${value.stages.slice(1).map((s) => s.label).join(', ') || 'no processor'}` : ''})`;
  }
  if (isGenerationValue(value)) {
    const n = value.sequences[0]?.length ?? 0;
    return `${JSON.stringify(value.texts[0] ?? '')} · ${value.settingsText} · ${n} tokens · ${(n / Math.max(1e-9, value.seconds)).toFixed(1)} tok/s`;
  }
  if (isKvCacheValue(value)) {
    return `KV cache of ${value.ids[0]?.length ?? 0} tokens × ${value.ids.length} row(s), ${value.tensors.length / 2} layers`;
  }
  return undefined;
}

/**
 * A JSON view of a text-generation value: `full` (a file written for an output) keeps every step and the
 * beam tree, as the probe shows them; otherwise (the run report) the texts, scores and speed only.
 */
export function textValueJson(value: unknown, full: boolean): unknown | undefined {
  if (isGenerationValue(value)) {
    const p = probeGeneration(value);
    const { steps, beams, ...head } = p;
    return full ? { ...head, steps, ...(beams ? { beams } : {}) } : head;
  }
  if (isLogitsValue(value)) return probeLogits(value);
  if (isKvCacheValue(value)) return { kind: 'kvCache', tokens: value.ids[0]?.length ?? 0, rows: value.ids.length, layers: value.tensors.length / 2 };
  return undefined;
}
