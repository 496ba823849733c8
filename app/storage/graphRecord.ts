import type { Graph, GraphNode } from '@/engine/graph/document';
import { compactJsonParts, jsonOfItem } from '@/engine/graph/size';
import { hasKey } from '@/engine/record';

/**
 * How a graph is kept in the library: its compact JSON with each large param value (a Load
 * Image PNG, a Load Tensor .npy) taken out and stored once, by content hash, beside it. An edit
 * elsewhere in the graph then rewrites a few kilobytes, not the images; a value shared by graphs
 * (a duplicate, the versions of one graph) is kept once.
 */

/** Param strings at least this long are stored beside the graph. */
export const LARGE_VALUE_CHARS = 32 * 1024;

/** Where a large value goes back: `nodes[node].params[param]`. */
export interface LargeValueRef {
  node: number;
  param: string;
  hash: string;
}

export interface EncodedGraph {
  /** Compact JSON with each large value replaced by "", in pieces (join them, or make a Blob). */
  parts: string[];
  /** Characters of the joined text. */
  chars: number;
  refs: LargeValueRef[];
  /** The large values by hash. */
  values: Map<string, string>;
}

type StoredNode = { json: string; large: [string, string][] };
const storedNodes = new WeakMap<GraphNode, StoredNode>();

function storedNode(node: GraphNode): StoredNode {
  let s = storedNodes.get(node);
  if (s) return s;
  const large: [string, string][] = [];
  for (const key of Object.keys(node.params)) {
    const v = node.params[key];
    if (typeof v === 'string' && v.length >= LARGE_VALUE_CHARS) large.push([key, v]);
  }
  if (!large.length) s = { json: jsonOfItem(node), large };
  else {
    const taken = new Set(large.map(([k]) => k));
    // fromEntries defines own properties: a key is never a prototype setter.
    const params = Object.fromEntries(Object.keys(node.params).map((k) => [k, taken.has(k) ? '' : node.params[k]]));
    s = { json: JSON.stringify({ ...node, params }), large };
  }
  storedNodes.set(node, s);
  return s;
}

/**
 * The stored form of a graph; `hash` names a large value by its content. Where the page has no
 * WebCrypto (served over plain http from another machine) nothing is hashed: large values stay
 * in the JSON, which costs space and time, never correctness.
 */
export async function encodeForStorage(graph: Graph, hash: ((text: string) => Promise<string>) | null = canHash() ? hashText : null): Promise<EncodedGraph> {
  const refs: LargeValueRef[] = [];
  const values = new Map<string, string>();
  if (!hash) {
    const parts = compactJsonParts(graph);
    return { parts, chars: parts.reduce((n, p) => n + p.length, 0), refs, values };
  }
  for (let i = 0; i < graph.nodes.length; i++) {
    for (const [param, text] of storedNode(graph.nodes[i]).large) {
      const h = await hash(text);
      refs.push({ node: i, param, hash: h });
      values.set(h, text);
    }
  }
  const parts = compactJsonParts(graph, (item, list) => (list === 'nodes' ? storedNode(item as GraphNode).json : jsonOfItem(item)));
  let chars = 0;
  for (const p of parts) chars += p.length;
  return { parts, chars, refs, values };
}

export type Decoded = { ok: true; document: unknown; text: string } | { ok: false; message: string; text: string };

/**
 * The stored graph as a document again (to be checked by parseGraph), and its full JSON text
 * (what "download the broken graph" gives). A missing value or a ref that does not fit is an
 * error naming the node and param; the document is never guessed at.
 */
export function decodeStored(json: string, refs: readonly LargeValueRef[] | undefined, values: ReadonlyMap<string, string>): Decoded {
  if (!refs?.length) {
    try {
      return { ok: true, document: JSON.parse(json), text: json };
    } catch (err) {
      return { ok: false, message: `the saved text is not valid JSON: ${(err as Error).message}`, text: json };
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    return { ok: false, message: `the saved text is not valid JSON: ${(err as Error).message}`, text: json };
  }
  const nodes = (doc as { nodes?: unknown })?.nodes;
  const missing: string[] = [];
  for (const ref of refs) {
    const node = Array.isArray(nodes) ? nodes[ref.node] : undefined;
    const params = node && typeof node === 'object' ? (node as { params?: unknown }).params : undefined;
    const text = values.get(ref.hash);
    if (!params || typeof params !== 'object' || !hasKey(params, ref.param) || text === undefined) {
      missing.push(`nodes[${ref.node}].params.${ref.param}`);
      continue;
    }
    Object.defineProperty(params, ref.param, { value: text, enumerable: true, writable: true, configurable: true });
  }
  // Whatever storage still has is put back, so a download of a damaged graph keeps it.
  const text = JSON.stringify(doc);
  if (missing.length) return { ok: false, message: `the saved value${missing.length > 1 ? 's' : ''} of ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing from the browser's storage`, text };
  return { ok: true, document: doc, text };
}

function canHash(): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';
}

/** Hex sha256 of a text, remembered for the last few large values (autosave asks again after every edit). */
const recent = new Map<string, Promise<string>>();
export function hashText(text: string): Promise<string> {
  let h = recent.get(text);
  if (h) return h;
  h = crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then((d) => Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join(''));
  recent.set(text, h);
  h.catch(() => recent.delete(text)); // a failure is not remembered
  if (recent.size > 16) recent.delete(recent.keys().next().value!);
  return h;
}
