import { describe, expect, it } from 'vitest';
import { ExecutionCache } from './cache';
import { GraphBuilder, madeTensors, run, setParam, statuses } from './test-utils';
import type { RunEvent } from './types';

/** x starts at 1; each of `iterations` iterations computes x*2 + index. */
function doubling(iterations: number, extra?: (b: GraphBuilder) => void) {
  const b = new GraphBuilder()
    .number('x0', 1)
    .add('in', 'flow.repeatInput', { iterations }, { x: 'x0.value' })
    .arith('mul', 'multiply', 'in.x', 2)
    .arith('add', 'add', 'mul.result', 'in.index')
    .add('out', 'flow.repeatOutput', {}, { x: 'add.result' })
    .output('result', 'out.x')
    .zone('loop', 'in', 'out', ['mul', 'add'], [{ name: 'x', type: 'number' }]);
  extra?.(b);
  return b.build();
}

const of = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

describe('repeat zones', () => {
  it('carries a value through the iterations', async () => {
    const { report, events } = await run(doubling(5));
    expect(report.status).toBe('ok');
    expect(report.outputs.get('result')!).toEqual({ value: 58 }); // 1 → 2 → 5 → 12 → 27 → 58
    expect(of(events, 'iteration').map((e) => [e.index, e.count])).toEqual([[0, 5], [1, 5], [2, 5], [3, 5], [4, 5]]);
    expect(of(events, 'progress').filter((e) => e.nodeId === 'out').map((e) => e.fraction)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(of(events, 'started').filter((e) => e.nodeId === 'mul').map((e) => e.iteration)).toEqual([0, 1, 2, 3, 4]);
    expect(of(events, 'done').filter((e) => e.nodeId === 'add').length).toBe(5);
    expect(statuses(report)).toMatchObject({ in: 'done', mul: 'done', add: 'done', out: 'done', result: 'done' });
  });

  it('takes the iteration count from its input when connected', async () => {
    const g = doubling(5, (b) => b.add('n', 'values.integer', { value: 3 }).connect('n.value', 'in.iterations'));
    const { report } = await run(g);
    expect(report.outputs.get('result')!).toEqual({ value: 12 });
  });

  it('with zero iterations the starting values pass through', async () => {
    const { report, started } = await run(doubling(0));
    expect(report.outputs.get('result')!).toEqual({ value: 1 });
    expect(started).not.toContain('mul');
    expect(report.nodes.get('mul')!).toMatchObject({ status: 'skipped', reason: 'the repeat zone ran 0 iterations' });
  });

  it('feeds the final value to nodes after the zone', async () => {
    const g = doubling(2, (b) => b.arith('after', 'add', 'out.x', 100).output('r2', 'after.result'));
    const { report } = await run(g);
    expect(report.outputs.get('r2')!).toEqual({ value: 105 });
  });

  it('computes a loop-invariant body node once', async () => {
    const g = new GraphBuilder()
      .number('x0', 0)
      .number('c', 10)
      .add('in', 'flow.repeatInput', { iterations: 4 }, { x: 'x0.value' })
      .arith('inv', 'multiply', 'c.value', 3)
      .arith('acc', 'add', 'in.x', 'inv.result')
      .add('out', 'flow.repeatOutput', {}, { x: 'acc.result' })
      .output('result', 'out.x')
      .zone('loop', 'in', 'out', ['inv', 'acc'], [{ name: 'x', type: 'number' }])
      .build();
    const { report, started } = await run(g);
    expect(report.outputs.get('result')!).toEqual({ value: 120 });
    expect(started.filter((id) => id === 'inv').length).toBe(1);
    expect(started.filter((id) => id === 'acc').length).toBe(4);
  });

  it('reuses the whole zone when nothing in it changed, and says what did', async () => {
    const cache = new ExecutionCache();
    const g = doubling(5);
    await run(g, { cache });
    const again = await run(g, { cache });
    expect(again.started).toEqual([]);
    expect(of(again.events, 'iteration')).toEqual([]);
    expect(statuses(again.report)).toMatchObject({ in: 'cached', mul: 'cached', add: 'cached', out: 'cached', result: 'cached' });
    expect(again.report.outputs.get('result')!).toEqual({ value: 58 });

    const edited = await run(setParam(g, 'mul', 'b', 3), { cache });
    expect(edited.report.nodes.get('mul')!.reason).toBe("'mul' in the zone: param 'b' changed");
    expect(edited.report.nodes.get('result')!.reason).toBe("input 'value' changed");
    expect(edited.report.outputs.get('result')!).toEqual({ value: 1 * 3 ** 5 + (0 * 81 + 1 * 27 + 2 * 9 + 3 * 3 + 4) });

    const g6 = setParam(g, 'in', 'iterations', 6);
    const moreIterations = await run(g6, { cache });
    expect(moreIterations.report.nodes.get('in')!.reason).toBe("'in' in the zone: param 'iterations' changed");
    expect(moreIterations.report.outputs.get('result')!).toEqual({ value: 58 * 2 + 5 });

    const newStart = await run(setParam(g6, 'x0', 'value', 2), { cache });
    expect(newStart.report.nodes.get('out')!.reason).toBe("'in' in the zone: input 'x' changed");
  });

  it('reports the last-iteration value of a target inside the zone', async () => {
    const { report } = await run(doubling(5), { targets: ['mul'] });
    expect(Object.fromEntries(report.outputs)).toEqual({ mul: { result: 54 } });
    expect(report.nodes.get('result')!).toBeUndefined();
  });

  it('a failing body node stops the zone and skips what follows', async () => {
    const g = new GraphBuilder()
      .number('x0', 12)
      .add('in', 'flow.repeatInput', { iterations: 5 }, { x: 'x0.value' })
      .arith('sub', 'subtract', 'in.index', 2)
      .arith('div', 'divide', 'in.x', 'sub.result')
      .add('out', 'flow.repeatOutput', {}, { x: 'div.result' })
      .output('result', 'out.x')
      .number('other', 4)
      .output('result2', 'other.value')
      .zone('loop', 'in', 'out', ['sub', 'div'], [{ name: 'x', type: 'number' }])
      .build();
    const { report, events } = await run(g);
    expect(report.status).toBe('error');
    expect(report.nodes.get('div')!.error?.code).toBe('division_by_zero');
    expect(of(events, 'iteration').length).toBe(3);
    expect(report.nodes.get('out')!.status).toBe('skipped');
    expect(report.nodes.get('result')!).toMatchObject({ status: 'skipped', reason: "input 'value' comes from 'out' which was skipped" });
    expect(report.outputs.get('result2')!).toEqual({ value: 4 });
  });

  it('cancels mid-loop promptly, keeps nothing, and the next run re-runs the zone', async () => {
    const cache = new ExecutionCache();
    const g = new GraphBuilder()
      .number('x0', 1)
      .add('in', 'flow.repeatInput', { iterations: 10 }, { x: 'x0.value' })
      .slow('wait', 40, 'in.x')
      .add('out', 'flow.repeatOutput', {}, { x: 'wait.value' })
      .output('result', 'out.x')
      .zone('loop', 'in', 'out', ['wait'], [{ name: 'x', type: 'number' }])
      .build();
    const controller = new AbortController();
    const pending = run(g, { cache, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 110));
    const t = performance.now();
    controller.abort();
    const { report, events } = await pending;
    expect(performance.now() - t).toBeLessThan(100);
    expect(report.status).toBe('cancelled');
    expect(statuses(report)).toMatchObject({ x0: 'done', in: 'cancelled', wait: 'cancelled', out: 'cancelled', result: 'cancelled' });
    const iterations = of(events, 'iteration').length;
    expect(iterations).toBeGreaterThanOrEqual(1);
    expect(iterations).toBeLessThan(10);
    await new Promise((r) => setTimeout(r, 60));
    const next = await run(setParam(g, 'wait', 'milliseconds', 1), { cache });
    expect(next.report.nodes.get('out')!.reason).toBe('previous run was cancelled');
    expect(next.report.outputs.get('result')!).toEqual({ value: 1 });
  });

  it('disposes per-iteration tensors, keeping the final one and the starting one', async () => {
    madeTensors.length = 0;
    const cache = new ExecutionCache();
    const g = new GraphBuilder()
      .add('t0', 'test.tensor', { value: 0 })
      .add('in', 'flow.repeatInput', { iterations: 4 }, { t: 't0.tensor' })
      .add('plus', 'test.tensorAdd', { b: 1 }, { tensor: 'in.t' })
      .add('out', 'flow.repeatOutput', {}, { t: 'plus.tensor' })
      .add('read', 'test.tensorValue', {}, { tensor: 'out.t' })
      .output('result', 'read.value')
      .zone('loop', 'in', 'out', ['plus'], [{ name: 't', type: 'tensor' }])
      .build();
    const { report } = await run(g, { cache });
    expect(report.outputs.get('result')!).toEqual({ value: 4 });
    expect(madeTensors.map((t) => t.value)).toEqual([0, 1, 2, 3, 4]);
    expect(madeTensors.map((t) => t.disposeCount)).toEqual([0, 1, 1, 1, 0]);
    cache.clear();
    expect(madeTensors.map((t) => t.disposeCount)).toEqual([1, 1, 1, 1, 1]);
  });

  it('frees the tensors a cancelled loop made, but not the starting value', async () => {
    madeTensors.length = 0;
    const cache = new ExecutionCache();
    const g = new GraphBuilder()
      .add('t0', 'test.tensor', { value: 0 })
      .add('in', 'flow.repeatInput', { iterations: 50 }, { t: 't0.tensor' })
      .add('plus', 'test.tensorAdd', { b: 1 }, { tensor: 'in.t' })
      .slow('wait', 20, 'plus.tensor')
      .add('out', 'flow.repeatOutput', {}, { t: 'wait.value' })
      .output('result', 'out.t')
      .zone('loop', 'in', 'out', ['plus', 'wait'], [{ name: 't', type: 'tensor' }])
      .build();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 70);
    const { report } = await run(g, { cache, signal: controller.signal });
    expect(report.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 40));
    const [start, ...made] = madeTensors;
    expect(start.disposeCount).toBe(0);
    expect(made.length).toBeGreaterThanOrEqual(1);
    expect(made.every((t) => t.disposeCount === 1)).toBe(true);
  });
});
