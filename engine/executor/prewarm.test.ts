import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emptyGraph, type Graph } from '../graph/document';
import { defineNode, makeRegistry } from '../nodeDefinition';
import { NO_RUNTIME } from '../runtime';
import { prewarmGraph } from './prewarm';

const warmed: string[] = [];
const registry = makeRegistry([
  defineNode({
    type: 'test.warm',
    version: 1,
    title: 'Warm',
    category: 'Debug',
    description: 'Records its prewarm calls.',
    inputs: [],
    outputs: [],
    params: z.object({ source: z.string().default('a') }),
    prewarm: async ({ params }) => {
      if (params.source === 'bad') throw new Error('no such model');
      warmed.push(params.source);
    },
    run: () => ({}),
  }),
  defineNode({ type: 'test.plain', version: 1, title: 'Plain', category: 'Debug', description: 'No warm-up.', inputs: [], outputs: [], params: z.object({}), run: () => ({}) }),
]);

function graphOf(nodes: { id: string; type: string; source?: string; mode?: 'normal' | 'muted' }[]): Graph {
  const g = emptyGraph();
  return {
    ...g,
    nodes: nodes.map((n, i) => ({
      id: n.id,
      type: n.type,
      typeVersion: 1,
      position: { x: i * 100, y: 0 },
      params: n.source ? { source: n.source } : {},
      mode: n.mode ?? 'normal',
    })),
  } as Graph;
}

describe('prewarmGraph', () => {
  it('warms each distinct loader once, skips muted nodes and survives a failing hook', async () => {
    warmed.length = 0;
    const g = graphOf([
      { id: 'p1', type: 'test.warm', source: 'a' },
      { id: 'p2', type: 'test.warm', source: 'a' },
      { id: 'p3', type: 'test.warm', source: 'b' },
      { id: 'p4', type: 'test.warm', source: 'c', mode: 'muted' },
      { id: 'p5', type: 'test.warm', source: 'bad' },
      { id: 'x', type: 'test.plain' },
    ]);
    const n = await prewarmGraph(g, { registry, runtime: NO_RUNTIME, signal: new AbortController().signal });
    expect(warmed).toEqual(['a', 'b']);
    expect(n).toBe(2);
  });

  it('does nothing once aborted', async () => {
    warmed.length = 0;
    const c = new AbortController();
    c.abort();
    const n = await prewarmGraph(graphOf([{ id: 'p1', type: 'test.warm', source: 'a' }]), { registry, runtime: NO_RUNTIME, signal: c.signal });
    expect(n).toBe(0);
    expect(warmed).toEqual([]);
  });
});
