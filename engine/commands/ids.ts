import type { Graph } from '../graph/document';

/** A readable id not used in the graph: `arithmetic-3` for type `math.arithmetic`. */
export function newNodeId(graph: Pick<Graph, 'nodes'>, type: string, taken: Set<string> = new Set()): string {
  const base = (type.split('.').pop() || 'node').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'node';
  const used = new Set(graph.nodes.map((n) => n.id));
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!used.has(id) && !taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

export function newItemId(existing: Iterable<{ id: string }>, prefix: string, taken: Set<string> = new Set()): string {
  const used = new Set<string>();
  for (const e of existing) used.add(e.id);
  for (let i = 1; ; i++) {
    const id = `${prefix}${i}`;
    if (!used.has(id) && !taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}
