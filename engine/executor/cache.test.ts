import { describe, expect, it } from 'vitest';
import { ExecutionCache } from './cache';
import { GraphBuilder, fakeTensor, madeTensors, run, setMode, setParam, statuses, type FakeTensor } from './test-utils';

/** a → double → plus → out, and b → other → out2 on a separate branch. */
function chain() {
  return new GraphBuilder()
    .number('a', 3)
    .arith('double', 'multiply', 'a.value', 2)
    .arith('plus', 'add', 'double.result', 1)
    .output('out', 'plus.result')
    .number('b', 10)
    .arith('other', 'add', 'b.value', 5)
    .output('out2', 'other.result')
    .build();
}

describe('caching', () => {
  it('reuses every node of an unchanged graph', async () => {
    const cache = new ExecutionCache();
    await run(chain(), { cache });
    const { report, started, events } = await run(chain(), { cache });
    expect(started).toEqual([]);
    expect([...report.nodes.values()].every((n) => n.status === 'cached' && n.reason === 'unchanged since the last run')).toBe(true);
    expect(events.filter((e) => e.type === 'cached').length).toBe(7);
    expect(Object.fromEntries(report.outputs)).toEqual({ out: { value: 7 }, out2: { value: 15 } });
  });

  it('after a param edit only that node and its descendants run, saying why', async () => {
    const cache = new ExecutionCache();
    const g = chain();
    await run(g, { cache });
    const { report, started } = await run(setParam(g, 'double', 'b', 4), { cache });
    expect(started.sort()).toEqual(['double', 'out', 'plus']);
    expect(report.nodes.get('double')!.reason).toBe("param 'b' changed");
    expect(report.nodes.get('plus')!.reason).toBe("input 'a' changed");
    expect(report.nodes.get('out')!.reason).toBe("input 'value' changed");
    expect(statuses(report)).toMatchObject({ a: 'cached', b: 'cached', other: 'cached', out2: 'cached' });
    expect(report.outputs.get('out')!).toEqual({ value: 13 });
  });

  it('reverting an edit re-runs the node (the cache keeps one entry per node)', async () => {
    const cache = new ExecutionCache();
    const g = chain();
    await run(g, { cache });
    const edited = await run(setParam(g, 'a', 'value', 4), { cache });
    expect(edited.report.nodes.get('a')!.reason).toBe("param 'value' changed");
    // Going back to the first value is a change again (the cache keeps one entry per node).
    const back = await run(g, { cache });
    expect(back.report.nodes.get('a')!.reason).toBe("param 'value' changed");
    expect(back.report.outputs.get('out')!).toEqual({ value: 7 });
  });

  it('param key order does not matter', async () => {
    const cache = new ExecutionCache();
    const g = chain();
    await run(g, { cache });
    const reordered = structuredClone(g);
    const node = reordered.nodes.find((n) => n.id === 'double')!;
    node.params = { b: node.params.b, operation: node.params.operation };
    const { started } = await run(reordered, { cache });
    expect(started).toEqual([]);
  });

  it('names mode, type version and earlier failure as reasons', async () => {
    const cache = new ExecutionCache();
    const g = chain();
    await run(g, { cache });
    const bypassed = await run(setMode(g, 'double', 'bypassed'), { cache });
    expect(bypassed.report.nodes.get('plus')!.reason).toBe("input 'a' changed");
    expect(bypassed.report.outputs.get('out')!).toEqual({ value: 4 });
    const versioned = structuredClone(g);
    versioned.nodes.find((n) => n.id === 'b')!.typeVersion = 2;
    const v = await run(versioned, { cache });
    expect(v.report.nodes.get('b')!.reason).toBe('type version changed');

    const failing = setParam(g, 'double', 'operation', 'divide');
    failing.nodes.find((n) => n.id === 'double')!.params.b = 0;
    const f = await run(failing, { cache });
    expect(f.report.nodes.get('double')!.status).toBe('error');
    expect(cache.lastError('double')?.code).toBe('division_by_zero');
    const again = await run(failing, { cache });
    expect(again.report.nodes.get('double')!.reason).toBe('previous run failed');
    const muted = await run(setMode(g, 'a', 'muted'), { cache });
    expect(muted.report.nodes.get('double')!.status).toBe('skipped');
    const restored = await run(g, { cache });
    expect(restored.report.nodes.get('a')!.status).toBe('cached');
    expect(restored.report.nodes.get('double')!.reason).toBe('previous run failed');
  });

  it('says when an input was connected or disconnected', async () => {
    const cache = new ExecutionCache();
    const g = new GraphBuilder().number('a', 1).number('b', 2).arith('s', 'add', 'a.value', 5).output('o', 's.result').build();
    await run(g, { cache });
    const connected = structuredClone(g);
    connected.edges.push({ id: 'new', from: { node: 'b', port: 'value' }, to: { node: 's', port: 'b' } });
    const { report } = await run(connected, { cache });
    expect(report.nodes.get('s')!.reason).toBe("input 'b' connected");
    expect(report.outputs.get('o')!).toEqual({ value: 3 });
  });

  it('signatures stay the same length however deep the graph', async () => {
    const cache = new ExecutionCache();
    const b = new GraphBuilder().number('n0', 1);
    for (let i = 1; i <= 200; i++) b.arith(`n${i}`, 'add', `n${i - 1}.${i === 1 ? 'value' : 'result'}`, 1);
    b.output('o', 'n200.result');
    const { report } = await run(b.build(), { cache });
    expect(report.outputs.get('o')!).toEqual({ value: 201 });
    expect(new Set(['n0', 'n100', 'n200', 'o'].map((id) => cache.get(id)!.signature.length)).size).toBe(1);
  });

  it('prune drops entries of deleted nodes; clear empties the cache', async () => {
    const cache = new ExecutionCache();
    const g = chain();
    await run(g, { cache });
    expect(cache.size).toBe(7);
    const smaller = structuredClone(g);
    smaller.nodes = smaller.nodes.filter((n) => !['b', 'other', 'out2'].includes(n.id));
    smaller.edges = smaller.edges.filter((e) => !['b', 'other', 'out2'].includes(e.to.node));
    expect(cache.prune(smaller)).toBe(3);
    expect(cache.size).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('GPU-like values', () => {
  const tensorGraph = (value: number) =>
    new GraphBuilder()
      .add('t', 'test.tensor', { value })
      .add('slow', 'debug.slow', { milliseconds: 0, steps: 1 }, { value: 't.tensor' })
      .add('plus', 'test.tensorAdd', { b: 1 }, { tensor: 'slow.value' })
      .add('read', 'test.tensorValue', {}, { tensor: 'plus.tensor' })
      .output('o', 'read.value')
      .build();

  it('disposes a replaced cache entry exactly once, even when a pass-through node shares it', async () => {
    madeTensors.length = 0;
    const cache = new ExecutionCache();
    const first = await run(tensorGraph(1), { cache });
    expect(first.report.outputs.get('o')!).toEqual({ value: 2 });
    const [t1, plus1] = madeTensors as FakeTensor[];
    await run(tensorGraph(1), { cache });
    expect(madeTensors.length).toBe(2);
    expect(t1.disposeCount).toBe(0);
    const second = await run(tensorGraph(5), { cache });
    expect(second.report.outputs.get('o')!).toEqual({ value: 6 });
    expect(t1.disposeCount).toBe(1);
    expect(plus1.disposeCount).toBe(1);
    const [, , t2, plus2] = madeTensors;
    expect(t2.disposeCount).toBe(0);
    expect(plus2.disposeCount).toBe(0);
    cache.clear();
    expect(madeTensors.map((t) => t.disposeCount)).toEqual([1, 1, 1, 1]);
  });

  it('without a cache, intermediate tensors are freed at the end and reported ones kept', async () => {
    madeTensors.length = 0;
    const g = new GraphBuilder()
      .add('t', 'test.tensor', { value: 1 })
      .add('plus', 'test.tensorAdd', { b: 1 }, { tensor: 't.tensor' })
      .output('o', 'plus.tensor')
      .build();
    const { report } = await run(g);
    const [t, plus] = madeTensors;
    expect((report.outputs.get('o')!.value as FakeTensor).value).toBe(2);
    expect(t.disposeCount).toBe(1);
    expect(plus.disposeCount).toBe(0);
  });

  it('a value the cache holds twice is disposed once when both entries go', () => {
    const cache = new ExecutionCache();
    const t = fakeTensor(1);
    const fp = { kind: 'node' as const, type: 'x', typeVersion: 1, mode: 'normal', params: '{}', inputs: {} };
    cache.set('a', { signature: 's1', fingerprint: fp, outcome: 'ok', outputs: { t }, ms: 0 });
    cache.set('b', { signature: 's2', fingerprint: fp, outcome: 'ok', outputs: { list: [t, t] }, ms: 0 });
    cache.delete('a');
    expect(t.disposeCount).toBe(0);
    cache.set('b', { signature: 's3', fingerprint: fp, outcome: 'ok', outputs: { t }, ms: 0 });
    expect(t.disposeCount).toBe(0);
    cache.clear();
    expect(t.disposeCount).toBe(1);
  });
});
