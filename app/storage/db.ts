import Dexie, { type EntityTable } from 'dexie';
import type { Graph } from '@/engine/graph/document';
import { encodeForStorage, type LargeValueRef } from './graphRecord';
import type { RunData, RunSummary } from './runs';

/**
 * One graph in the library: its compact JSON, with large param values (images, tensors) kept
 * once in `largeValues` and named by `refs` (see graphRecord.ts). Records written before
 * large values moved out have no refs: their `json` is the whole graph.
 */
export interface StoredGraph {
  id: string;
  title: string;
  /** Milliseconds since the epoch. */
  modified: number;
  nodeCount: number;
  /** The document's compact JSON; '' when it is kept in `jsonBlob` instead. */
  json: string;
  /**
   * A big document's JSON as a Blob: the browser writes a Blob to IndexedDB without copying it on
   * the page's thread (a 16 MB string took ~180 ms of it), and reads it back off the thread.
   */
  jsonBlob?: Blob;
  refs?: LargeValueRef[];
  /** The hashes `refs` use (indexed, so a value no graph uses can be found and deleted). */
  valueHashes?: string[];
}

export interface LargeValue {
  hash: string;
  text: string;
}

export interface Setting {
  key: string;
  value: string;
}

export type GraphSummary = Omit<StoredGraph, 'json' | 'jsonBlob' | 'refs' | 'valueHashes'>;

/** Documents longer than this are stored as a Blob. */
export const BLOB_FROM_CHARS = 512 * 1024;

class WeftDb extends Dexie {
  graphs!: EntityTable<StoredGraph, 'id'>;
  settings!: EntityTable<Setting, 'key'>;
  largeValues!: EntityTable<LargeValue, 'hash'>;
  /** The run history (runs.ts): a summary per run to list, its graph and outputs apart. */
  runs!: EntityTable<RunSummary, 'id'>;
  runData!: EntityTable<RunData, 'id'>;
  constructor() {
    super('weft');
    this.version(1).stores({ graphs: 'id, modified, title', settings: 'key' });
    this.version(2).stores({ graphs: 'id, modified, title, *valueHashes', settings: 'key', largeValues: 'hash' });
    this.version(3).stores({ graphs: 'id, modified, title, *valueHashes', settings: 'key', largeValues: 'hash', runs: 'id, at', runData: 'id' });
  }
}

let instance: WeftDb | undefined;
export function db(): WeftDb {
  instance ??= new WeftDb();
  return instance;
}

const CURRENT = 'currentGraphId';

