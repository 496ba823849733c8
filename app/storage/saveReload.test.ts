import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { History } from '@/engine/commands/history';
import { addNode, connect, groupNodes, moveNodes, removeElements, setLabel, setMetadata, setParam, pasteFragment, copyFragment } from '@/engine/commands/commands';
import { emptyGraph, type Graph } from '@/engine/graph/document';
import { parseGraph } from '@/engine/graph/parse';
import { compactJson, limitProblem } from '@/engine/graph/size';
import { documentProblem } from '@/engine/graph/acceptable';
import { portsOf } from '@/engine/graph/ports';
import { registry, NODE_DEFINITIONS } from '@/nodes';
import { deleteGraph, loadGraph, saveGraph } from './db';
import { decodeStored } from './graphRecord';

/**
 * Whatever the editor lets a user make, it reopens byte for byte: random edits (through the same
 * commands and limits as the editor) are saved to IndexedDB and read back the way a reload does.
 */

const DEFS = NODE_DEFINITIONS.filter((d) => !d.zoneRole);

/** Base64-looking text of `n` characters: a stand-in for an image the user picked. */
const dataUrl = (n: number, seed: number) => {
  let s = seed >>> 0;
  let out = 'data:image/png;base64,';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  while (out.length < n) out += alphabet[(s = (s * 1103515245 + 12345) >>> 0) % 64];
  return out;
};

