import { describe, expect, it } from 'vitest';
import { ExecutionCache } from './cache';
import { runGraph } from './run';
import { StepGate } from './stepGate';
import { GraphBuilder, run, setParam, statuses, testRegistry } from './test-utils';
import type { RunEvent, RunReport } from './types';

/** a=2, b=3 → sum → out, and an independent c → out2. */
function small() {
  return new GraphBuilder()
    .number('a', 2)
    .number('b', 3)
    .arith('sum', 'add', 'a.value', 'b.value')
    .output('out', 'sum.result')
    .number('c', 10)
    .output('out2', 'c.value')
    .build();
}

/** Lets the microtask queue and timers drain so a run goes as far as its gate allows. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

function startStepped(graph = small(), cache?: ExecutionCache, signal?: AbortSignal) {
  const paused: string[] = [];
  const events: RunEvent[] = [];
  const gate = new StepGate((id) => paused.push(id));
  const done = runGraph(graph, {
    registry: testRegistry,
    beforeNode: gate.beforeNode,
    onEvent: (e) => events.push(e),
    ...(cache ? { cache } : {}),
    ...(signal ? { signal } : {}),
  });
  let report: RunReport | undefined;
  void done.then((r) => (report = r));
  const finished = () => events.filter((e) => e.type === 'done').map((e) => (e as { nodeId: string }).nodeId);
  return { gate, paused, events, done, finished, report: () => report };
}

describe('step mode (beforeNode gate)', () => {
  it('asks the gate before every node that runs, one node at a time', async () => {
    const asked: string[] = [];
    let running = 0;
    let most = 0;
    const { report, started } = await run(small(), {
      concurrency: 8,
      beforeNode: async (id) => {
        asked.push(id);
        running++;
        most = Math.max(most, running);
        await Promise.resolve();
        running--;
      },
    });
    expect(report.status).toBe('ok');
    expect(asked).toEqual(started);
    expect(asked.sort()).toEqual(['a', 'b', 'c', 'out', 'out2', 'sum']);
    expect(most).toBe(1);
  });

  it('pauses after the first node and Next advances exactly one node', async () => {
    const s = startStepped();
    await settle();
    expect(s.finished()).toHaveLength(1);
    expect(s.paused).toHaveLength(1);
    expect(s.gate.pausedAt).toBe(s.paused[0]);
    expect(s.report()).toBeUndefined();

    s.gate.next();
    await settle();
    expect(s.finished()).toHaveLength(2);
    expect(s.finished()[1]).toBe(s.paused[0]);
    expect(s.paused).toHaveLength(2);

    s.gate.resume();
    const report = await s.done;
    expect(report.status).toBe('ok');
    expect(report.outputs.get('out')!).toEqual({ value: 5 });
    expect(s.finished()).toHaveLength(6);
  });

  it('Cancel while paused stops the run; the waiting node never starts', async () => {
    const abort = new AbortController();
    const s = startStepped(small(), undefined, abort.signal);
    await settle();
    const waiting = s.gate.pausedAt!;
    abort.abort();
    s.gate.resume();
    const report = await s.done;
    expect(report.status).toBe('cancelled');
    expect(report.nodes.get(waiting)!).toMatchObject({ status: 'cancelled', reason: 'the run was cancelled before it started' });
    expect(s.events.some((e) => e.type === 'started' && e.nodeId === waiting)).toBe(false);
  });

  it('reused nodes pass without a pause: only what changed is stepped', async () => {
    const cache = new ExecutionCache();
    await runGraph(small(), { registry: testRegistry, cache });
    const asked: string[] = [];
    const report = await runGraph(setParam(small(), 'b', 'value', 4), {
      registry: testRegistry,
      cache,
      beforeNode: (id) => void asked.push(id),
    });
    expect(asked.sort()).toEqual(['b', 'out', 'sum']);
    expect(statuses(report)).toMatchObject({ a: 'cached', c: 'cached', out2: 'cached', b: 'done', sum: 'done', out: 'done' });
  });

  it('a repeat zone is one step, asked for with its zone id', async () => {
    const g = new GraphBuilder()
      .number('x0', 1)
      .add('in', 'flow.repeatInput', { iterations: 3 }, { x: 'x0.value' })
      .arith('mul', 'multiply', 'in.x', 2)
      .add('out', 'flow.repeatOutput', {}, { x: 'mul.result' })
      .output('result', 'out.x')
      .zone('loop', 'in', 'out', ['mul'], [{ name: 'x', type: 'number' }])
      .build();
    const asked: [string, string | undefined][] = [];
    const { report } = await run(g, { beforeNode: (id, where) => void asked.push([id, where.zoneId]) });
    expect(report.outputs.get('result')!).toEqual({ value: 8 });
    expect(asked).toEqual([
      ['x0', undefined],
      ['in', 'loop'],
      ['result', undefined],
    ]);
  });

  it('a gate that fails fails its node and says so', async () => {
    const { report } = await run(small(), {
      beforeNode: (id) => {
        if (id === 'sum') throw new Error('no more steps');
      },
    });
    expect(report.status).toBe('error');
    expect(report.nodes.get('sum')!.error).toEqual({ code: 'step_gate_failed', message: 'the step gate failed: no more steps' });
    expect(report.nodes.get('out')!.status).toBe('skipped');
  });

  it('reports when each node started, cached ones included', async () => {
    const cache = new ExecutionCache();
    const before = Date.now();
    await runGraph(small(), { registry: testRegistry, cache });
    const again = await runGraph(small(), { registry: testRegistry, cache });
    for (const r of Object.values(again.nodes)) {
      expect(r.status).toBe('cached');
      expect(r.startedAt).toBeGreaterThanOrEqual(before);
    }
  });
});

describe('StepGate', () => {
  it('Next before a pause lets the next node through without waiting', async () => {
    const paused: string[] = [];
    const gate = new StepGate((id) => paused.push(id), 0);
    gate.next();
    expect(gate.beforeNode('a', {})).toBeUndefined();
    const waiting = gate.beforeNode('b', {});
    expect(waiting).toBeInstanceOf(Promise);
    expect(paused).toEqual(['b']);
    gate.resume();
    await waiting;
    expect(gate.beforeNode('c', {})).toBeUndefined();
    expect(gate.pausedAt).toBeUndefined();
  });
});
