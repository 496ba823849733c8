import { describe, expect, it } from 'vitest';
import { ExecutionCache } from './cache';
import { runGraph } from './run';
import { GraphBuilder, run, statuses, testRegistry } from './test-utils';
import type { RunEvent } from './types';

/** a=2, b=3 → sum=a+b → out; c=10 → lonely (an output on another branch). */
function twoBranches() {
  return new GraphBuilder()
    .number('a', 2)
    .number('b', 3)
    .arith('sum', 'add', 'a.value', 'b.value')
    .output('out', 'sum.result')
    .number('c', 10)
    .arith('c2', 'multiply', 'c.value', 2)
    .output('out2', 'c2.result')
    .build();
}

describe('runGraph: order and targets', () => {
  it('runs every output and reports its value', async () => {
    const { report, events } = await run(twoBranches());
    expect(report.status).toBe('ok');
    expect(Object.fromEntries(report.outputs)).toEqual({ out: { value: 5 }, out2: { value: 20 } });
    expect(events[0].type).toBe('queued');
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'ok' });
    expect([...report.nodes.values()].every((n) => n.status === 'done' && n.reason === 'first run')).toBe(true);
  });

  it('runs each node after its inputs', async () => {
    const { started } = await run(twoBranches());
    expect(started.indexOf('sum')).toBeGreaterThan(started.indexOf('a'));
    expect(started.indexOf('sum')).toBeGreaterThan(started.indexOf('b'));
    expect(started.indexOf('out')).toBeGreaterThan(started.indexOf('sum'));
  });

  it('runs only the ancestors of the targets', async () => {
    const { report, started, events } = await run(twoBranches(), { targets: ['sum'] });
    expect(started.sort()).toEqual(['a', 'b', 'sum']);
    expect([...report.nodes.keys()].sort()).toEqual(['a', 'b', 'sum']);
    expect(events.filter((e) => e.type === 'queued').length).toBe(3);
    expect(Object.fromEntries(report.outputs)).toEqual({ sum: { result: 5 } });
  });

  it('refuses a target that is not in the graph', async () => {
    const { report } = await run(twoBranches(), { targets: ['nope'] });
    expect(report.status).toBe('invalid');
    expect(report.issues?.[0]).toMatchObject({ code: 'unknown_target' });
  });

  it('reports a cycle instead of hanging', async () => {
    const g = new GraphBuilder().arith('x', 'add', 'y.result', 1).arith('y', 'add', 'x.result', 1).output('o', 'y.result').build();
    const { report } = await run(g);
    expect(report.status).toBe('invalid');
    expect(report.issues?.[0].code).toBe('cycle');
    expect(report.issues?.[0].message).toMatch(/'x'.*'y'|'y'.*'x'/);
  });
});

describe('runGraph: errors', () => {
  it('skips only the descendants of a failing node; the sibling branch completes', async () => {
    const g = new GraphBuilder()
      .number('zero', 0)
      .number('one', 1)
      .arith('div', 'divide', 'one.value', 'zero.value')
      .arith('after', 'add', 'div.result', 1)
      .output('out', 'after.result')
      .arith('fine', 'add', 'one.value', 1)
      .output('out2', 'fine.result')
      .build();
    const { report, events } = await run(g);
    expect(report.status).toBe('error');
    expect(report.nodes.get('div')!).toMatchObject({ status: 'error', error: { code: 'division_by_zero' } });
    expect(report.nodes.get('after')!).toMatchObject({ status: 'skipped', reason: "input 'a' comes from 'div' which failed" });
    expect(report.nodes.get('out')!).toMatchObject({ status: 'skipped', reason: "input 'value' comes from 'after' which was skipped" });
    expect(report.nodes.get('fine')!.status).toBe('done');
    expect(Object.fromEntries(report.outputs)).toEqual({ out2: { value: 2 } });
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', nodeId: 'div', code: 'division_by_zero' }));
  });

  it('turns any other thrown error into node_failed with its message', async () => {
    const g = new GraphBuilder().add('t', 'test.throw', { message: 'out of memory' }).output('o', 't.value').build();
    const { report } = await run(g);
    expect(report.nodes.get('t')!.error).toEqual({ code: 'node_failed', message: 'out of memory' });
    expect(report.nodes.get('o')!.status).toBe('skipped');
  });

  it('blocks the run when a needed node has invalid params, but not for unneeded ones', async () => {
    const g = new GraphBuilder()
      .add('bad', 'values.number', { value: 'seven' })
      .output('o1', 'bad.value')
      .number('a', 1)
      .output('o2', 'a.value')
      .build();
    const blocked = await run(g);
    expect(blocked.report.status).toBe('invalid');
    expect(blocked.report.issues).toContainEqual(expect.objectContaining({ code: 'invalid_param', nodeId: 'bad' }));
    expect(blocked.started).toEqual([]);
    const elsewhere = await run(g, { targets: ['o2'] });
    expect(elsewhere.report.status).toBe('ok');
    expect(elsewhere.report.outputs.get('o2')!).toEqual({ value: 1 });
  });

  it('fails an unknown node type only when the run needs it', async () => {
    const g = new GraphBuilder().add('mystery', 'vendor.unknown', {}).number('a', 1).output('o', 'a.value').build();
    const notNeeded = await run(g);
    expect(notNeeded.report.status).toBe('ok');
    expect(notNeeded.report.nodes.get('mystery')!).toBeUndefined();
    const needed = await run(g, { targets: ['mystery', 'o'] });
    expect(needed.report.status).toBe('error');
    expect(needed.report.nodes.get('mystery')!.error?.code).toBe('unknown_type');
    expect(needed.report.outputs.get('o')!).toEqual({ value: 1 });
  });
});

