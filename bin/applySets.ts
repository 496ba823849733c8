import { produce } from 'immer';
import type { Graph } from '@/engine/graph/document';

/** Applies `--set NODE.PARAM=VALUE` overrides. VALUE is read as JSON when it parses, else as text. */
export function applySets(graph: Graph, sets: readonly string[]): { ok: true; graph: Graph } | { ok: false; message: string } {
  const parsed: { node: string; param: string; value: unknown }[] = [];
  for (const s of sets) {
    const m = /^([A-Za-z0-9_.:-]+?)\.([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(s);
    if (!m) return { ok: false, message: `--set ${s}: expected NODE.PARAM=VALUE, e.g. --set seed-1.seed=7` };
    const [, node, param, raw] = m;
    if (!graph.nodes.some((n) => n.id === node)) {
      return { ok: false, message: `--set ${s}: there is no node '${node}'; nodes are ${graph.nodes.map((n) => `'${n.id}'`).join(', ')}` };
    }
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text
    }
    parsed.push({ node, param, value });
  }
  return {
    ok: true,
    graph: produce(graph, (g) => {
      for (const p of parsed) g.nodes.find((n) => n.id === p.node)!.params[p.param] = p.value;
    }),
  };
}
