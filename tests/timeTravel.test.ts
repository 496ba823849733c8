import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { produce } from 'immer';
import { parseGraphText } from '@/engine/graph/parse';
import { runGraph, ExecutionCache, TrajectoryStore, type RunEvent, type RunOptions } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import type { ImageValue } from '@/engine/values';
import { registry } from '@/nodes';
import { createNodeRuntime } from '@/bin/nodeRuntime';

/** An example graph with a given scheduler and step count. */
function example(name: string, scheduler: string, steps: number): Graph {
  const r = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return produce(r.value, (g) => {
    const s = g.nodes.find((n) => n.type === 'sampling.scheduler')!;
    s.params.steps = steps;
    s.params.scheduler = scheduler;
    const loop = g.nodes.find((n) => n.type === 'flow.repeatInput');
    if (loop) loop.params.iterations = steps;
  });
}

async function runOnce(graph: Graph, options: Partial<RunOptions>) {
  const events: RunEvent[] = [];
  const report = await runGraph(graph, { registry, ...options, onEvent: (e) => events.push(e) });
  expect(report.status, JSON.stringify([...report.nodes.values()].filter((n) => n.error))).toBe('ok');
  return { image: report.outputs.get('image')!.image as ImageValue, report, computed: events.flatMap((e) => (e.type === 'step' && !e.replayed ? [e.step] : [])) };
}

describe('continue from a kept step (real shapes-v1 models, CPU)', () => {
  for (const [example_, loop] of [['text-to-image-sampler', 'sampler'], ['text-to-image', 'loop-out']] as const) {
    for (const scheduler of example_ === 'text-to-image' ? ['euler'] : ['euler', 'dpmpp-2m', 'euler-ancestral']) {
      it(`${example_} with ${scheduler}: continuing from step 3 of 6 reproduces the full run's pixels`, async () => {
        const runtime = await createNodeRuntime({ backend: 'cpu' });
        const options = { runtime, cache: new ExecutionCache(), trajectories: new TrajectoryStore() };
        const g = example(example_, scheduler, 6);
        const full = await runOnce(g, options);
        expect(full.computed).toEqual([0, 1, 2, 3, 4, 5, 6]);
        const cont = await runOnce(g, { ...options, resume: { nodeId: loop, step: 3 } });
        expect(cont.computed).toEqual([4, 5, 6]);
        expect(cont.report.nodes.get(loop)!.reason).toBe('continued from the kept step 3: runs steps 4–6 of 6');
        expect(cont.report.nodes.get('decode')!.status).toBe('done');
        expect(Buffer.from(cont.image.data).equals(Buffer.from(full.image.data))).toBe(true);
      });
    }
  }

  it('continuing after a guidance change differs from the full run, and showing step 0 decodes the noise', async () => {
    const runtime = await createNodeRuntime({ backend: 'cpu' });
    const options = { runtime, cache: new ExecutionCache(), trajectories: new TrajectoryStore() };
    const g = example('text-to-image-sampler', 'euler', 4);
    const full = await runOnce(g, options);
    const edited = produce(g, (d) => {
      d.nodes.find((n) => n.id === 'sampler')!.params.guidance = 1;
    });
    const cont = await runOnce(edited, { ...options, resume: { nodeId: 'sampler', step: 2 } });
    expect(cont.computed).toEqual([3, 4]);
    expect(Buffer.from(cont.image.data).equals(Buffer.from(full.image.data))).toBe(false);
    const shown = await runOnce(g, { ...options, resume: { nodeId: 'sampler', step: 0, show: true } });
    expect(shown.computed).toEqual([]);
    expect(Buffer.from(shown.image.data).equals(Buffer.from(full.image.data))).toBe(false);
  });
});