describe('runGraph: inputs', () => {
  it('leaves unconnected optional inputs out of ctx.inputs', async () => {
    const g = new GraphBuilder().number('a', 1).add('n', 'test.inputNames', {}, { second: 'a.value' }).output('o', 'n.names').build();
    const { report } = await run(g);
    expect(report.outputs.get('o')!).toEqual({ value: 'second' });
  });
});

describe('runGraph: modes', () => {
  it('a muted node does not run and its dependents are skipped, naming it', async () => {
    const g = new GraphBuilder().number('a', 1).arith('m', 'add', 'a.value', 1).output('o', 'm.result').build();
    g.nodes.find((n) => n.id === 'm')!.mode = 'muted';
    const { report, started } = await run(g);
    expect(started).not.toContain('m');
    expect(report.nodes.get('m')!).toMatchObject({ status: 'skipped', reason: 'muted' });
    expect(report.nodes.get('o')!).toMatchObject({ status: 'skipped', reason: "input 'value' comes from 'm' which is muted" });
    expect(report.status).toBe('ok');
  });

  it('a muted node feeding an optional input leaves that input unconnected', async () => {
    const g = new GraphBuilder().number('a', 5).number('b', 100).arith('s', 'add', 'a.value', 'b.value').output('o', 's.result').build();
    g.nodes.find((n) => n.id === 'b')!.mode = 'muted';
    g.nodes.find((n) => n.id === 's')!.params.b = 1;
    const { report } = await run(g);
    expect(report.outputs.get('o')!).toEqual({ value: 6 });
  });

  it('a bypassed node passes its first compatible input through', async () => {
    const g = new GraphBuilder().number('a', 7).arith('double', 'multiply', 'a.value', 2).output('o', 'double.result').build();
    g.nodes.find((n) => n.id === 'double')!.mode = 'bypassed';
    const { report } = await run(g);
    expect(report.outputs.get('o')!).toEqual({ value: 7 });
    expect(report.nodes.get('double')!.reason).toMatch(/bypassed/);
  });

  it('a bypassed node with no compatible input passes nothing and dependents are skipped', async () => {
    const g = new GraphBuilder()
      .add('seed', 'values.seed', { seed: 1 })
      .add('noise', 'tensor.gaussianNoise', {}, { seed: 'seed.seed' })
      .add('stats', 'tensor.stats', {}, { tensor: 'noise.tensor' })
      .output('o', 'stats.mean')
      .build();
    g.nodes.find((n) => n.id === 'noise')!.mode = 'bypassed';
    const { report } = await run(g);
    expect(report.status).toBe('ok');
    expect(report.nodes.get('stats')!.status).toBe('skipped');
    expect(report.nodes.get('stats')!.reason).toMatch(/'noise' which is bypassed/);
  });
});