export function newGraphId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `g-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export async function listGraphs(): Promise<GraphSummary[]> {
  const all = await db().graphs.orderBy('modified').reverse().toArray();
  return all.map(({ json: _json, jsonBlob: _blob, refs: _refs, valueHashes: _hashes, ...rest }) => rest);
}

/** A stored graph (its JSON read back into `json`) with the large values it names (those storage still has). */
export async function loadGraph(id: string): Promise<{ entry: StoredGraph; values: Map<string, string> } | undefined> {
  const found = await db().transaction('r', db().graphs, db().largeValues, async () => {
    const entry = await db().graphs.get(id);
    if (!entry) return undefined;
    const hashes = [...new Set(entry.valueHashes ?? entry.refs?.map((r) => r.hash) ?? [])];
    const stored = hashes.length ? await db().largeValues.bulkGet(hashes) : [];
    const values = new Map<string, string>();
    for (const v of stored) if (v) values.set(v.hash, v.text);
    return { entry, values };
  });
  // A Blob is read after the transaction (reading it is not an IndexedDB request).
  if (found?.entry.jsonBlob) found.entry = { ...found.entry, json: await found.entry.jsonBlob.text() };
  return found;
}

/** Writes a graph: its large values once each, then its record; values no graph names any more go. */
export async function saveGraph(id: string, graph: Graph, modified = Date.now()): Promise<void> {
  const encoded = await encodeForStorage(graph);
  const hashes = [...encoded.values.keys()];
  const text = encoded.chars > BLOB_FROM_CHARS ? { json: '', jsonBlob: new Blob(encoded.parts, { type: 'application/json' }) } : { json: encoded.parts.join('') };
  const d = db();
  await d.transaction('rw', d.graphs, d.largeValues, async () => {
    const old = await d.graphs.get(id);
    const have = hashes.length ? await d.largeValues.bulkGet(hashes) : [];
    const missing = hashes.filter((_, i) => !have[i]).map((hash) => ({ hash, text: encoded.values.get(hash)! }));
    if (missing.length) await d.largeValues.bulkPut(missing);
    await d.graphs.put({
      id,
      title: graph.metadata.title,
      modified,
      nodeCount: graph.nodes.length,
      ...text,
      ...(encoded.refs.length ? { refs: encoded.refs, valueHashes: hashes } : {}),
    });
    await dropUnused(d, (old?.valueHashes ?? []).filter((h) => !encoded.values.has(h)));
  });
}

/** Deletes the large values among `hashes` that no stored graph names. */
async function dropUnused(d: WeftDb, hashes: readonly string[]): Promise<void> {
  for (const hash of new Set(hashes)) {
    if ((await d.graphs.where('valueHashes').equals(hash).count()) === 0) await d.largeValues.delete(hash);
  }
}

/** A record's document with a new title (the library title and the document's own stay in step). */
async function retitled(entry: StoredGraph, title: string): Promise<Pick<StoredGraph, 'json' | 'jsonBlob'>> {
  let text = entry.jsonBlob ? await entry.jsonBlob.text() : entry.json;
  try {
    const doc = JSON.parse(text) as { metadata?: { title?: string } };
    if (doc.metadata) doc.metadata.title = title;
    text = JSON.stringify(doc);
  } catch {
    // Leave a damaged document's text alone; the library title still changes.
  }
  return text.length > BLOB_FROM_CHARS ? { json: '', jsonBlob: new Blob([text], { type: 'application/json' }) } : { json: text, jsonBlob: undefined };
}

/**
 * Rewrites a record in one transaction when it is still what `change` was computed from (the
 * autosave may write it meanwhile; then the change is made again, on the new record).
 */
async function rewriteRecord(id: string, change: (entry: StoredGraph) => Promise<StoredGraph | null>): Promise<StoredGraph | null> {
  const d = db();
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await d.graphs.get(id);
    if (!entry) return null;
    const next = await change(entry);
    if (!next) return null;
    const written = await d.transaction('rw', d.graphs, async () => {
      const now = await d.graphs.get(id);
      if (!now || now.modified !== entry.modified || now.json !== entry.json) return false;
      await d.graphs.put(next);
      return true;
    });
    if (written) return next;
  }
  throw new Error('the graph kept changing while it was being renamed or copied; try again');
}

export async function renameGraph(id: string, title: string): Promise<void> {
  await rewriteRecord(id, async (entry) => ({ ...entry, title, ...(await retitled(entry, title)), modified: Date.now() }));
}

export async function duplicateGraph(id: string): Promise<string | undefined> {
  const copyId = newGraphId();
  // The copy names the same large values: they are kept once for both. It is written in the same
  // transaction that finds the original unchanged, so the values it names are still stored.
  const copy = await rewriteRecord(id, async (entry) => {
    const title = `${entry.title} (copy)`.slice(0, 200);
    return { ...entry, id: copyId, title, ...(await retitled(entry, title)), modified: Date.now() };
  });
  return copy ? copyId : undefined;
}

export async function deleteGraph(id: string): Promise<void> {
  const d = db();
  await d.transaction('rw', d.graphs, d.largeValues, async () => {
    const entry = await d.graphs.get(id);
    await d.graphs.delete(id);
    await dropUnused(d, entry?.valueHashes ?? []);
  });
}

export async function getCurrentGraphId(): Promise<string | undefined> {
  return (await db().settings.get(CURRENT))?.value;
}

export async function setCurrentGraphId(id: string): Promise<void> {
  await db().settings.put({ key: CURRENT, value: id });
}

/** A sentence for a storage failure, naming the quota case people can act on. */
export function describeStorageError(err: unknown): string {
  const name = (err as { name?: string; inner?: { name?: string } })?.inner?.name ?? (err as { name?: string })?.name;
  if (name === 'QuotaExceededError') {
    return 'Browser storage is full, so the graph could not be saved. Free space (delete graphs from the library) or save it to a file; Weft keeps trying.';
  }
  const message = err instanceof Error ? err.message : String(err);
  return `The graph could not be saved in the browser's storage (${name ?? 'error'}: ${message}). Weft keeps trying; save it to a file to be sure of your work.`;
}
