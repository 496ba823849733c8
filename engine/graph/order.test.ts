import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { graphOrder, topologicalOrder } from './order';

const deps = (edges: Record<string, string[]>) => (id: string) => edges[id] ?? [];

describe('topologicalOrder', () => {
  it('puts every node after the nodes it depends on, keeping ties in input order', () => {
    const r = topologicalOrder(['d', 'c', 'b', 'a'], deps({ d: ['b', 'c'], b: ['a'], c: ['a'] }));
    expect(r).toEqual({ ok: true, order: ['a', 'c', 'b', 'd'] });
  });

  it('ignores dependencies outside the set and repeated ids', () => {
    expect(topologicalOrder(['b', 'a', 'b'], deps({ b: ['a', 'elsewhere'] }))).toEqual({ ok: true, order: ['a', 'b'] });
  });

  it('reports a cycle as a path in edge direction instead of looping', () => {
    const r = topologicalOrder(['x', 'a', 'b', 'c'], deps({ a: ['c'], b: ['a'], c: ['b'], x: ['a'] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.cycle.length).toBe(3);
    expect(new Set(r.cycle)).toEqual(new Set(['a', 'b', 'c']));
    // Each node of the reported path feeds the next.
    const feeds: Record<string, string> = { c: 'a', a: 'b', b: 'c' };
    r.cycle.forEach((id, i) => expect(feeds[id]).toBe(r.cycle[(i + 1) % r.cycle.length]));
  });

  it('finds a self-loop', () => {
    expect(topologicalOrder(['a'], deps({ a: ['a'] }))).toEqual({ ok: false, cycle: ['a'] });
  });

  it('orders random DAGs correctly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 120 }))), ([n, pairs]) => {
        const edges: Record<string, string[]> = {};
        for (const [x, y] of pairs) if (x < y) (edges[`n${y}`] ??= []).push(`n${x}`);
        const ids = Array.from({ length: n }, (_, i) => `n${i}`).reverse();
        const r = topologicalOrder(ids, deps(edges));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const at = new Map(r.order.map((id, i) => [id, i]));
        expect(at.size).toBe(n);
        for (const [to, froms] of Object.entries(edges)) for (const f of froms) expect(at.get(f)!).toBeLessThan(at.get(to)!);
      }),
    );
  });
});

describe('graphOrder', () => {
  it('orders the nodes of a graph by its edges', () => {
    const node = (id: string) => ({ id });
    const edge = (from: string, to: string) => ({ from: { node: from, port: 'o' }, to: { node: to, port: 'i' } });
    const r = graphOrder({ nodes: [node('c'), node('b'), node('a')], edges: [edge('a', 'b'), edge('b', 'c')] } as never);
    expect(r).toEqual({ ok: true, order: ['a', 'b', 'c'] });
  });
});
