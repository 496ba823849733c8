import { issue, type GraphIssue, type PathPart } from '@/engine/errors';
import type { NodeMode } from '@/engine/graph/document';
import { LIMITS } from '@/engine/graph/limits';
import { widgetNames } from './classes';

/**
 * ComfyUI's three workflow formats, read into one shape. The formats (facts from ComfyUI's
 * `api_schemas/prompt_format.json` and ComfyUI_frontend's `workflowSchema.ts`):
 * - API ("prompt") format: `{ [id]: { class_type, inputs: { name: literal | [fromId, slot] }, _meta?: { title } } }`;
 * - UI workflow 0.4: `{ nodes: [{ id, type, pos, size, mode, title?, inputs: [{ name, link, widget? }],
 *   outputs, widgets_values }], links: [[id, fromId, fromSlot, toId, toSlot, type]], groups, version: 0.4 }`;
 * - UI workflow 1: as 0.4 with `state`, links as `{ id, origin_id, origin_slot, target_id, target_slot, type }`
 *   and `definitions.subgraphs`.
 * Everything read is hostile: ids live in Maps, every refusal names its path.
 */

export type ComfyFormat = 'api' | 'ui-0.4' | 'ui-1';

export interface ComfyLink {
  readonly node: string;
  readonly slot: number;
}

export interface ComfyNode {
  readonly id: string;
  readonly classType: string;
  /** `_meta.title` or the UI node's `title` (absent when the user kept the class's own name). */
  readonly title?: string;
  readonly mode: NodeMode;
  readonly pos?: { x: number; y: number };
  /** Widget values by name (API literals; UI widgets_values named by the class's widget list). */
  readonly values: Map<string, unknown>;
  /** UI widgets_values as written (kept for classes whose widget names Weft does not know). */
  readonly widgets?: readonly unknown[];
  /** Linked inputs by name. */
  readonly links: Map<string, ComfyLink>;
  /** Input names in the order the file lists them (placeholders keep it). */
  readonly inputOrder: readonly string[];
  readonly colour?: string;
}

export interface ComfyGroup {
  readonly title: string;
  readonly bounding: readonly [number, number, number, number];
  readonly colour?: string;
}

export interface ComfyGraph {
  readonly format: ComfyFormat;
  readonly nodes: Map<string, ComfyNode>;
  readonly groups: readonly ComfyGroup[];
  /** Reroutes and primitives folded into the wires and values they carried. */
  readonly folded: { reroutes: number; primitives: number };
  /** Subgraph definitions present (Weft has no subgraphs; their instances stay placeholders). */
  readonly subgraphs: Map<string, string>;
}

export type ComfyRead = { ok: true; graph: ComfyGraph } | { ok: false; errors: GraphIssue[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

/** Which ComfyUI format a parsed JSON value is, or undefined when it is not one (a Weft graph, anything else). */
export function comfyFormatOf(value: unknown): ComfyFormat | undefined {
  if (!isObj(value)) return undefined;
  if (own(value, 'schemaVersion') !== undefined) return undefined;
  const nodes = own(value, 'nodes');
  const links = own(value, 'links');
  if (Array.isArray(nodes) && (Array.isArray(links) || own(value, 'last_node_id') !== undefined || own(value, 'state') !== undefined)) {
    const version = own(value, 'version');
    return version === 1 || isObj(own(value, 'state')) || (Array.isArray(links) && links.some((l) => isObj(l))) ? 'ui-1' : 'ui-0.4';
  }
  const entries = Object.keys(value);
  if (entries.length > 0 && entries.every((k) => isObj(own(value, k)) && typeof (own(value, k) as Obj).class_type === 'string')) return 'api';
  return undefined;
}

const MAX_NODES = LIMITS.nodes;

export function readComfy(value: unknown): ComfyRead {
  const format = comfyFormatOf(value);
  if (!format) return { ok: false, errors: [issue('not_comfy', '', 'this is not a ComfyUI workflow (API format, or a UI workflow with nodes and links)')] };
  const errors: GraphIssue[] = [];
  const fail = (path: PathPart[], message: string) => {
    if (errors.length < 20) errors.push(issue('bad_comfy', path, message));
  };
  const graph = format === 'api' ? readApi(value as Obj, fail) : readUi(value as Obj, format, fail);
  if (errors.length || !graph) return { ok: false, errors: errors.length ? errors : [issue('bad_comfy', '', 'the workflow could not be read')] };
  return { ok: true, graph };
}

type Fail = (path: PathPart[], message: string) => void;

function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= -1e15 && v <= 1e15) return String(v);
  if (typeof v === 'string' && v.length > 0 && v.length <= 48) return v;
  return undefined;
}

