import type { NodeDefinition } from '@/engine/nodeDefinition';
import { NODE_DEFINITIONS } from '@/nodes';

/** Definitions matching a query (title, type id, category, description), best first. */
export function searchNodes(query: string, defs: readonly NodeDefinition[] = NODE_DEFINITIONS): NodeDefinition[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...defs];
  const scored: { def: NodeDefinition; score: number }[] = [];
  for (const def of defs) {
    const title = def.title.toLowerCase();
    let score = 0;
    if (title.startsWith(q)) score = 4;
    else if (title.includes(q)) score = 3;
    else if (def.type.toLowerCase().includes(q) || def.category.toLowerCase().includes(q)) score = 2;
    else if (def.description.toLowerCase().includes(q)) score = 1;
    if (score) scored.push({ def, score });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.def);
}

export function byCategory(defs: readonly NodeDefinition[]): [string, NodeDefinition[]][] {
  const map = new Map<string, NodeDefinition[]>();
  for (const d of defs) {
    const list = map.get(d.category) ?? [];
    list.push(d);
    map.set(d.category, list);
  }
  return [...map.entries()];
}
