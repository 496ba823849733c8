import { isTensorValue, type TensorValue } from '../values';

/** Adds every tensor reachable in `value` (through arrays and plain records) to `out`. */
export function collectTensors(value: unknown, out: Set<TensorValue>): Set<TensorValue> {
  if (typeof value !== 'object' || value === null) return out;
  walk(value, out, new Set());
  return out;
}

function walk(value: object, out: Set<TensorValue>, seen: Set<unknown>): void {
  if (seen.has(value)) return;
  seen.add(value);
  if (isTensorValue(value)) {
    out.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) walk(v, out, seen);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) walk(v, out, seen);
  }
}

/** Disposes the tensors of `produced` that are not among `keep` (values owned elsewhere). */
export function disposeExcept(produced: unknown, keep: ReadonlySet<TensorValue>): void {
  for (const t of collectTensors(produced, new Set())) if (!keep.has(t)) t.dispose();
}