function readApi(value: Obj, fail: Fail): ComfyGraph | undefined {
  const nodes = new Map<string, ComfyNode>();
  const ids = Object.keys(value);
  if (ids.length > MAX_NODES) return fail([], `${ids.length} nodes; Weft opens at most ${MAX_NODES}`), undefined;
  for (const id of ids) {
    const raw = value[id] as Obj;
    if (!idOf(id)) fail([id], 'a node id is 1 to 48 characters');
    const inputs = own(raw, 'inputs');
    if (inputs !== undefined && !isObj(inputs)) {
      fail([id, 'inputs'], 'inputs must be an object of input names');
      continue;
    }
    const values = new Map<string, unknown>();
    const links = new Map<string, ComfyLink>();
    const order: string[] = [];
    for (const [name, v] of Object.entries(inputs ?? {})) {
      order.push(name);
      if (Array.isArray(v) && v.length === 2 && idOf(v[0]) !== undefined && Number.isInteger(v[1])) {
        links.set(name, { node: idOf(v[0])!, slot: v[1] as number });
      } else values.set(name, v);
    }
    const meta = own(raw, '_meta');
    const title = isObj(meta) && typeof meta.title === 'string' ? meta.title.slice(0, 200) : undefined;
    nodes.set(id, { id, classType: String(raw.class_type).slice(0, 100), ...(title ? { title } : {}), mode: 'normal', values, links, inputOrder: order });
  }
  for (const n of nodes.values())
    for (const [name, l] of n.links) if (!nodes.has(l.node)) fail([n.id, 'inputs', name], `links to node '${l.node}', which is not in the workflow`);
  return { format: 'api', nodes, groups: [], folded: { reroutes: 0, primitives: 0 }, subgraphs: new Map() };
}

interface UiLink {
  readonly from: string;
  readonly slot: number;
}

