import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, makeRegistry } from '../nodeDefinition';
import { cpuTensor, type TensorValue } from '../values';
import { ExecutionCache } from './cache';
import { GraphBuilder, run, setParam, testRegistry } from './test-utils';
import { Trajectory, TrajectoryStore, isKeptStep } from './trajectory';
import type { RunEvent } from './types';

/** A toy denoiser: latent ← 0.9·latent + b·(index + 1), on a 1×1×2×2 latent. */
const toyNodes = [
  defineNode({
    type: 'test.latentStart',
    version: 1,
    title: 'Latent start',
    category: 'Test',
    description: 'A small latent filled with `value`.',
    inputs: [],
    outputs: [{ name: 'latent', type: 'latent' }],
    params: z.object({ value: z.number().default(1) }),
    run: ({ params }) => ({ latent: cpuTensor('float32', [1, 1, 2, 2], new Float32Array(4).fill(params.value)) }),
  }),
  defineNode({
    type: 'test.latentStep',
    version: 1,
    title: 'Latent step',
    category: 'Test',
    description: 'One toy denoising step.',
    inputs: [
      { name: 'latent', type: 'latent' },
      { name: 'step', type: 'integer' },
    ],
    outputs: [{ name: 'latent', type: 'latent' }],
    params: z.object({ b: z.number().default(1) }),
    run: async ({ inputs, params }) => {
      const x = (await (inputs.latent as TensorValue).read()) as Float32Array;
      const k = inputs.step as number;
      return { latent: cpuTensor('float32', [1, 1, 2, 2], x.map((v, i) => 0.9 * v + params.b * (k + 1) + i)) };
    },
  }),
];
const registry = makeRegistry([...testRegistry.values(), ...toyNodes]);

function toyLoop(iterations: number, preview = true) {
  return new GraphBuilder()
    .add('start', 'test.latentStart', { value: 1 })
    .add('in', 'flow.repeatInput', { iterations }, { latent: 'start.latent' })
    .add('step', 'test.latentStep', { b: 1 }, { latent: 'in.latent', step: 'in.index' })
    .add('out', 'flow.repeatOutput', preview ? {} : { preview: false }, { latent: 'step.latent' })
    .output('result', 'out.latent')
    .zone('loop', 'in', 'out', ['step'], [{ name: 'latent', type: 'latent' }])
    .build();
}

/** The toy loop computed by hand, with `b` switched to `b2` from step `switchAt`. */
function expected(iterations: number, b = 1, switchAt = iterations, b2 = b): number[] {
  let x = [1, 1, 1, 1];
  for (let k = 0; k < iterations; k++) x = x.map((v, i) => Math.fround(0.9 * v + (k < switchAt ? b : b2) * (k + 1) + i));
  return x;
}

const values = async (v: unknown) => Array.from((await (v as TensorValue).read()) as Float32Array);
const stepEvents = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'step' }> => e.type === 'step');
const picture = () => ({ kind: 'image' as const, width: 1, height: 1, data: new Uint8ClampedArray(4) });

