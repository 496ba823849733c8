import { describe, expect, it } from 'vitest';
import { History } from '@/engine/commands/history';
import { parseGraph } from '@/engine/graph/parse';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import textToImage from '@/examples/text-to-image.json';
import { autoLayout, autoLayoutCommand, type Size } from './autoLayout';

const SIZE: Size = { width: 240, height: 120 };

function chain(): Graph {
  // Three nodes in a line, scrambled: c far left, a far right.
  const node = (id: string, x: number, y: number) => ({ id, type: 'values.number', typeVersion: 1, position: { x, y }, params: {}, mode: 'normal' as const });
  return {
    schemaVersion: 1,
    metadata: { title: 'messy' },
    nodes: [node('a', 900, 500), node('b', 100, 900), node('c', -400, 20), node('d', 300, 300)],
    edges: [
      { id: 'e1', from: { node: 'a', port: 'value' }, to: { node: 'b', port: 'x' } },
      { id: 'e2', from: { node: 'b', port: 'value' }, to: { node: 'c', port: 'x' } },
    ],
    zones: [],
    groups: [{ id: 'group-1', title: 'pair', nodes: ['b', 'd'] }],
  };
}

const overlaps = (a: { x: number; y: number }, b: { x: number; y: number }, s: Size) =>
  a.x < b.x + s.width && b.x < a.x + s.width && a.y < b.y + s.height && b.y < a.y + s.height;

describe('autoLayout', () => {
  it('places nodes left to right along the wires without overlaps', () => {
    const g = chain();
    const moves = autoLayout(g, new Map(g.nodes.map((n) => [n.id, SIZE])));
    const at = new Map(moves.map((m) => [m.id, m.position]));
    expect(at.get('a')!.x).toBeLessThan(at.get('b')!.x);
    expect(at.get('b')!.x).toBeLessThan(at.get('c')!.x);
    const ps = [...at.values()];
    for (let i = 0; i < ps.length; i++) for (let j = i + 1; j < ps.length; j++) expect(overlaps(ps[i], ps[j], SIZE)).toBe(false);
    // Anchored at the old top-left corner.
    expect(Math.min(...ps.map((p) => p.x))).toBe(-400);
    expect(Math.min(...ps.map((p) => p.y))).toBe(20);
  });

  it('keeps a zone together and nothing else inside its frame', () => {
    const r = parseGraph(textToImage, registry);
    if (!r.ok) throw new Error('example broken');
    const g = r.value;
    const zone = g.zones[0];
    const members = new Set([zone.inputNode, zone.outputNode, ...zone.nodes]);
    const at = new Map(autoLayout(g, new Map()).map((m) => [m.id, m.position]));
    const inside = [...members].map((id) => at.get(id)!);
    const box = {
      minX: Math.min(...inside.map((p) => p.x)),
      maxX: Math.max(...inside.map((p) => p.x + 240)),
      minY: Math.min(...inside.map((p) => p.y)),
      maxY: Math.max(...inside.map((p) => p.y + 140)),
    };
    for (const n of g.nodes) {
      if (members.has(n.id)) continue;
      const p = at.get(n.id)!;
      const within = p.x + 240 > box.minX && p.x < box.maxX && p.y + 140 > box.minY && p.y < box.maxY;
      expect(within, `${n.id} lies inside the zone's frame`).toBe(false);
    }
  });

  it('is one undoable history entry', () => {
    const g = chain();
    const h = new History(g);
    expect(h.apply(autoLayoutCommand(g, new Map()))).toBe(true);
    expect(h.undoName).toBe('Auto-layout');
    expect(h.graph.nodes.find((n) => n.id === 'a')!.position).not.toEqual({ x: 900, y: 500 });
    h.undo();
    expect(h.graph).toEqual(g);
  });
});
