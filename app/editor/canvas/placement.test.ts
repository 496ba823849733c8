import { describe, expect, it } from 'vitest';
import { besideSelection, clampInto, estimateSize, freeSpot, PLACE_GAP, type Box } from './placement';
import { placeCompletion } from './completeGraph';
import { planCompletion } from '@/engine/graph/complete';
import { History } from '@/engine/commands/history';
import { addNode } from '@/engine/commands/commands';
import { emptyGraph } from '@/engine/graph/document';
import { registry } from '@/nodes';

const size = { w: 240, h: 160 };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('freeSpot', () => {
  it('keeps the wanted spot when it is free', () => {
    expect(freeSpot({ x: 10, y: 20 }, size, [{ x: 1000, y: 1000, w: 240, h: 160 }])).toEqual({ x: 10, y: 20 });
  });

  it('moves off a node, keeping the gap, to the nearest free spot', () => {
    const others = [{ x: 0, y: 0, w: 240, h: 160 }];
    const p = freeSpot({ x: 0, y: 0 }, size, others);
    const box = { ...p, ...size };
    expect(overlaps(box, { x: -PLACE_GAP, y: -PLACE_GAP, w: 240 + 2 * PLACE_GAP, h: 160 + 2 * PLACE_GAP })).toBe(false);
    // Nearest: below or above the node (160 + gap away) rather than beside it (240 + gap away).
    expect(Math.abs(p.x)).toBeLessThan(50);
  });

  it('places ten nodes at one spot with none over another', () => {
    const placed: Box[] = [];
    for (let i = 0; i < 10; i++) placed.push({ ...freeSpot({ x: 100, y: 100 }, size, placed), ...size });
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i], placed[j])).toBe(false);
  });

  it('stays inside the view when the view has room, and leaves it only when it has none', () => {
    const view = { x: 0, y: 0, w: 600, h: 400 };
    const p = freeSpot({ x: -500, y: 50 }, size, [], view);
    expect(p.x).toBeGreaterThanOrEqual(0);
    const full = [{ x: 0, y: 0, w: 600, h: 400 }];
    const q = freeSpot({ x: 100, y: 100 }, size, full, view);
    expect(overlaps({ ...q, ...size }, full[0])).toBe(false);
  });

  it('answers quickly for a graph of 5,000 nodes packed around the spot', () => {
    const others: Box[] = [];
    for (let i = 0; i < 5000; i++) others.push({ x: (i % 70) * 260, y: Math.floor(i / 70) * 180, w: 240, h: 160 });
    const p = freeSpot({ x: 300, y: 300 }, size, others);
    for (const o of others) expect(overlaps({ ...p, ...size }, o)).toBe(false);
  });
});

describe('helpers', () => {
  it('clamps a box into bounds', () => {
    expect(clampInto({ x: -50, y: 900 }, size, { x: 0, y: 0, w: 1000, h: 1000 })).toEqual({ x: 0, y: 840 });
  });
  it('puts a node to the right of the selection', () => {
    expect(besideSelection([{ x: 0, y: 50, w: 240, h: 100 }, { x: 300, y: 10, w: 240, h: 100 }])).toEqual({ x: 588, y: 10 });
    expect(besideSelection([])).toBeNull();
  });
  it('estimates a taller size for a node with more to show', () => {
    const small = estimateSize({ inputs: [], outputs: [1], params: { shape: {} } });
    const big = estimateSize({ inputs: [1, 2, 3], outputs: [1], params: { shape: { a: 1, b: 2 } } });
    expect(big.h).toBeGreaterThan(small.h);
  });
});

describe('placeCompletion', () => {
  it('puts each new node left of what it feeds, clear of every other node', () => {
    const h = new History(emptyGraph());
    h.apply(addNode(registry.get('output.image')!, { x: 0, y: 0 }, 'image'));
    const plan = planCompletion(h.graph, registry);
    const existing = [{ id: 'image', x: 0, y: 0, w: 240, h: 120 }];
    const sizes = (type: string) => estimateSize(registry.get(type)!);
    const at = placeCompletion(plan, existing, sizes);
    expect(at.size).toBe(plan.nodes.length);
    const boxes = [...existing, ...plan.nodes.map((n) => ({ id: n.id, ...at.get(n.id)!, w: sizes(n.type).w, h: sizes(n.type).h }))];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.id} / ${b.id}`).toBe(false);
      }
    // The VAE Decode feeding the output sits to its left.
    const decode = plan.nodes.find((n) => n.type === 'latent.vaeDecode')!;
    expect(at.get(decode.id)!.x + sizes(decode.type).w).toBeLessThanOrEqual(0);
  });
});
