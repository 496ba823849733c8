/**
 * A record whose keys come from data (port names, carried values, param names): it has no
 * prototype, so a key such as `__proto__` or `constructor` is an ordinary key, never a link to
 * Object.prototype. Ids of nodes, edges, groups and zones go in Maps instead.
 */
export function dataRecord<T = unknown>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A copy of `source`'s own enumerable entries in a fresh data record. */
export function copyRecord<T>(source: Readonly<Record<string, T>>): Record<string, T> {
  const out = dataRecord<T>();
  for (const k of Object.keys(source)) out[k] = source[k];
  return out;
}

/** Whether `key` is an own key of `record` (never an inherited member such as `toString`). */
export function hasKey(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}
