import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExecutionCache } from './cache';
import { GraphBuilder, run } from './test-utils';

type Spec =
  | { kind: 'number'; value: number }
  | { kind: 'arith'; op: 'add' | 'subtract' | 'min' | 'max'; a: number; b: number | { param: number } }
  | { kind: 'scale'; a: number; factor: number };

/** A random DAG: node i reads only from nodes before it. */
const dag = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      i === 0
        ? fc.record({ kind: fc.constant('number' as const), value: fc.integer({ min: -9, max: 9 }) })
        : fc.oneof(
            fc.record({ kind: fc.constant('number' as const), value: fc.integer({ min: -9, max: 9 }) }),
            fc.record({
              kind: fc.constant('arith' as const),
              op: fc.constantFrom('add' as const, 'subtract' as const, 'min' as const, 'max' as const),
              a: fc.nat(i - 1),
              b: fc.oneof(fc.nat(i - 1), fc.record({ param: fc.integer({ min: -9, max: 9 }) })),
            }),
            fc.record({ kind: fc.constant('scale' as const), a: fc.nat(i - 1), factor: fc.integer({ min: -2, max: 2 }) }),
          ),
    ),
  ),
);

function build(specs: Spec[]) {
  const b = new GraphBuilder();
  const port = (i: number) => `n${i}.${specs[i].kind === 'number' ? 'value' : 'result'}`;
  specs.forEach((s, i) => {
    if (s.kind === 'number') b.number(`n${i}`, s.value);
    else if (s.kind === 'scale') b.arith(`n${i}`, 'multiply', port(s.a), s.factor);
    else b.arith(`n${i}`, s.op, port(s.a), typeof s.b === 'number' ? port(s.b) : s.b.param);
  });
  specs.forEach((_, i) => b.output(`o${i}`, port(i)));
  return b.build();
}

function evaluate(specs: Spec[]): number[] {
  const v: number[] = [];
  for (const s of specs) {
    if (s.kind === 'number') v.push(s.value);
    else if (s.kind === 'scale') v.push(v[s.a] * s.factor);
    else {
      const a = v[s.a];
      const b = typeof s.b === 'number' ? v[s.b] : s.b.param;
      v.push(s.op === 'add' ? a + b : s.op === 'subtract' ? a - b : s.op === 'min' ? Math.min(a, b) : Math.max(a, b));
    }
  }
  return v;
}

describe('random DAGs of arithmetic nodes (property)', () => {
  it('run every node after all its inputs and compute what direct evaluation computes', async () => {
    await fc.assert(
      fc.asyncProperty(dag, fc.integer({ min: 1, max: 4 }), async (specs, concurrency) => {
        const graph = build(specs);
        const { report, events } = await run(graph, { concurrency });
        expect(report.status).toBe('ok');
        const expected = evaluate(specs);
        specs.forEach((_, i) => expect(report.outputs.get(`o${i}`)!).toEqual({ value: expected[i] }));
        const doneAt = new Map<string, number>();
        events.forEach((e, i) => {
          if (e.type === 'done') doneAt.set(e.nodeId, i);
          if (e.type === 'started') {
            for (const edge of graph.edges) if (edge.to.node === e.nodeId) expect(doneAt.has(edge.from.node)).toBe(true);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('a cached re-run after one param edit gives the same values as a cold run', async () => {
    await fc.assert(
      fc.asyncProperty(dag, fc.nat(29), fc.integer({ min: -9, max: 9 }), async (specs, pick, value) => {
        const cache = new ExecutionCache();
        await run(build(specs), { cache });
        const edited = specs.map((s) => ({ ...s })) as Spec[];
        const i = pick % specs.length;
        if (edited[i].kind === 'number') (edited[i] as { value: number }).value = value;
        const warm = await run(build(edited), { cache });
        const cold = await run(build(edited));
        expect(warm.report.outputs).toEqual(cold.report.outputs);
      }),
      { numRuns: 40 },
    );
  });
});
