import type { Graph } from '@/engine/graph/document';
import { compactJson } from '@/engine/graph/size';

/**
 * When IndexedDB refuses a save (storage full, a broken database), the edit is kept here in
 * localStorage, which has a quota of its own and is written at once: a crash or a kill before
 * storage recovers loses nothing. The copy goes when a save succeeds; on the next start a copy
 * newer than the stored graph is opened instead of it.
 */
const PREFIX = 'weft-rescue:';
/** localStorage holds about 5 million characters per site; a larger graph can only go to a file. */
const MAX_CHARS = 4_000_000;

export interface Rescue {
  modified: number;
  json: string;
}

export function keepRescue(id: string, graph: Graph): boolean {
  try {
    const json = compactJson(graph);
    if (json.length > MAX_CHARS) return false;
    localStorage.setItem(PREFIX + id, JSON.stringify({ modified: Date.now(), json }));
    return true;
  } catch {
    return false;
  }
}

export function readRescue(id: string): Rescue | null {
  try {
    const raw = localStorage.getItem(PREFIX + id);
    if (!raw) return null;
    const r = JSON.parse(raw) as Partial<Rescue>;
    return typeof r.modified === 'number' && typeof r.json === 'string' ? { modified: r.modified, json: r.json } : null;
  } catch {
    return null;
  }
}

export function clearRescue(id: string): void {
  try {
    localStorage.removeItem(PREFIX + id);
  } catch {
    // Nothing kept, nothing to clear.
  }
}
