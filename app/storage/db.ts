import Dexie, { type EntityTable } from 'dexie';

/** One graph in the library. The document is stored as its JSON text and parsed on open. */
export interface StoredGraph {
  id: string;
  title: string;
  /** Milliseconds since the epoch. */
  modified: number;
  nodeCount: number;
  json: string;
}

export interface Setting {
  key: string;
  value: string;
}

export type GraphSummary = Omit<StoredGraph, 'json'>;

class WeftDb extends Dexie {
  graphs!: EntityTable<StoredGraph, 'id'>;
  settings!: EntityTable<Setting, 'key'>;
  constructor() {
    super('weft');
    this.version(1).stores({ graphs: 'id, modified, title', settings: 'key' });
  }
}

let instance: WeftDb | undefined;
function db(): WeftDb {
  instance ??= new WeftDb();
  return instance;
}

const CURRENT = 'currentGraphId';

export function newGraphId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `g-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export async function listGraphs(): Promise<GraphSummary[]> {
  const all = await db().graphs.orderBy('modified').reverse().toArray();
  return all.map(({ json: _json, ...rest }) => rest);
}

export async function loadGraph(id: string): Promise<StoredGraph | undefined> {
  return db().graphs.get(id);
}

export async function saveGraph(entry: StoredGraph): Promise<void> {
  await db().graphs.put(entry);
}

export async function renameGraph(id: string, title: string): Promise<void> {
  const entry = await db().graphs.get(id);
  if (!entry) return;
  // The title lives in the document too; keep both in step.
  let json = entry.json;
  try {
    const doc = JSON.parse(json) as { metadata?: { title?: string } };
    if (doc.metadata) doc.metadata.title = title;
    json = JSON.stringify(doc, null, 2);
  } catch {
    // Leave a damaged document's text alone; the library title still changes.
  }
  await db().graphs.update(id, { title, json, modified: Date.now() });
}

export async function duplicateGraph(id: string): Promise<string | undefined> {
  const entry = await db().graphs.get(id);
  if (!entry) return undefined;
  const copyId = newGraphId();
  const title = `${entry.title} (copy)`.slice(0, 200);
  let json = entry.json;
  try {
    const doc = JSON.parse(json) as { metadata?: { title?: string } };
    if (doc.metadata) doc.metadata.title = title;
    json = JSON.stringify(doc, null, 2);
  } catch {
    // as in renameGraph
  }
  await db().graphs.put({ ...entry, id: copyId, title, json, modified: Date.now() });
  return copyId;
}

export async function deleteGraph(id: string): Promise<void> {
  await db().graphs.delete(id);
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
    return 'Browser storage is full, so the graph could not be saved. Free space (delete graphs from the library) or save it to a file.';
  }
  const message = err instanceof Error ? err.message : String(err);
  return `The graph could not be saved in the browser's storage (${name ?? 'error'}: ${message}). Save it to a file to keep your work.`;
}