describe('denoising time travel', () => {
  it('a zone carrying a latent keeps every step, the start and the result, each with a preview', async () => {
    const trajectories = new TrajectoryStore({ preview: picture });
    const { report, events } = await run(toyLoop(6), { registry, trajectories });
    expect(report.status).toBe('ok');
    const t = trajectories.get('out')!;
    expect([...t.steps.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await values(t.steps.get(0)!.values.latent)).toEqual([1, 1, 1, 1]);
    expect(await values(t.steps.get(6)!.values.latent)).toEqual(await values(report.outputs.get('result')!.value));
    const steps = stepEvents(events);
    expect(steps.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(steps.every((e) => e.preview && e.count === 6 && !e.replayed)).toBe(true);
  });

  it('with "Preview and keep every step" off a zone keeps nothing and shows no step, with the same result', async () => {
    const trajectories = new TrajectoryStore({ preview: picture });
    const { report, events } = await run(toyLoop(6, false), { registry, trajectories });
    expect(report.status).toBe('ok');
    expect(trajectories.get('out')).toBeUndefined();
    expect(stepEvents(events)).toEqual([]);
    expect(await values(report.outputs.get('result')!.value)).toEqual(expected(6));
  });

  it('continuing from step k when nothing changed gives the full run’s result, running only the rest', async () => {
    const trajectories = new TrajectoryStore();
    const cache = new ExecutionCache();
    const g = toyLoop(8);
    const full = await run(g, { registry, trajectories, cache });
    const fullResult = await values(full.report.outputs.get('result')!.value);
    const cont = await run(g, { registry, trajectories, cache, resume: { nodeId: 'out', step: 5 } });
    expect(cont.report.status).toBe('ok');
    expect(await values(cont.report.outputs.get('result')!.value)).toEqual(fullResult);
    expect(cont.events.filter((e) => e.type === 'started' && e.nodeId === 'step').length).toBe(3);
    expect(cont.report.nodes.get('out')!.reason).toBe('continued from the kept step 5: runs steps 6–8 of 8');
    // Steps 0..5 are replayed from the last run; 6..8 are new.
    const steps = stepEvents(cont.events);
    expect(steps.filter((e) => e.replayed).map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps.filter((e) => !e.replayed).map((e) => e.step)).toEqual([6, 7, 8]);
    expect(steps.every((e) => e.from === 5)).toBe(true);
    // The next plain run starts over, and says why.
    const again = await run(g, { registry, trajectories, cache });
    expect(again.report.nodes.get('out')!.reason).toBe('the last run continued from step 5; this one runs every step');
    expect(again.events.filter((e) => e.type === 'started' && e.nodeId === 'step').length).toBe(8);
  });

  it('continuing after an edit runs the remaining steps with the new value', async () => {
    const trajectories = new TrajectoryStore();
    const cache = new ExecutionCache();
    await run(toyLoop(6), { registry, trajectories, cache });
    const edited = setParam(toyLoop(6), 'step', 'b', 3);
    const cont = await run(edited, { registry, trajectories, cache, resume: { nodeId: 'out', step: 2 } });
    expect(await values(cont.report.outputs.get('result')!.value)).toEqual(expected(6, 1, 2, 3));
    expect(expected(6, 1, 2, 3)).not.toEqual(expected(6, 3));
  });

  it('showing a kept step hands on its values and leaves the full run cached', async () => {
    const trajectories = new TrajectoryStore();
    const cache = new ExecutionCache();
    const g = toyLoop(5);
    const full = await run(g, { registry, trajectories, cache });
    const shown = await run(g, { registry, trajectories, cache, resume: { nodeId: 'out', step: 2, show: true } });
    expect(await values(shown.report.outputs.get('result')!.value)).toEqual(expected(2));
    expect(shown.events.filter((e) => e.type === 'started' && e.nodeId === 'step')).toEqual([]);
    expect(shown.report.nodes.get('out')!.reason).toBe('shows the kept step 2 of 5 (no step runs)');
    const again = await run(g, { registry, trajectories, cache });
    expect(again.report.nodes.get('out')!.status).toBe('cached');
    expect(await values(again.report.outputs.get('result')!.value)).toEqual(await values(full.report.outputs.get('result')!.value));
    // A cached loop sends its kept steps again, so the scrubber survives a re-run.
    expect(stepEvents(again.events).map((e) => [e.step, e.replayed])).toEqual([0, 1, 2, 3, 4, 5].map((s) => [s, true]));
  });

  it('a step that is not kept is an error that says which are', async () => {
    const trajectories = new TrajectoryStore();
    const none = await run(toyLoop(3), { registry, trajectories, resume: { nodeId: 'out', step: 1 } });
    expect(none.report.nodes.get('out')!.error).toEqual({ code: 'step_not_kept', message: "'out' has no kept steps to start from: run the graph first" });
    await run(toyLoop(3), { registry, trajectories });
    const far = await run(toyLoop(3), { registry, trajectories, resume: { nodeId: 'out', step: 9 } });
    expect(far.report.nodes.get('out')!.error?.message).toBe("step 9 of 'out' is not kept; the last run kept steps 0, 1, 2, 3");
  });

  it('keeps within its bound by thinning evenly, always keeping the start and the newest step', async () => {
    const trajectories = new TrajectoryStore({ limits: { maxSteps: 8 } });
    await run(toyLoop(20), { registry, trajectories });
    const t = trajectories.get('out')!;
    expect(t.steps.size).toBeLessThanOrEqual(8);
    expect([...t.steps.keys()].sort((a, b) => a - b)).toEqual([0, 4, 8, 12, 16, 20]);
    const bytes = new Trajectory('x', '', 100, 0, { maxSteps: 1000, maxBytes: 1000, maxLoops: 1 });
    for (let s = 0; s <= 100; s++) bytes.add({ step: s, values: {}, bytes: 64 });
    expect(bytes.bytes).toBeLessThanOrEqual(1000);
    expect(bytes.steps.has(0) && bytes.steps.has(100)).toBe(true);
    expect(isKeptStep(12, 4, 99) && isKeptStep(99, 4, 99) && !isKeptStep(13, 4, 99)).toBe(true);
  });

  it('keeps the most recent loops only, and forgets loops whose node is gone', async () => {
    const store = new TrajectoryStore({ limits: { maxLoops: 2 } });
    for (const id of ['a', 'b', 'c']) store.begin(id, '', 1);
    expect(store.get('a')).toBeUndefined();
    expect(store.get('c')).toBeDefined();
    store.prune({ nodes: [] });
    expect(store.get('b')).toBeUndefined();
  });

  it('a loop of plain numbers keeps nothing (only latents are denoising steps)', async () => {
    const trajectories = new TrajectoryStore();
    const g = new GraphBuilder()
      .number('x0', 1)
      .add('in', 'flow.repeatInput', { iterations: 3 }, { x: 'x0.value' })
      .arith('add', 'add', 'in.x', 1)
      .add('out', 'flow.repeatOutput', {}, { x: 'add.result' })
      .output('result', 'out.x')
      .zone('loop', 'in', 'out', ['add'], [{ name: 'x', type: 'number' }])
      .build();
    const { events } = await run(g, { trajectories });
    expect(stepEvents(events)).toEqual([]);
    expect(trajectories.get('out')).toBeUndefined();
  });
});
