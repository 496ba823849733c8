/**
 * What changed from one graph to another, as a person reads it: nodes added and removed, params
 * changed (before → after), wires added and removed, modes, labels and the title. Nodes are matched
 * by id (the ids a run history keeps are the document's own); a node whose type changed under the
 * same id counts as removed and added. Ids are values in Maps, never object keys.
 */
import type { Graph, GraphEdge, GraphNode } from './document';

export interface NodeRef {
  readonly id: string;
  readonly type: string;
  /** The node's label, else its type's title (else the type). */
  readonly name: string;
}

export interface ParamChange {
  readonly node: NodeRef;
  readonly param: string;
  /** Short text of each side ("(unset)" when the param is absent). */
  readonly before: string;
  readonly after: string;
}

export interface GraphDiff {
  readonly title: { readonly before: string; readonly after: string } | null;
  readonly nodesAdded: readonly NodeRef[];
  readonly nodesRemoved: readonly NodeRef[];
  readonly params: readonly ParamChange[];
  /** Label and mode changes, as param-like rows (`param` is "label" or "mode"). */
  readonly other: readonly ParamChange[];
  /** Wires as "Node.port → Node.port" lines. */
  readonly wiresAdded: readonly string[];
  readonly wiresRemoved: readonly string[];
  /** How many nodes moved (positions are not listed one by one). */
  readonly moved: number;
}

/** Longest text a value is shown at (a long prompt or an embedded image is cut with its length). */
const SHOWN = 120;

export function shortValue(v: unknown): string {
  if (v === undefined) return '(unset)';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return text.length > SHOWN ? `${text.slice(0, SHOWN - 20)}… (${text.length.toLocaleString('en')} characters)` : text;
}

/** A type's title for people ("Latent Noise" for `latent.noise`); the type itself when none is known. */
export type TitleOf = (type: string) => string | undefined;

const nameOf = (n: GraphNode, titleOf?: TitleOf) => n.label || titleOf?.(n.type) || n.type;

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function wireText(e: GraphEdge, names: ReadonlyMap<string, string>): string {
  return `${names.get(e.from.node) ?? e.from.node}.${e.from.port} → ${names.get(e.to.node) ?? e.to.node}.${e.to.port}`;
}

const wireKey = (e: GraphEdge) => JSON.stringify([e.from.node, e.from.port, e.to.node, e.to.port]);

export function diffGraphs(before: Graph, after: Graph, titleOf?: TitleOf): GraphDiff {
  const ref = (n: GraphNode): NodeRef => ({ id: n.id, type: n.type, name: nameOf(n, titleOf) });
  const a = new Map(before.nodes.map((n) => [n.id, n] as const));
  const b = new Map(after.nodes.map((n) => [n.id, n] as const));
  const nodesAdded: NodeRef[] = [];
  const nodesRemoved: NodeRef[] = [];
  const params: ParamChange[] = [];
  const other: ParamChange[] = [];
  let moved = 0;
  for (const [id, na] of a) {
    const nb = b.get(id);
    if (!nb || nb.type !== na.type) nodesRemoved.push(ref(na));
  }
  for (const [id, nb] of b) {
    const na = a.get(id);
    if (!na || na.type !== nb.type) {
      nodesAdded.push(ref(nb));
      continue;
    }
    const keys = new Set([...Object.keys(na.params), ...Object.keys(nb.params)]);
    for (const k of [...keys].sort()) {
      const va = Object.hasOwn(na.params, k) ? na.params[k] : undefined;
      const vb = Object.hasOwn(nb.params, k) ? nb.params[k] : undefined;
      if (!same(va, vb)) params.push({ node: ref(nb), param: k, before: shortValue(va), after: shortValue(vb) });
    }
    if ((na.label ?? '') !== (nb.label ?? '')) other.push({ node: ref(nb), param: 'label', before: shortValue(na.label), after: shortValue(nb.label) });
    if (na.mode !== nb.mode) other.push({ node: ref(nb), param: 'mode', before: na.mode, after: nb.mode });
    if (na.position.x !== nb.position.x || na.position.y !== nb.position.y) moved++;
  }
  const namesA = new Map([...a].map(([id, n]) => [id, nameOf(n, titleOf)] as const));
  const namesB = new Map([...b].map(([id, n]) => [id, nameOf(n, titleOf)] as const));
  const wa = new Map(before.edges.map((e) => [wireKey(e), e] as const));
  const wb = new Map(after.edges.map((e) => [wireKey(e), e] as const));
  const wiresRemoved = [...wa].filter(([k]) => !wb.has(k)).map(([, e]) => wireText(e, namesA));
  const wiresAdded = [...wb].filter(([k]) => !wa.has(k)).map(([, e]) => wireText(e, namesB));
  const ta = before.metadata.title ?? '';
  const tb = after.metadata.title ?? '';
  return { title: ta === tb ? null : { before: ta, after: tb }, nodesAdded, nodesRemoved, params, other, wiresAdded, wiresRemoved, moved };
}

/** Whether the two graphs compute the same thing (positions and the title aside). */
export function sameComputation(d: GraphDiff): boolean {
  return !d.nodesAdded.length && !d.nodesRemoved.length && !d.params.length && !d.wiresAdded.length && !d.wiresRemoved.length && !d.other.some((o) => o.param === 'mode');
}
