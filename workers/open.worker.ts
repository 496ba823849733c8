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
let opened: Graph | null = null;
/** The graph whose items the page is fetching in slices. */
let slicing: Graph | null = null;

/** The graph to send: itself when small, or an empty shell and the lengths of its lists when big. */
function shell<T extends { graph: Graph }>(r: T): T & { sliced?: Sliced } {
  const g = r.graph;
  if (g.nodes.length + g.edges.length <= 2 * SLICE_ITEMS) return r;
  slicing = g;
  return { ...r, graph: { ...g, nodes: [], edges: [] }, sliced: { nodes: g.nodes.length, edges: g.edges.length } };
}

const api = {
  async open(req: WorkerOpenRequest): Promise<PageOpened & { sliced?: Sliced }> {
    // A File is read here, so its bytes never fill the page's memory or thread.
    const r =
      req.kind === 'blob'
        ? openGraph({ kind: 'file', name: req.name, bytes: new Uint8Array(await req.blob.arrayBuffer()) }, registry)
        : openGraph(req, registry);
    opened = r.ok ? r.graph : null;
    return r.ok ? shell(r) : r;
  },

  /** Items `start`..`end` of the big graph the last answer left out. */
  slice(list: 'nodes' | 'edges', start: number, end: number): unknown[] {
    return slicing ? slicing[list].slice(start, end) : [];
  },

  /** The page has every slice. */
  sliced(): void {
    slicing = null;
  },

  /** Writes the graph the last `open` gave as library graph `id`. */
  async saveOpened(id: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (!opened) return { ok: false, message: 'nothing was opened to save' };
    try {
      await saveGraph(id, opened);
      return { ok: true };
    } catch (err) {
      return { ok: false, message: describeStorageError(err) };
    } finally {
      opened = null;
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
    return shell({ ok: true as const, id, graph: parsed.value, warnings: parsed.warnings, issues: validateGraph(parsed.value, registry), modified: entry.modified });
  },

  ping(): 'pong' {
    return 'pong';
  },
};

export type OpenApi = typeof api;

expose(api);
