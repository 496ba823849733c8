import dagre from '@dagrejs/dagre';
import type { Graph } from '@/engine/graph/document';
import { moveNodes } from '@/engine/commands/commands';
import type { Command } from '@/engine/commands/history';

export type Size = { width: number; height: number };
export type Move = { id: string; position: { x: number; y: number } };

const DEFAULT: Size = { width: 240, height: 140 };

/**
 * Positions for every node, left to right along the wires (dagre's layered layout). Repeat zones
 * and groups are laid out as clusters, so their members stay together and their frames do not
 * overlap other nodes; a zone wholly inside a group stays inside it. The result keeps the graph's
 * top-left corner where it was, so the view does not jump.
 */
export function autoLayout(graph: Graph, sizes: ReadonlyMap<string, Size>): Move[] {
  if (!graph.nodes.length) return [];
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 90, edgesep: 16, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const n of graph.nodes) {
    const s = sizes.get(n.id) ?? DEFAULT;
    g.setNode(n.id, { width: s.width, height: s.height });
  }
  const parentOf = new Map<string, string>();
  for (const z of graph.zones) {
    const members = [z.inputNode, z.outputNode, ...z.nodes].filter((id) => ids.has(id) && !parentOf.has(id));
    if (!members.length) continue;
    const cluster = `zone:${z.id}`;
    // Room for the frame's title bar above the members.
    g.setNode(cluster, { paddingTop: 40 } as never);
    for (const id of members) parentOf.set(id, cluster);
  }
  for (const gr of graph.groups) {
    const members = gr.nodes.filter((id) => ids.has(id));
    if (!members.length) continue;
    const cluster = `group:${gr.id}`;
    g.setNode(cluster, { paddingTop: 40 } as never);
    const inGroup = new Set(members);
    for (const z of graph.zones) {
      const zoneMembers = [z.inputNode, z.outputNode, ...z.nodes].filter((id) => ids.has(id));
      if (zoneMembers.length && zoneMembers.every((id) => inGroup.has(id)) && !parentOf.has(`zone:${z.id}`)) parentOf.set(`zone:${z.id}`, cluster);
    }
    for (const id of members) if (!parentOf.has(id)) parentOf.set(id, cluster);
  }
  for (const [child, parent] of parentOf) if (g.hasNode(child)) g.setParent(child, parent);
  for (const e of graph.edges) {
    if (ids.has(e.from.node) && ids.has(e.to.node) && e.from.node !== e.to.node) g.setEdge(e.from.node, e.to.node, {}, e.id);
  }
  dagre.layout(g);

  let minX = Infinity, minY = Infinity;
  for (const n of graph.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
  }
  const placed = graph.nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number };
    return { id: n.id, x: p.x - p.width / 2, y: p.y - p.height / 2 };
  });
  let pMinX = Infinity, pMinY = Infinity;
  for (const p of placed) {
    pMinX = Math.min(pMinX, p.x);
    pMinY = Math.min(pMinY, p.y);
  }
  return placed.map((p) => ({ id: p.id, position: { x: Math.round(p.x - pMinX + minX), y: Math.round(p.y - pMinY + minY) } }));
}

/** The layout as one undoable edit. */
export function autoLayoutCommand(graph: Graph, sizes: ReadonlyMap<string, Size>): Command {
  return { ...moveNodes(autoLayout(graph, sizes)), name: 'Auto-layout' };
}