describe('runGraph: concurrency', () => {
  const slowPair = () =>
    new GraphBuilder().slow('s1', 150).slow('s2', 150).output('o1', 's1.value').output('o2', 's2.value').build();

  function spans(events: RunEvent[]) {
    const at: Record<string, { start: number; end: number }> = {};
    return { at, record: (e: RunEvent) => {
      if (e.type === 'started') at[e.nodeId] = { start: performance.now(), end: Infinity };
      if (e.type === 'done') at[e.nodeId].end = performance.now();
      events.push(e);
    } };
  }

  it('runs independent slow branches at the same time', async () => {
    const events: RunEvent[] = [];
    const s = spans(events);
    const report = await runGraph(slowPair(), { registry: testRegistry, onEvent: s.record });
    expect(report.status).toBe('ok');
    expect(s.at.s2.start).toBeLessThan(s.at.s1.end);
    expect(s.at.s1.start).toBeLessThan(s.at.s2.end);
  });

  it('with concurrency 1 they run one after the other', async () => {
    const events: RunEvent[] = [];
    const s = spans(events);
    const report = await runGraph(slowPair(), { registry: testRegistry, onEvent: s.record, concurrency: 1 });
    const [first, second] = [s.at.s1, s.at.s2].sort((a, b) => a.start - b.start);
    expect(second.start).toBeGreaterThanOrEqual(first.end);
    expect(report.ms).toBeGreaterThanOrEqual(290);
  });

  it('never runs more nodes at once than the concurrency allows', async () => {
    const b = new GraphBuilder();
    for (let i = 0; i < 6; i++) b.slow(`s${i}`, 30).output(`o${i}`, `s${i}.value`);
    let running = 0;
    let most = 0;
    const report = await runGraph(b.build(), {
      registry: testRegistry,
      concurrency: 2,
      onEvent: (e) => {
        if (e.type === 'started' && e.nodeId.startsWith('s')) most = Math.max(most, ++running);
        if (e.type === 'done' && e.nodeId.startsWith('s')) running--;
      },
    });
    expect(report.status).toBe('ok');
    expect(most).toBe(2);
  });

  it('reports progress of a long node', async () => {
    const g = new GraphBuilder().slow('s', 50).output('o', 's.value').build();
    const { events } = await run(g);
    const fractions = events.flatMap((e) => (e.type === 'progress' ? [e.fraction] : []));
    expect(fractions.length).toBe(10);
    expect(fractions.at(-1)).toBe(1);
  });
});

describe('runGraph: cancellation', () => {
  it('stops promptly mid slow node, reports cancelled, and the next run re-runs it', async () => {
    const cache = new ExecutionCache();
    const g = new GraphBuilder().number('a', 1).slow('s', 5000, 'a.value').output('o', 's.value').build();
    const controller = new AbortController();
    const pending = run(g, { cache, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    const t = performance.now();
    controller.abort();
    const { report, events } = await pending;
    expect(performance.now() - t).toBeLessThan(100);
    expect(report.status).toBe('cancelled');
    expect(statuses(report)).toEqual({ a: 'done', s: 'cancelled', o: 'cancelled' });
    expect(report.nodes.get('o')!.reason).toBe('the run was cancelled before it started');
    expect(events.at(-1)).toMatchObject({ type: 'finished', status: 'cancelled' });
  });

  it('a cancelled node is not cached: the next run runs it again and says why', async () => {
    const cache = new ExecutionCache();
    const g = new GraphBuilder().number('a', 1).slow('s', 300, 'a.value').output('o', 's.value').build();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const first = await run(g, { cache, signal: controller.signal });
    expect(first.report.nodes.get('s')!.status).toBe('cancelled');
    const second = await run(g, { cache });
    expect(second.report.nodes.get('a')!.status).toBe('cached');
    expect(second.report.nodes.get('s')!).toMatchObject({ status: 'done', reason: 'previous run was cancelled' });
    expect(second.report.outputs.get('o')!).toEqual({ value: 1 });
  });

  it('an already aborted signal runs nothing', async () => {
    const g = new GraphBuilder().number('a', 1).output('o', 'a.value').build();
    const { report, started } = await run(g, { signal: AbortSignal.abort() });
    expect(report.status).toBe('cancelled');
    expect(started).toEqual([]);
    expect(statuses(report)).toEqual({ a: 'cancelled', o: 'cancelled' });
  });
});