function readUi(value: Obj, format: ComfyFormat, fail: Fail): ComfyGraph | undefined {
  const rawNodes = value.nodes as unknown[];
  if (rawNodes.length > MAX_NODES) return fail(['nodes'], `${rawNodes.length} nodes; Weft opens at most ${MAX_NODES}`), undefined;
  const rawLinks = own(value, 'links');
  if (rawLinks !== undefined && !Array.isArray(rawLinks)) return fail(['links'], 'links must be a list'), undefined;
  const links = new Map<string, UiLink>();
  (rawLinks ?? []).forEach((l: unknown, i: number) => {
    let id: string | undefined, from: string | undefined, slot: unknown;
    if (Array.isArray(l)) [id, from, slot] = [idOf(l[0]), idOf(l[1]), l[2]];
    else if (isObj(l)) [id, from, slot] = [idOf(l.id), idOf(l.origin_id), l.origin_slot];
    if (id === undefined || from === undefined || !Number.isInteger(slot)) return fail(['links', i], 'a link is [id, from node, from slot, to node, to slot, type] or { id, origin_id, origin_slot, … }');
    links.set(id, { from, slot: slot as number });
  });

  const subgraphs = new Map<string, string>();
  const defs = own(value, 'definitions');
  const subs = isObj(defs) ? own(defs, 'subgraphs') : undefined;
  if (Array.isArray(subs)) for (const s of subs) if (isObj(s) && typeof s.id === 'string') subgraphs.set(s.id, typeof s.name === 'string' ? s.name.slice(0, 200) : s.id);

  // First pass: every node as written.
  interface Raw {
    id: string;
    type: string;
    obj: Obj;
    inputs: { name: string; link?: string; widget?: string }[];
    widgets: unknown[] | Obj | undefined;
  }
  const raws = new Map<string, Raw>();
  rawNodes.forEach((n, i) => {
    if (!isObj(n)) return fail(['nodes', i], 'a node is an object');
    const id = idOf(n.id);
    if (id === undefined) return fail(['nodes', i, 'id'], 'a node id is a number or a short string');
    if (raws.has(id)) return fail(['nodes', i, 'id'], `node id ${id} is used twice`);
    if (typeof n.type !== 'string' || !n.type) return fail(['nodes', i, 'type'], 'a node names its type');
    const inputs: Raw['inputs'] = [];
    const rawInputs = own(n, 'inputs');
    if (rawInputs !== undefined && !Array.isArray(rawInputs)) return fail(['nodes', i, 'inputs'], 'inputs must be a list');
    for (const [k, inp] of (rawInputs ?? []).entries()) {
      if (!isObj(inp) || typeof inp.name !== 'string') {
        fail(['nodes', i, 'inputs', k], 'an input has a name');
        continue;
      }
      const link = idOf(inp.link);
      const widget = isObj(inp.widget) && typeof inp.widget.name === 'string' ? inp.widget.name : undefined;
      inputs.push({ name: inp.name, ...(link !== undefined ? { link } : {}), ...(widget ? { widget } : {}) });
    }
    const widgets = own(n, 'widgets_values');
    raws.set(id, { id, type: n.type.slice(0, 100), obj: n, inputs, widgets: Array.isArray(widgets) || isObj(widgets) ? widgets : undefined });
  });

  // Reroutes (legacy nodes) fold into the wires through them; a chain is followed to its origin.
  const origin = (link: string | undefined, path: PathPart[]): ComfyLink | undefined => {
    const seen = new Set<string>();
    let l = link !== undefined ? links.get(link) : undefined;
    while (l) {
      const from = raws.get(l.from);
      if (!from) return fail(path, `links to node ${l.from}, which is not in the workflow`), undefined;
      if (from.type !== 'Reroute') return { node: from.id, slot: l.slot };
      if (seen.has(from.id)) return fail(path, 'the reroutes form a loop'), undefined;
      seen.add(from.id);
      l = from.inputs[0]?.link !== undefined ? links.get(from.inputs[0].link!) : undefined;
    }
    return undefined;
  };

  const nodes = new Map<string, ComfyNode>();
  let reroutes = 0;
  let primitives = 0;
  let i = -1;
  for (const r of raws.values()) {
    i++;
    if (r.type === 'Reroute') {
      reroutes++;
      continue;
    }
    if (r.type === 'PrimitiveNode') {
      primitives++;
      continue;
    }
    const values = new Map<string, unknown>();
    const names = widgetNames(r.type);
    const list = Array.isArray(r.widgets) ? (r.widgets as unknown[]) : undefined;
    if (list && names) names.forEach((name, k) => k < list.length && values.set(name, list[k]));
    else if (isObj(r.widgets)) for (const [k, v] of Object.entries(r.widgets)) values.set(k, v);
    const nodeLinks = new Map<string, ComfyLink>();
    const order: string[] = [];
    r.inputs.forEach((inp, k) => {
      order.push(inp.name);
      const from = origin(inp.link, ['nodes', i, 'inputs', k, 'link']);
      if (!from) return;
      const src = raws.get(from.node)!;
      // A widget turned into an input and fed by a Primitive: the Primitive's value is the widget's.
      if (src.type === 'PrimitiveNode') {
        if (Array.isArray(src.widgets) && src.widgets.length) values.set(inp.widget ?? inp.name, src.widgets[0]);
        return;
      }
      nodeLinks.set(inp.widget ?? inp.name, from);
    });
    const pos = readPos(own(r.obj, 'pos'));
    const mode = own(r.obj, 'mode') === 2 ? 'muted' : own(r.obj, 'mode') === 4 ? 'bypassed' : 'normal';
    const title = typeof r.obj.title === 'string' ? r.obj.title.slice(0, 200) : undefined;
    const colour = typeof r.obj.color === 'string' ? r.obj.color : undefined;
    nodes.set(r.id, {
      id: r.id,
      classType: r.type,
      ...(title ? { title } : {}),
      mode,
      ...(pos ? { pos } : {}),
      values,
      ...(Array.isArray(r.widgets) ? { widgets: r.widgets } : {}),
      links: nodeLinks,
      inputOrder: order,
      ...(colour ? { colour } : {}),
    });
  }

  const groups: ComfyGroup[] = [];
  const rawGroups = own(value, 'groups');
  if (Array.isArray(rawGroups))
    rawGroups.forEach((g, gi) => {
      if (!isObj(g)) return fail(['groups', gi], 'a group is an object');
      const b = g.bounding;
      if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) return fail(['groups', gi, 'bounding'], 'a group bounding is [x, y, width, height]');
      groups.push({ title: typeof g.title === 'string' ? g.title.slice(0, 200) : 'Group', bounding: b as unknown as [number, number, number, number], ...(typeof g.color === 'string' ? { colour: g.color } : {}) });
    });
  return { format, nodes, groups, folded: { reroutes, primitives }, subgraphs };
}

function readPos(p: unknown): { x: number; y: number } | undefined {
  if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1])) return { x: p[0], y: p[1] };
  if (isObj(p) && typeof p['0'] === 'number' && typeof p['1'] === 'number' && Number.isFinite(p['0']) && Number.isFinite(p['1'])) return { x: p['0'] as number, y: p['1'] as number };
  return undefined;
}
