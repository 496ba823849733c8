import { encodePng } from '../../lib/png';

/**
 * Ids a hostile or unlucky file may carry. The first list are legal ids (letters, digits and
 * `_ . : -`) that are also names of Object.prototype members: the editor must treat them as plain
 * data everywhere. The second list breaks the id rules and is refused with a message.
 */
export const PROTOTYPE_IDS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__lookupGetter__'] as const;

export const REFUSED_IDS: readonly { id: string; why: RegExp }[] = [
  { id: '', why: /an id cannot be empty/ },
  { id: 'x'.repeat(10_000), why: /an id has at most 64 characters/ },
  { id: 'שלום\u200f', why: /an id may use only letters, digits and _ \. : -/ },
  { id: 'a\u0000b', why: /an id may use only letters, digits and _ \. : -/ },
];

/** An 8×8 blue PNG as the data URL a Load Image node keeps (small, so the graph fits in a share link). */
const png = encodePng({ kind: 'image', width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4).map((_, i) => [40, 90, 230, 255][i % 4]) });
export const BLUE_SQUARE = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

type Node = { id: string; type: string; typeVersion: number; position: { x: number; y: number }; params: Record<string, unknown>; mode: 'normal'; label?: string };
const node = (id: string, type: string, x: number, y: number, params: Record<string, unknown> = {}, label?: string): Node => ({
  id,
  type,
  typeVersion: 1,
  position: { x, y },
  params,
  mode: 'normal',
  ...(label ? { label } : {}),
});
const edge = (id: string, from: string, fromPort: string, to: string, toPort: string) => ({ id, from: { node: from, port: fromPort }, to: { node: to, port: toPort } });

/**
 * A graph whose every node, edge, group and zone id (and its zone's carried value) is one of
 * PROTOTYPE_IDS. Run, it gives 2 × 3 = 6 at `toString`, 2 + 1 + 1 + 1 = 5 at `isPrototypeOf`
 * (a repeat zone of three iterations) and an 8×8 blue square at `toLocaleString`.
 */
export function prototypeIdsGraph() {
  return {
    schemaVersion: 1,
    metadata: { title: 'Prototype ids' },
    nodes: [
      node('__proto__', 'values.number', 0, 0, { value: 2 }, 'Two'),
      node('constructor', 'math.arithmetic', 320, 0, { operation: 'multiply', b: 3 }),
      node('toString', 'output.value', 640, 0, { name: 'product' }),
      node('prototype', 'flow.repeatInput', 320, 260, { iterations: 3 }),
      node('hasOwnProperty', 'math.arithmetic', 620, 260, { operation: 'add', b: 1 }),
      node('__defineGetter__', 'flow.repeatOutput', 920, 260, { preview: true }),
      node('isPrototypeOf', 'output.value', 1220, 260, { name: 'sum' }),
      node('propertyIsEnumerable', 'image.load', 0, 520, { dataUrl: BLUE_SQUARE, width: 0, height: 0 }),
      node('toLocaleString', 'output.image', 320, 520, { name: 'square' }),
      node('__lookupGetter__', 'ui.note', 0, 860, { text: 'Every id here is the name of a member of Object.prototype.' }),
    ],
    edges: [
      edge('__proto__', '__proto__', 'value', 'constructor', 'a'),
      edge('constructor', 'constructor', 'result', 'toString', 'value'),
      edge('prototype', '__proto__', 'value', 'prototype', '__proto__'),
      edge('toString', 'prototype', '__proto__', 'hasOwnProperty', 'a'),
      edge('valueOf', 'hasOwnProperty', 'result', '__defineGetter__', '__proto__'),
      edge('hasOwnProperty', '__defineGetter__', '__proto__', 'isPrototypeOf', 'value'),
      edge('__defineGetter__', 'propertyIsEnumerable', 'image', 'toLocaleString', 'image'),
    ],
    zones: [{ id: 'valueOf', kind: 'repeat', title: 'Add one, three times', inputNode: 'prototype', outputNode: '__defineGetter__', nodes: ['hasOwnProperty'], carried: [{ name: '__proto__', type: 'number' }] }],
    groups: [
      { id: '__proto__', title: 'Times three', nodes: ['__proto__', 'constructor'] },
      { id: 'constructor', title: 'Out', nodes: ['toString'] },
    ],
  };
}

/** A small valid graph with one node of id `id` (for the refused ids). */
export function oneNodeGraph(id: string) {
  return { schemaVersion: 1, metadata: { title: 'One node' }, nodes: [node(id, 'values.number', 0, 0, { value: 1 })], edges: [], zones: [], groups: [] };
}
