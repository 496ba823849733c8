import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseGraphText } from './parse';
import { validateGraph } from './validate';
import type { Graph } from './document';
import { registry } from '@/nodes';

function load(name: string): Graph {
  const r = parseGraphText(readFileSync(`tests/fixtures/graphs/${name}`, 'utf8'), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return structuredClone(r.value);
}
const errors = (g: Graph) => validateGraph(g, registry).filter((i) => i.severity === 'error');

describe('validateGraph', () => {
  it('accepts the fixtures', () => {
    expect(errors(load('v1-arithmetic.json'))).toEqual([]);
    expect(errors(load('v1-repeat.json'))).toEqual([]);
  });

  it('names a missing port and lists the ones that exist', () => {
    const g = load('v1-arithmetic.json');
    g.edges[0].to.port = 'x';
    const [e] = errors(g);
    expect(e.path).toBe('edges[0].to.port');
    expect(e.message).toBe("node 'sum' has no input 'x'; it has 'a', 'b'");
  });

  it('reports dangling edges, missing required inputs and doubly-fed inputs', () => {
    const g = load('v1-arithmetic.json');
    g.edges[0].from.node = 'ghost';
    const errs = errors(g);
    expect(errs.map((e) => e.code)).toEqual(expect.arrayContaining(['dangling_edge', 'missing_input']));
    expect(errs.find((e) => e.code === 'missing_input')!.message).toMatch(/required input 'a' is not connected/);
    const h = load('v1-arithmetic.json');
    h.edges.push({ id: 'e9', from: { node: 'a', port: 'value' }, to: { node: 'sum', port: 'b' } });
    expect(errors(h).map((e) => e.code)).toContain('input_fed_twice');
  });

  it('refuses ill-typed wires with the reason', () => {
    const g = load('v1-arithmetic.json');
    g.nodes.push({ id: 'txt', type: 'values.text', typeVersion: 1, position: { x: 0, y: 0 }, params: { value: 'hi' }, mode: 'normal' });
    g.edges[0].from = { node: 'txt', port: 'text' };
    const e = errors(g).find((x) => x.code === 'type_mismatch')!;
    expect(e.path).toBe('edges[0]');
    expect(e.message).toMatch(/text output 'text' cannot feed number input 'a'/);
    expect(e.nodeId).toBe('sum');
  });

  it('checks params against the node schema', () => {
    const g = load('v1-arithmetic.json');
    g.nodes[2].params.operation = 'teleport';
    const e = errors(g).find((x) => x.code === 'invalid_param')!;
    expect(e.path).toBe('nodes[2].params.operation');
    expect(e.message).toMatch(/a \+ b.*operation/);
  });

  it('keeps unknown types as warnings, not errors', () => {
    const g = load('v1-arithmetic.json');
    g.nodes.push({ id: 'm', type: 'acme.x', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' });
    g.edges.push({ id: 'e7', from: { node: 'm', port: 'whatever' }, to: { node: 'out', port: 'value' } });
    g.edges = g.edges.filter((e) => e.id !== 'e3');
    const all = validateGraph(g, registry);
    expect(all.find((i) => i.code === 'unknown_type')!.severity).toBe('warning');
  });

  it('finds cycles and names their nodes', () => {
    const g = load('v1-arithmetic.json');
    g.nodes.push({ id: 'loop', type: 'math.arithmetic', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' });
    g.edges = g.edges.filter((e) => e.id !== 'e2');
    g.edges.push({ id: 'c1', from: { node: 'sum', port: 'result' }, to: { node: 'loop', port: 'a' } });
    g.edges.push({ id: 'c2', from: { node: 'loop', port: 'result' }, to: { node: 'sum', port: 'b' } });
    const c = errors(g).find((e) => e.code === 'cycle')!;
    expect(c.message).toMatch(/'sum' → 'loop' → 'sum'|'loop' → 'sum' → 'loop'/);
  });

  it('keeps values inside a zone unless they leave through its output node', () => {
    const g = load('v1-repeat.json');
    g.edges.push({ id: 'leak', from: { node: 'double', port: 'result' }, to: { node: 'out', port: 'value' } });
    g.edges = g.edges.filter((e) => e.id !== 'e6');
    expect(errors(g).map((e) => e.code)).toContain('zone_leak');
    const h = load('v1-repeat.json');
    h.zones[0].outputNode = 'double';
    expect(errors(h).map((e) => e.code)).toContain('zone_wrong_boundary');
  });

  it('derives carried ports on zone boundaries', () => {
    const g = load('v1-repeat.json');
    g.zones[0].carried = [];
    const errs = errors(g);
    expect(errs.find((e) => e.path === 'edges[0].to.port')!.message).toMatch(/has no input 'x'; it has 'iterations'/);
  });

  it('refuses groups with a duplicate id, a member that is not in the graph, or a member listed twice', () => {
    const g = load('v1-arithmetic.json');
    const [a, b] = g.nodes.map((n) => n.id);
    g.groups = [
      { id: 'g1', title: 'One', nodes: [a] },
      { id: 'g1', title: 'Again', nodes: [b, 'ghost', b] },
    ];
    const found = errors(g).map((e) => `${e.code} ${e.path}: ${e.message}`);
    expect(found).toContain("duplicate_id groups[1].id: group id 'g1' is used twice (also at groups[0])");
    expect(found).toContain("group_missing_node groups[1].nodes[1]: group 'g1' lists node 'ghost', which is not in the graph");
    expect(found).toContain(`duplicate_member groups[1].nodes[2]: group 'g1' lists node '${b}' twice`);
    // Nested and overlapping groups are fine.
    g.groups = [
      { id: 'outer', title: 'Outer', nodes: [a, b] },
      { id: 'inner', title: 'Inner', nodes: [a] },
    ];
    expect(errors(g).filter((e) => e.path.startsWith('groups'))).toEqual([]);
  });

  it("refuses a carried value named like one of the boundary nodes' own ports", () => {
    const g = load('v1-repeat.json');
    g.zones[0].carried = [...g.zones[0].carried, { name: 'index', type: 'integer' }];
    expect(errors(g).find((e) => e.code === 'carried_name_taken')?.message).toBe(
      "carried value 'index' has the name of a port the zone's boundary nodes already have; rename it",
    );
  });
});
