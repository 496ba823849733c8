import type { Graph } from '@/engine/graph/document';
import type { Registry } from '@/engine/nodeDefinition';
import { categoryColour } from '../canvas/theme';

/** What a thumbnail draws, in the graph's own coordinates (the SVG viewBox maps it). */
export interface Thumbnail {
  viewBox: { x: number; y: number; width: number; height: number };
  boxes: { id: string; x: number; y: number; width: number; height: number; colour: string }[];
  wires: { id: string; d: string; colour: string }[];
  frames: { id: string; x: number; y: number; width: number; height: number; colour: string; kind: 'zone' | 'group' }[];
}

const WIDTH = 240;
const PAD = 24;
const MARGIN = 40;

/** A node's box as the canvas roughly draws it: a header, a row per port, room for params. */
function boxSize(registry: Registry, type: string): { width: number; height: number } {
  const def = registry.get(type);
  if (!def) return { width: WIDTH, height: 90 };
  const params = Object.keys(def.params.shape).length;
  return { width: WIDTH, height: 36 + 22 * (def.inputs.length + def.outputs.length) + 40 * params };
}

/** Lays out a small picture of a graph from its node positions: boxes, wires, zone/group frames. */
export function graphThumbnail(graph: Graph, registry: Registry): Thumbnail {
  const boxes: Thumbnail['boxes'] = [];
  const byId = new Map<string, Thumbnail['boxes'][number]>();
  for (const n of graph.nodes) {
    const def = registry.get(n.type);
    const size = boxSize(registry, n.type);
    const box = { id: n.id, x: n.position.x, y: n.position.y, ...size, colour: n.colour ?? (def ? categoryColour(def.category) : '#6b7280') };
    boxes.push(box);
    byId.set(n.id, box);
  }
  const wires: Thumbnail['wires'] = [];
  for (const e of graph.edges) {
    const a = byId.get(e.from.node);
    const b = byId.get(e.to.node);
    if (!a || !b) continue;
    const x1 = a.x + a.width;
    const y1 = a.y + Math.min(a.height / 2, 40);
    const x2 = b.x;
    const y2 = b.y + Math.min(b.height / 2, 40);
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    wires.push({ id: e.id, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, colour: a.colour });
  }
  const frames: Thumbnail['frames'] = [];
  const frame = (kind: 'zone' | 'group', id: string, members: readonly string[], colour: string) => {
    const inside = members.map((m) => byId.get(m)).filter((b) => b !== undefined);
    if (!inside.length) return;
    const r = bounds(inside);
    frames.push({ id: `${kind}/${id}`, kind, colour, x: r.minX - PAD, y: r.minY - PAD - 20, width: r.maxX - r.minX + 2 * PAD, height: r.maxY - r.minY + 2 * PAD + 20 });
  };
  for (const z of graph.zones) frame('zone', z.id, [z.inputNode, z.outputNode, ...z.nodes], z.colour ?? '#a070e8');
  for (const g of graph.groups) frame('group', g.id, g.nodes, g.colour ?? '#6b7280');
  const all = [...boxes, ...frames];
  if (!all.length) return { viewBox: { x: 0, y: 0, width: 400, height: 240 }, boxes, wires, frames };
  const r = bounds(all);
  return { viewBox: { x: r.minX - MARGIN, y: r.minY - MARGIN, width: r.maxX - r.minX + 2 * MARGIN, height: r.maxY - r.minY + 2 * MARGIN }, boxes, wires, frames };
}

function bounds(rects: readonly { x: number; y: number; width: number; height: number }[]) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const r of rects) {
    minX = Math.min(minX, r.x);
    minY = Math.min(minY, r.y);
    maxX = Math.max(maxX, r.x + r.width);
    maxY = Math.max(maxY, r.y + r.height);
  }
  return { minX, minY, maxX, maxY };
}
