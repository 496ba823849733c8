import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fitViewport, openingView, READABLE_ZOOM, START_ZOOM } from './openingView';

const row = (n: number, gap = 300) => ({ nodes: Array.from({ length: n }, (_, i) => ({ position: { x: i * gap, y: 0 } })) });

describe('openingView', () => {
  it('shows a graph whole when the whole is readable', () => {
    const v = openingView(row(3), 800, 600, 300);
    expect(v.partial).toBe(false);
    expect(v.viewport).toEqual(fitViewport(row(3), 800, 600));
    expect(v.viewport.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
  });

  it('opens a wide graph readable on its leftmost nodes', () => {
    const g = { nodes: [{ position: { x: 100, y: 400 } }, { position: { x: 150, y: 700 } }, ...row(12).nodes.map((n) => ({ position: { x: n.position.x + 900, y: 0 } }))] };
    const v = openingView(g, 800, 600, 300);
    expect(v.partial).toBe(true);
    expect(v.viewport.zoom).toBe(START_ZOOM);
    // The leftmost node is on screen near the left edge, and so is the one below it.
    const screen = (p: { x: number; y: number }) => ({ x: p.x * v.viewport.zoom + v.viewport.x, y: p.y * v.viewport.zoom + v.viewport.y });
    for (const p of [g.nodes[0].position, g.nodes[1].position]) {
      const s = screen(p);
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.x).toBeLessThan(200);
      expect(s.y).toBeGreaterThanOrEqual(0);
      expect(s.y + 160 * START_ZOOM).toBeLessThanOrEqual(600);
    }
  });

  it('leaves a big graph to its overview', () => {
    expect(openingView(row(400), 800, 600, 300).partial).toBe(false);
  });

  it('opens the first-visit graph at 1280×720 readable rather than fitted tiny', () => {
    const g = JSON.parse(readFileSync('examples/text-to-image.json', 'utf8')) as { nodes: { position: { x: number; y: number } }[] };
    // The canvas at 1280×720: the window less the palette, the inspector and the top bar.
    expect(fitViewport(g, 800, 678).zoom).toBeLessThan(READABLE_ZOOM);
    expect(openingView(g, 800, 678, 300).viewport.zoom).toBe(START_ZOOM);
  });
});
