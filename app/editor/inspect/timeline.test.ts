import { describe, expect, it } from 'vitest';
import { emptyGraph } from '@/engine/graph/document';
import { buildTimeline } from './timeline';
import type { NodeRunView } from '../store';

const graph = () => {
  const g = emptyGraph('t');
  g.nodes.push(
    { id: 'seed', type: 'values.seed', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' },
    { id: 'noise', type: 'tensor.gaussianNoise', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal', label: 'My noise' },
    { id: 'out', type: 'output.value', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' },
  );
  return g;
};

const runs = (o: Record<string, NodeRunView>) => new Map(Object.entries(o));

describe('buildTimeline', () => {
  it('puts every node of the run on one time axis, in start order, with why it ran', () => {
    const t = buildTimeline(graph(), runs({
      out: { status: 'done', startedAt: 1_000_130, ms: 20, reason: 'first run' },
      seed: { status: 'cached', startedAt: 1_000_000, ms: 0, reason: 'unchanged since the last run' },
      noise: { status: 'done', startedAt: 1_000_010, ms: 100, reason: "param 'seed' changed", backend: 'wasm' },
    }));
    expect(t.rows.map((r) => [r.id, r.start, r.ms])).toEqual([
      ['seed', 0, 0],
      ['noise', 10, 100],
      ['out', 130, 20],
    ]);
    expect(t.rows[0]).toMatchObject({ cached: true, reason: 'unchanged since the last run', label: 'Seed' });
    expect(t.rows[1]).toMatchObject({ cached: false, backend: 'wasm', reason: "param 'seed' changed", label: 'My noise' });
    expect(t.total).toBe(150);
  });

  it('a running node grows until now; a skipped one has no bar but keeps its reason', () => {
    const t = buildTimeline(
      graph(),
      runs({
        noise: { status: 'running', startedAt: 5000, reason: 'first run' },
        out: { status: 'skipped', reason: "input 'value' comes from 'noise' which failed" },
      }),
      5400,
    );
    expect(t.rows[0]).toMatchObject({ id: 'noise', start: 0, ms: 400 });
    expect(t.rows[1]).toMatchObject({ id: 'out', reason: "input 'value' comes from 'noise' which failed" });
    expect(t.rows[1].start).toBeUndefined();
    expect(t.total).toBe(400);
  });

  it('a failed node shows its error as the reason', () => {
    const t = buildTimeline(graph(), runs({ noise: { status: 'error', startedAt: 1, ms: 3, message: 'shape too large', reason: 'first run' } }));
    expect(t.rows[0].reason).toBe('shape too large');
  });

  it('tells nodes with the same title apart by their ids', () => {
    const g = graph();
    g.nodes.push({ id: 'seed-2', type: 'values.seed', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' });
    const t = buildTimeline(g, runs({ seed: { status: 'done', startedAt: 1, ms: 1 }, 'seed-2': { status: 'done', startedAt: 2, ms: 1 }, noise: { status: 'done', startedAt: 3, ms: 1 } }));
    expect(t.rows.map((r) => r.label)).toEqual(['Seed · seed', 'Seed · seed-2', 'My noise']);
  });
});
