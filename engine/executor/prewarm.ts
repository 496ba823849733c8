import type { Graph } from '../graph/document';
import type { Registry } from '../nodeDefinition';
import type { Runtime } from '../runtime';

/**
 * Runs the `prewarm` hook of every node in the graph that has one (muted nodes excepted), one
 * after another, so model sessions and tokenizers are ready before the first run. Returns the
 * number of nodes warmed; a failing hook is skipped (the run will report the same failure).
 */
export async function prewarmGraph(graph: Graph, options: { registry: Registry; runtime: Runtime; signal: AbortSignal }): Promise<number> {
  let warmed = 0;
  const seen = new Set<string>();
  for (const node of graph.nodes) {
    if (options.signal.aborted) break;
    const def = options.registry.get(node.type);
    if (!def?.prewarm || node.mode === 'muted') continue;
    const parsed = def.params.safeParse(node.params ?? {});
    if (!parsed.success) continue;
    const key = `${node.type}\u0000${JSON.stringify(parsed.data)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      await def.prewarm({ params: parsed.data, runtime: options.runtime, signal: options.signal });
      warmed++;
    } catch {
      // The run reports it, with the node's name.
    }
  }
  return warmed;
}
