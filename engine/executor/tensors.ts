import { isTensorValue, type TensorValue } from '../values';

/** Adds every tensor reachable in `value` (through arrays, Maps and plain records) to `out`. */
export function collectTensors(value: unknown, out: Set<TensorValue>): Set<TensorValue> {
  if (typeof value === 'object' && value !== null) walk(value, out, 0);
  return out;
}

/** Values are trees in practice; the depth bound (not a visited set) guards against cycles cheaply. */
const MAX_DEPTH = 64;

function walk(value: object, out: Set<TensorValue>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (isTensorValue(value)) {
    out.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null) walk(v, out, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) if (typeof v === 'object' && v !== null) walk(v, out, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null) walk(v, out, depth + 1);
  }
}

/** True when `value` is a record of plain scalars, which holds no tensor (the common case). */
export function holdsNoObjects(value: Record<string, unknown>): boolean {
  for (const k in value) {
    const v = value[k];
    if (typeof v === 'object' && v !== null) return false;
  }
  return true;
}

/** Disposes the tensors of `produced` that are not among `keep` (values owned elsewhere). */
export function disposeExcept(produced: unknown, keep: ReadonlySet<TensorValue>): void {
  for (const t of collectTensors(produced, new Set())) if (!keep.has(t)) t.dispose();
}
