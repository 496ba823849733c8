/// <reference lib="webworker" />
import { expose } from 'comlink';
import { openGraph, type OpenRequest } from '@/lib/openGraph';
import { decodeStored } from '@/app/storage/graphRecord';
import { loadGraph } from '@/app/storage/db';
import { parseGraph } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine } from '@/engine/errors';
import { registry } from '@/nodes';
import type { PageOpened, StoredOpened } from './openTypes';

/**
 * Opening off the page's main thread: reading, parsing, migrating and validating a file, PNG,
 * share link or stored graph happens here, so a big or hostile one never freezes the editor.
 * The page can terminate this worker to cancel.
 */
const api = {
  open(req: OpenRequest): PageOpened {
    const opened = openGraph(req, registry);
    if (!opened.ok) return opened;
    // Each node's JSON rides along, so the page's autosave need not stringify the graph again.
    return { ...opened, nodeJson: opened.graph.nodes.map((n) => JSON.stringify(n)) };
  },

  /** A library graph from IndexedDB; when it cannot be opened, its saved text comes back for download. */
  async openStored(id: string): Promise<StoredOpened> {
    const stored = await loadGraph(id);
    if (!stored) return { ok: false, code: 'missing', id, title: '', lines: ['it is no longer in the library'] };
    const { entry, values } = stored;
    const decoded = decodeStored(entry.json, entry.refs, values);
    const broken = (lines: string[]): StoredOpened => ({ ok: false, code: 'unreadable', id, title: entry.title, lines, text: decoded.text });
    if (!decoded.ok) return broken([decoded.message]);
    const parsed = parseGraph(decoded.document, registry);
    if (!parsed.ok) return broken(parsed.errors.map(issueToLine));
    return {
      ok: true,
      id,
      graph: parsed.value,
      warnings: parsed.warnings,
      issues: validateGraph(parsed.value, registry),
      nodeJson: parsed.value.nodes.map((n) => JSON.stringify(n)),
      modified: entry.modified,
    };
  },

  ping(): 'pong' {
    return 'pong';
  },
};

export type OpenApi = typeof api;

expose(api);
