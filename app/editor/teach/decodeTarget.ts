import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';

const memo = new WeakMap<Graph, Map<string, string | undefined>>();

/**
 * The node that turns a loop's latent into a picture: the nearest node after it (breadth first
 * along the wires) with an image output, such as VAE Decode. "Exact decode" runs it.
 */
export function decodeTarget(graph: Graph, loopId: string): string | undefined {
  let known = memo.get(graph);
  if (!known) memo.set(graph, (known = new Map()));
  if (known.has(loopId)) return known.get(loopId);
  const next = new Map<string, string[]>();
  for (const e of graph.edges) (next.get(e.from.node) ?? next.set(e.from.node, []).get(e.from.node)!).push(e.to.node);
  const types = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const seen = new Set([loopId]);
  const queue = [...(next.get(loopId) ?? [])];
  let found: string | undefined;
  while (queue.length && !found) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const def = registry.get(types.get(id) ?? '');
    if (def?.outputs.some((p) => p.type === 'image') && !def.isOutput) found = id;
    else queue.push(...(next.get(id) ?? []));
  }
  known.set(loopId, found);
  return found;
}
