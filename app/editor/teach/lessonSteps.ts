import type { Graph } from '@/engine/graph/document';
import { topologicalOrder } from '@/engine/graph/order';
import type { Registry } from '@/engine/nodeDefinition';

export interface LessonStep {
  /** Nodes this step highlights (a node and the others of its type, such as the negative prompt). */
  nodeIds: string[];
  title: string;
  text: string;
  maths?: string;
}

/**
 * A guided lesson through a graph: an introduction, then one step per kind of node in an order
 * the engine runs them in (every node after the nodes wired into it), each told from its
 * definition's explanation. Nodes
 * of a kind already told join that step, so the negative prompt is shown with the prompt.
 */
export function lessonSteps(graph: Graph, registry: Registry): LessonStep[] {
  const deps = new Map<string, string[]>();
  for (const e of graph.edges) (deps.get(e.to.node) ?? deps.set(e.to.node, []).get(e.to.node)!).push(e.from.node);
  const ids = graph.nodes.filter((n) => registry.get(n.type) && registry.get(n.type)!.appearance !== 'note').map((n) => n.id);
  const order = readingOrder(ids, deps);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const steps: LessonStep[] = [];
  const byType = new Map<string, LessonStep>();
  const names = new Map<LessonStep, string[]>();
  for (const id of order) {
    const node = byId.get(id)!;
    const def = registry.get(node.type)!;
    const name = node.label || def.title;
    const same = byType.get(node.type);
    if (same) {
      same.nodeIds.push(id);
      names.get(same)!.push(name);
      continue;
    }
    const step: LessonStep = { nodeIds: [id], title: name, text: def.explain ?? def.description, ...(def.maths ? { maths: def.maths } : {}) };
    byType.set(node.type, step);
    names.set(step, [name]);
    steps.push(step);
  }
  // "Prompt · Negative prompt"; two unnamed tokenizers are "Tokenizer ×2".
  for (const [step, list] of names) {
    const distinct = [...new Set(list)];
    step.title = distinct.length === 1 && list.length > 1 ? `${distinct[0]} ×${list.length}` : distinct.join(' · ');
  }
  const intro: LessonStep = {
    nodeIds: [],
    title: graph.metadata.title || 'This graph',
    text:
      (graph.metadata.description ? graph.metadata.description + ' ' : '') +
      `The lesson visits the nodes in the order the engine runs them: each runs once the nodes wired into it have. Use Next and Back (or the arrow keys); Esc ends it.`,
  };
  return steps.length ? [intro, ...steps] : [];
}

/**
 * A topological order that reads like the graph: nodes in document order, each preceded by the
 * nodes it needs (depth first), so a chain (prompt → tokens → embedding) is told in one go.
 * A graph with a cycle keeps the document order.
 */
function readingOrder(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[] {
  if (!topologicalOrder(ids, (id) => deps.get(id) ?? []).ok) return [...ids];
  const known = new Set(ids);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (id: string) => {
    if (done.has(id) || !known.has(id)) return;
    done.add(id);
    for (const d of deps.get(id) ?? []) visit(d);
    out.push(id);
  };
  for (const id of ids) visit(id);
  return out;
}
