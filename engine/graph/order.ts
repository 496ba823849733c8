import type { Graph } from './document';

export type OrderResult =
  | { ok: true; order: string[] }
  /** `cycle` lists the ids around one cycle, in edge direction (the first id depends on the last). */
  | { ok: false; cycle: string[] };

/**
 * Kahn's algorithm over `ids`, where `dependenciesOf(id)` names the ids that must come first.
 * Dependencies outside `ids` are ignored. Ties keep the order of `ids`, so the result is stable.
 * A cycle is reported (one of them, as a path) instead of looping forever.
 */
export function topologicalOrder(
  ids: readonly string[],
  dependenciesOf: (id: string) => Iterable<string>,
): OrderResult {
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) if (!index.has(ids[i])) index.set(ids[i], i);
  const n = ids.length;
  const pending = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    if (index.get(ids[i]) !== i) continue; // a repeated id counts once
    const seen = new Set<number>();
    for (const dep of dependenciesOf(ids[i])) {
      const j = index.get(dep);
      if (j === undefined || seen.has(j)) continue;
      seen.add(j);
      pending[i]++;
      dependents[j].push(i);
    }
  }
  const order: string[] = [];
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (pending[i] === 0 && index.get(ids[i]) === i) ready.push(i);
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head];
    order.push(ids[i]);
    for (const d of dependents[i]) if (--pending[d] === 0) ready.push(d);
  }
  if (order.length === index.size) return { ok: true, order };
  return { ok: false, cycle: findCycle(ids, index, pending, dependenciesOf) };
}

/** Walks dependencies among the nodes Kahn could not place until a node repeats. */
function findCycle(
  ids: readonly string[],
  index: Map<string, number>,
  pending: Int32Array,
  dependenciesOf: (id: string) => Iterable<string>,
): string[] {
  const stuck = (id: string) => {
    const j = index.get(id);
    return j !== undefined && pending[j] > 0;
  };
  let current = ids.find(stuck)!;
  const path: string[] = [];
  const position = new Map<string, number>();
  // Every stuck node has a stuck dependency, so this walk must revisit a node.
  while (!position.has(current)) {
    position.set(current, path.length);
    path.push(current);
    let next: string | undefined;
    for (const dep of dependenciesOf(current)) {
      if (stuck(dep)) {
        next = dep;
        break;
      }
    }
    if (next === undefined) return path; // unreachable for a consistent dependency function
    current = next;
  }
  // The walk follows dependencies backwards; reverse so the cycle reads in edge direction.
  return path.slice(position.get(current)).reverse();
}

/** Dependency order of every node of a graph by its edges (zones add no edges). */
export function graphOrder(graph: Pick<Graph, 'nodes' | 'edges'>): OrderResult {
  const deps = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = deps.get(e.to.node);
    if (list) list.push(e.from.node);
    else deps.set(e.to.node, [e.from.node]);
  }
  return topologicalOrder(
    graph.nodes.map((n) => n.id),
    (id) => deps.get(id) ?? [],
  );
}
