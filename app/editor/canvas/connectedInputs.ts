import type { GraphEdge } from '@/engine/graph/document';

const cache = new WeakMap<readonly GraphEdge[], Map<string, string>>();

/**
 * For each node, its connected input ports as one comma-joined string (a value a selector can
 * return without causing re-renders). Computed once per edges array.
 */
export function connectedInputs(edges: readonly GraphEdge[]): Map<string, string> {
  let map = cache.get(edges);
  if (map) return map;
  const sets = new Map<string, string[]>();
  for (const e of edges) {
    const list = sets.get(e.to.node) ?? [];
    list.push(e.to.port);
    sets.set(e.to.node, list);
  }
  map = new Map([...sets].map(([k, v]) => [k, v.sort().join(',')]));
  cache.set(edges, map);
  return map;
}
