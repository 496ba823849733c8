import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseGraph, parseGraphText, serializeGraph } from './parse';
import { registry } from '@/nodes';

const fixture = (name: string) => readFileSync(`tests/fixtures/graphs/${name}`, 'utf8');

describe('parseGraph', () => {
  it('reads a v1 fixture and round-trips it', () => {
    const r = parseGraphText(fixture('v1-arithmetic.json'), registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.nodes).toHaveLength(4);
    expect(r.value.nodes[0].mode).toBe('normal'); // default filled in
    const again = parseGraphText(serializeGraph(r.value), registry);
    expect(again.ok && again.value).toEqual(r.value);
  });

  it('names the path and the problem', () => {
    const doc = JSON.parse(fixture('v1-arithmetic.json'));
    doc.nodes[2].position.x = 'left';
    delete doc.edges[1].to;
    const r = parseGraph(doc, registry);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toContain('nodes[2].position.x');
    expect(paths).toContain('edges[1].to');
    expect(r.errors.find((e) => e.path === 'edges[1].to')!.message).toMatch(/required/);
  });

  it('refuses files from a newer Weft and files that are not graphs', () => {
    const newer = parseGraph({ schemaVersion: 99, metadata: { title: 'x' }, nodes: [], edges: [] });
    expect(!newer.ok && newer.errors[0].message).toMatch(/newer Weft.*99/);
    const notGraph = parseGraph([1, 2, 3]);
    expect(!notGraph.ok && notGraph.errors[0].code).toBe('not_a_graph');
    const badJson = parseGraphText('{"schemaVersion": 1,');
    expect(!badJson.ok && badJson.errors[0].message).toMatch(/not valid JSON/);
  });

  it('keeps unknown node types as placeholders with a warning', () => {
    const doc = JSON.parse(fixture('v1-arithmetic.json'));
    doc.nodes.push({ id: 'mystery', type: 'acme.frobnicate', typeVersion: 3, position: { x: 1, y: 2 }, params: { knob: 11 } });
    const r = parseGraph(doc, registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.code)).toContain('unknown_type');
    const kept = r.value.nodes.find((n) => n.id === 'mystery')!;
    expect(kept.params).toEqual({ knob: 11 });
    expect(JSON.parse(serializeGraph(r.value)).nodes.find((n: { id: string }) => n.id === 'mystery').type).toBe('acme.frobnicate');
  });

  it('enforces limits with a clear message', () => {
    const doc = JSON.parse(fixture('v1-arithmetic.json'));
    doc.metadata.title = 'x'.repeat(300);
    const r = parseGraph(doc);
    expect(!r.ok && r.errors[0].path).toBe('metadata.title');
    const huge = parseGraphText(' '.repeat(65 * 1024 * 1024));
    expect(!huge.ok && huge.errors[0].message).toBe('the file is 65.0 MB; graph files are limited to 64.0 MB');
  });

  it('refuses prototype keys and never pollutes Object.prototype', () => {
    const text = '{"schemaVersion":1,"metadata":{"title":"t"},"nodes":[{"id":"a","type":"values.number","typeVersion":1,"position":{"x":0,"y":0},"params":{"__proto__":{"polluted":true}}}],"edges":[]}';
    const r = parseGraphText(text, registry);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0].path).toBe('nodes[0].params.__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws on random JSON and never pollutes prototypes (property)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'schemaVersion', 'nodes', 'edges', 'params', 'id'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.integer(),
        fc.string(),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(key, tie('value'), { maxKeys: 6 }),
      ),
    })).value;
    const graphish = fc.record({
      schemaVersion: fc.oneof(fc.constant(1), fc.integer()),
      metadata: fc.oneof(fc.record({ title: fc.string() }), json),
      nodes: fc.array(fc.dictionary(key, json, { maxKeys: 8 }), { maxLength: 4 }),
      edges: fc.array(json, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.oneof(json, graphish), (input) => {
        const text = JSON.stringify(input) ?? 'null';
        const r = parseGraphText(text.replace(/"__proto__\d*"/g, '"__proto__"'), registry);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) for (const e of r.errors) expect(typeof e.message).toBe('string');
        expect(Object.prototype).not.toHaveProperty('polluted');
        expect(({} as Record<string, unknown>).constructor).toBe(Object);
      }),
      { numRuns: 400 },
    );
  });
});

describe('parseGraph on input that is not plain data', () => {
  const good = () => JSON.parse(fixture('v1-arithmetic.json'));

  it('a throwing getter is refused at its path', () => {
    const doc = good();
    Object.defineProperty(doc.nodes[0], 'label', { enumerable: true, get: () => { throw new Error('boom'); } });
    const r = parseGraph(doc, registry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'unreadable', path: 'nodes[0].label', message: 'this value could not be read: boom' });
  });

  it('Proxies that throw, and revoked ones, are refused without a throw', () => {
    const trap = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
    expect(parseGraph(trap, registry)).toMatchObject({ ok: false, errors: [{ code: 'unreadable', path: '' }] });
    const { proxy, revoke } = Proxy.revocable(good(), {});
    revoke();
    expect(parseGraph(proxy, registry).ok).toBe(false);
    const doc = good();
    doc.nodes = new Proxy(doc.nodes, { get: (t, k) => { if (k === '0') throw new Error('index 0'); return Reflect.get(t, k); } });
    const r = parseGraph(doc, registry);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'unreadable', path: 'nodes[0]' });
  });

  it('a function or a symbol is refused as not JSON', () => {
    const doc = good();
    doc.metadata.description = () => 1;
    expect(parseGraph(doc, registry)).toMatchObject({ ok: false, errors: [{ code: 'not_json', path: 'metadata.description' }] });
  });
});

describe('parse messages', () => {
  it('says a value has the wrong type, not that it is missing', () => {
    const doc = JSON.parse(readFileSync('tests/fixtures/graphs/v1-arithmetic.json', 'utf8'));
    doc.nodes[0].position.x = 'left';
    const r = parseGraph(doc);
    expect(!r.ok && r.errors[0].message).toBe('x should be number, not string');
  });
});
