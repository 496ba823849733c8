/// <reference lib="webworker" />
import { expose } from 'comlink';
import { openGraph } from '@/lib/openGraph';
import { decodeStored } from '@/app/storage/graphRecord';
import { describeStorageError, loadGraph, saveGraph } from '@/app/storage/db';
import type { Graph } from '@/engine/graph/document';
import { parseGraph } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine } from '@/engine/errors';
import { registry } from '@/nodes';
import { SLICE_ITEMS, type PageOpened, type Sliced, type StoredOpened, type WorkerOpenRequest } from './openTypes';

/**
 * Opening off the page's main thread: reading, parsing, migrating and validating a file, PNG,
 * share link or stored graph happens here, so a big or hostile one never freezes the editor.
 * A graph that opens as a new library graph is also first written to IndexedDB from here (a big
 * one costs the page nothing to save). The page can terminate this worker to cancel.
 */
/** Graphs the worker holds for the page, by token: opened (until saved) or being sliced. */
const held = new Map<number, Graph>();
let nextToken = 1;
/** A link the user never accepts leaves its graph here; only the newest few are kept. */
const HELD = 4;

function hold(graph: Graph): number {
  const token = nextToken++;
  held.set(token, graph);
  for (const old of held.keys()) if (held.size > HELD) held.delete(old);
  return token;
}

/** The graph to send: itself when small, or an empty shell and the lengths of its lists when big. */
function shell<T extends { graph: Graph }>(r: T, token: number): T & { sliced?: Sliced } {
  const g = r.graph;
  if (g.nodes.length + g.edges.length <= 2 * SLICE_ITEMS) return r;
  return { ...r, graph: { ...g, nodes: [], edges: [] }, sliced: { token, nodes: g.nodes.length, edges: g.edges.length } };
}

const api = {
  async open(req: WorkerOpenRequest): Promise<PageOpened & { sliced?: Sliced }> {
    // A File is read here, so its bytes never fill the page's memory or thread.
    const r =
      req.kind === 'blob'
        ? openGraph({ kind: 'file', name: req.name, bytes: new Uint8Array(await req.blob.arrayBuffer()) }, registry)
        : openGraph(req, registry);
    if (!r.ok) return r;
    const token = hold(r.graph);
    return shell({ ...r, token }, token);
  },

  /** Items `start`..`end` of a big graph the last answer left out. */
  slice(token: number, list: 'nodes' | 'edges', start: number, end: number): unknown[] {
    return held.get(token)?.[list].slice(start, end) ?? [];
  },

  /** Writes the graph `token` names as library graph `id`, and lets it go. */
  async saveOpened(token: number, id: string): Promise<{ ok: true } | { ok: false; message: string }> {
    const graph = held.get(token);
    if (!graph) return { ok: false, message: 'the opened graph is no longer held (the worker was restarted)' };
    try {
      await saveGraph(id, graph);
      return { ok: true };
    } catch (err) {
      return { ok: false, message: describeStorageError(err) };
    } finally {
      held.delete(token);
    }
  },

  /** A library graph from IndexedDB; when it cannot be opened, its saved text comes back for download. */
  async openStored(id: string): Promise<StoredOpened & { sliced?: Sliced }> {
    const stored = await loadGraph(id);
    if (!stored) return { ok: false, code: 'missing', id, title: '', lines: ['it is no longer in the library'] };
    const { entry, values } = stored;
    const decoded = decodeStored(entry.json, entry.refs, values);
    const broken = (lines: string[]): StoredOpened => ({ ok: false, code: 'unreadable', id, title: entry.title, lines, text: decoded.text });
    if (!decoded.ok) return broken([decoded.message]);
    const parsed = parseGraph(decoded.document, registry);
    if (!parsed.ok) return broken(parsed.errors.map(issueToLine));
    const token = hold(parsed.value);
    const result = shell({ ok: true as const, id, graph: parsed.value, warnings: parsed.warnings, issues: validateGraph(parsed.value, registry), modified: entry.modified }, token);
    if (!result.sliced) held.delete(token); // a small one crossed whole: nothing to keep
    return result;
  },

  /** The page has every slice of `token`'s graph (a stored one is not kept after that). */
  sliced(token: number, keep: boolean): void {
    if (!keep) held.delete(token);
  },

  ping(): 'pong' {
    return 'pong';
  },
};

export type OpenApi = typeof api;

expose(api);