type Edit =
  | { kind: 'add'; def: number; x: number; y: number }
  | { kind: 'param'; node: number; text: string }
  | { kind: 'image'; node: number; chars: number; seed: number }
  | { kind: 'connect'; from: number; to: number }
  | { kind: 'move'; node: number; x: number; y: number }
  | { kind: 'label'; node: number; text: string }
  | { kind: 'title'; text: string }
  | { kind: 'description'; chars: number }
  | { kind: 'foreign'; payload: number }
  | { kind: 'group'; a: number; b: number }
  | { kind: 'paste'; node: number }
  | { kind: 'remove'; node: number };

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'a\u0000b', '😀🎨', '"quoted"\\'));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), def: fc.nat(), x: fc.integer({ min: -5000, max: 5000 }), y: fc.integer({ min: -5000, max: 5000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('param' as const), node: fc.nat(), text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('image' as const), node: fc.nat(), chars: fc.integer({ min: 1000, max: 400_000 }), seed: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('connect' as const), from: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), node: fc.nat(), x: fc.double({ min: -1e6, max: 1e6, noNaN: true }), y: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('label' as const), node: fc.nat(), text: fc.oneof(text, fc.string({ minLength: 190, maxLength: 260 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('title' as const), text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('description' as const), chars: fc.integer({ min: 0, max: 150_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('foreign' as const), payload: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('group' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('paste' as const), node: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), node: fc.nat() }) },
);

/** Fragments a clipboard might hold: Weft's own, and hostile ones that paste must not let in. */
const FOREIGN: unknown[] = [
  { id: 'x', type: 'values.number', typeVersion: 1, position: { x: 0, y: 0 }, params: { value: 1 }, mode: 'normal' },
  JSON.parse('{"id":"x","type":"values.number","typeVersion":1,"position":{"x":0,"y":0},"params":{"__proto__":{"polluted":true}},"mode":"normal"}'),
  { id: 'x', type: 'ui.note', typeVersion: 1, position: { x: 0, y: 0 }, params: { text: 'y'.repeat(5_000_000) }, mode: 'normal' },
  { id: 'x', type: 'values.text', typeVersion: 1, position: { x: Number.NaN, y: 0 }, params: {}, mode: 'normal' },
  { id: 'x', type: 'values.text', typeVersion: 1, position: { x: 0, y: 0 }, params: {}, mode: 'sideways' },
];

/** Applies one edit the way the editor does: a command, refused when a reader would refuse the result. */
function apply(h: History, e: Edit): void {
  const g = h.graph;
  const pick = (i: number) => g.nodes[i % Math.max(1, g.nodes.length)];
  const accept = (next: Graph) => documentProblem(next) === undefined;
  switch (e.kind) {
    case 'add':
      h.apply(addNode(DEFS[e.def % DEFS.length], { x: e.x, y: e.y }), accept);
      return;
    case 'title':
      h.apply(setMetadata({ title: e.text }), accept);
      return;
    case 'description':
      h.apply(setMetadata({ description: 'd'.repeat(e.chars) }), accept);
      return;
    case 'foreign':
      h.apply(pasteFragment({ nodes: [FOREIGN[e.payload % FOREIGN.length] as Graph['nodes'][number]], edges: [] }, { x: 10, y: 10 }), accept);
      return;
  }
  const n = pick('node' in e ? e.node : 'from' in e ? e.from : e.a);
  if (!n) return;
  const def = registry.get(n.type);
  switch (e.kind) {
    case 'param': {
      // The first text param of the node (a prompt, a note, a template, a name), as typed in its field.
      const key = Object.keys(def?.params.shape ?? {}).find((k) => typeof n.params[k] === 'string' && !/dataUrl|data|source/.test(k));
      if (key) h.apply(setParam(n.id, key, e.text), accept);
      return;
    }
    case 'image':
      if (n.type === 'image.load') h.apply(setParam(n.id, 'dataUrl', dataUrl(e.chars, e.seed)), accept);
      else h.apply(setParam(n.id, 'text', dataUrl(Math.min(e.chars, 20_000), e.seed).slice(0, 20_000)), accept);
      return;
    case 'connect': {
      const to = pick(e.to);
      const out = portsOf(g, n, def).outputs[0];
      const inp = to && portsOf(g, to, registry.get(to.type)).inputs.find((p) => p.type === out?.type || p.type === 'any');
      if (out && inp && to.id !== n.id) h.apply(connect({ from: { node: n.id, port: out.name }, to: { node: to.id, port: inp.name } }), accept);
      return;
    }
    case 'move':
      h.apply(moveNodes([{ id: n.id, position: { x: e.x, y: e.y } }]), accept);
      return;
    case 'label':
      h.apply(setLabel(n.id, e.text), accept);
      return;
    case 'group': {
      const other = pick(e.b);
      h.apply(groupNodes([...new Set([n.id, other.id])], 'Group'), accept);
      return;
    }
    case 'paste':
      h.apply(pasteFragment(copyFragment(g, [n.id]), { x: 40, y: 40 }), accept);
      return;
    case 'remove':
      h.apply(removeElements({ nodeIds: [n.id] }), accept);
      return;
  }
}

/** What a reload does: read the record and its large values, put them back together, parse. */
async function reload(id: string): Promise<{ graph: Graph; text: string }> {
  const stored = await loadGraph(id);
  if (!stored) throw new Error('not stored');
  const decoded = decodeStored(stored.entry.json, stored.entry.refs, stored.values);
  if (!decoded.ok) throw new Error(decoded.message);
  const parsed = parseGraph(decoded.document, registry);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return { graph: parsed.value, text: decoded.text };
}

describe('save and reload (property)', () => {
  it('random edits within the editor limits reopen identical, byte for byte', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 40 }), async (edits) => {
        const id = `graph-${round++}`;
        const h = new History(emptyGraph('Random edits'));
        for (const [i, e] of edits.entries()) {
          apply(h, e);
          // Autosave runs between edits too: the latest save is what a reload sees.
          if (i % 7 === 0) await saveGraph(id, h.graph);
        }
        await saveGraph(id, h.graph);
        const back = await reload(id);
        expect(back.graph).toEqual(h.graph);
        const want = compactJson(h.graph);
        if (back.text !== want) {
          let i = 0;
          while (back.text[i] === want[i]) i++;
          throw new Error(`the texts differ at ${i}: stored …${back.text.slice(Math.max(0, i - 80), i + 80)}… but the graph …${want.slice(Math.max(0, i - 80), i + 80)}…`);
        }
        expect(JSON.stringify(back.graph)).toBe(JSON.stringify(h.graph));
        await deleteGraph(id);
      }),
      // A drag that ends at x = -0 once reopened as 0 (JSON writes both as 0): positions are saved as 0.
      { numRuns: 100, examples: [[[{ kind: 'add', def: 0, x: 0, y: 0 }, { kind: 'move', node: 0, x: -0, y: -1 }]]] },
    );
  }, 120_000);

  it('a Load Image of a 250 KB PNG saves beside the graph and reopens', async () => {
    const h = new History(emptyGraph('Picture'));
    h.apply(addNode(registry.get('image.load')!, { x: 0, y: 0 }, 'load'));
    const image = dataUrl(335_066, 7);
    expect(h.apply(setParam('load', 'dataUrl', image), (next) => limitProblem(next) === undefined)).toBe(true);
    await saveGraph('picture', h.graph);
    const stored = await loadGraph('picture');
    expect(stored?.entry.refs).toEqual([{ node: 0, param: 'dataUrl', hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(stored?.entry.json.length).toBeLessThan(1000);
    const back = await reload('picture');
    expect(back.graph.nodes[0].params.dataUrl).toBe(image);
    // An edit elsewhere rewrites the graph, not the image; the value stays stored once.
    h.apply(moveNodes([{ id: 'load', position: { x: 10, y: 10 } }]));
    await saveGraph('picture', h.graph);
    expect((await reload('picture')).graph).toEqual(h.graph);
    await deleteGraph('picture');
  });

  it('a graph at the size limit is stored as a Blob and reopens; past it, the edit is refused', async () => {
    const h = new History(emptyGraph('Big'));
    const note = registry.get('ui.note')!;
    for (let i = 0; i < 900; i++) {
      h.apply(addNode(note, { x: i * 10, y: 0 }, `n${i}`));
      h.apply(setParam(`n${i}`, 'text', 'x'.repeat(18_000)));
    }
    expect(limitProblem(h.graph)).toBeUndefined();
    await saveGraph('big', h.graph);
    expect((await loadGraph('big'))?.entry.jsonBlob).toBeInstanceOf(Blob);
    expect((await reload('big')).graph).toEqual(h.graph);
    // Pasting 60 more of those notes would pass 16 MB: refused, the graph unchanged, and why.
    const before = h.graph;
    const paste = pasteFragment(copyFragment(h.graph, h.graph.nodes.slice(0, 60).map((n) => n.id)), { x: 0, y: 100 });
    expect(h.apply(paste, (next) => limitProblem(next) === undefined)).toBe(false);
    expect(h.graph).toBe(before);
    const unguarded = new History(h.graph);
    unguarded.apply(paste);
    expect(limitProblem(unguarded.graph)).toMatch(/^the graph would be 16\.\d MB; a graph is at most 16\.0 MB \(as compact JSON\)$/);
    await deleteGraph('big');
  }, 60_000);
});
