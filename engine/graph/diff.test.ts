import { describe, expect, it } from 'vitest';
import { exampleJson } from '@/examples/build';
import { diffGraphs, sameComputation, shortValue } from './diff';
import type { Graph } from './document';

const example = (): Graph => JSON.parse(exampleJson('text-to-image-sampler')) as Graph;

describe('diffGraphs', () => {
  it('finds nothing between a graph and its copy, and says so', () => {
    const d = diffGraphs(example(), example());
    expect(d).toMatchObject({ title: null, nodesAdded: [], nodesRemoved: [], params: [], other: [], wiresAdded: [], wiresRemoved: [], moved: 0 });
    expect(sameComputation(d)).toBe(true);
  });

  it('lists a changed seed and prompt as before → after, by node name', () => {
    const a = example();
    const b = example();
    const noise = b.nodes.find((n) => n.type === 'latent.noise')!;
    noise.params.seed = Number(noise.params.seed ?? 0) + 7;
    const prompt = b.nodes.find((n) => n.type === 'conditioning.prompt' && !/negative/i.test(n.label ?? ''))!;
    const before = prompt.params.text;
    prompt.params.text = 'a blue square';
    const d = diffGraphs(a, b);
    expect(d.params).toHaveLength(2);
    const seed = d.params.find((p) => p.param === 'seed')!;
    expect(seed.node.id).toBe(noise.id);
    expect(Number(seed.after) - Number(seed.before)).toBe(7);
    expect(d.params.find((p) => p.param === 'text')).toMatchObject({ before: JSON.stringify(before), after: '"a blue square"' });
    expect(sameComputation(d)).toBe(false);
    expect(diffGraphs(a, b, (t) => (t === 'latent.noise' ? 'Latent Noise' : undefined)).params.find((p) => p.param === 'seed')!.node.name).toBe(noise.label || 'Latent Noise');
  });

  it('lists removed and added nodes and their wires, moves and mode changes', () => {
    const a = example();
    const b = example();
    const decode = b.nodes.find((n) => n.type === 'latent.vaeDecode')!;
    b.nodes = b.nodes.filter((n) => n !== decode);
    b.edges = b.edges.filter((e) => e.from.node !== decode.id && e.to.node !== decode.id);
    b.nodes.push({ id: 'note-1', type: 'math.arithmetic', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'normal' });
    b.nodes[0].position = { x: b.nodes[0].position.x + 10, y: b.nodes[0].position.y };
    b.nodes[1].mode = 'bypassed';
    const d = diffGraphs(a, b);
    expect(d.nodesRemoved.map((n) => n.id)).toEqual([decode.id]);
    expect(d.nodesAdded.map((n) => n.id)).toEqual(['note-1']);
    const cut = a.edges.filter((e) => e.from.node === decode.id || e.to.node === decode.id);
    expect(d.wiresRemoved).toHaveLength(cut.length);
    expect(d.wiresRemoved.every((w) => w.includes(decode.label || decode.type))).toBe(true);
    expect(d.wiresAdded).toEqual([]);
    expect(d.moved).toBe(1);
    expect(d.other).toEqual([expect.objectContaining({ param: 'mode', before: 'normal', after: 'bypassed' })]);
  });

  it('treats ids that look like object keys as plain values', () => {
    const a = example();
    const b = example();
    for (const g of [a, b]) g.nodes[0] = { ...g.nodes[0], id: '__proto__' };
    b.nodes[0] = { ...b.nodes[0], params: { ...b.nodes[0].params, constructor: 1 } };
    const d = diffGraphs(a, b);
    expect(d.params).toEqual([expect.objectContaining({ param: 'constructor', before: '(unset)', after: '1' })]);
  });

  it('cuts long values, saying how long they were', () => {
    const s = shortValue('x'.repeat(5000));
    expect(s.length).toBeLessThan(140);
    expect(s).toContain('5,002 characters');
  });
});
