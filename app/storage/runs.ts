/**
 * The run history: every finished run's graph, params, timings and outputs, kept in IndexedDB
 * (bounded: the newest RUNS_KEPT runs within RUNS_BYTES; older ones go first), listed from small
 * summaries and read whole only to reopen or diff.
 */
import type { Graph } from '@/engine/graph/document';
import { compactJson } from '@/engine/graph/size';
import { isImageValue, type ImageValue } from '@/engine/values';
import { encodePng } from '@/lib/png';
import { registry } from '@/nodes';
import type { TransferReport, TransferValue } from '@/workers/transfer';
import { BLOB_FROM_CHARS, db } from './db';

/** Most runs kept, and most bytes they may take (the oldest go first). */
export const RUNS_KEPT = 100;
export const RUNS_BYTES = 64 * 1024 * 1024;
/** Longest side of a run's thumbnail. */
const THUMB = 64;
/** Most images kept from one output (a batch of 16 keeps its first 8). */
const IMAGES_PER_OUTPUT = 8;
/** Longest text output kept. */
const TEXT_KEPT = 64 * 1024;

export interface RunOutputInfo {
  readonly nodeId: string;
  readonly name: string;
  readonly kind: 'image' | 'text';
  /** Images kept (image outputs). */
  readonly images?: number;
  readonly width?: number;
  readonly height?: number;
}

/** What the history lists: small, read all at once. */
export interface RunSummary {
  id: string;
  /** When the run ended, ms since the epoch. */
  at: number;
  title: string;
  status: 'ok' | 'error' | 'cancelled';
  ms: number;
  message?: string;
  prompt: string | null;
  seed: number | null;
  nodeCount: number;
  outputs: RunOutputInfo[];
  /** A PNG of the first image, at most THUMB pixels a side. */
  thumb?: Uint8Array;
  /** Bytes the run takes in storage (summary and data). */
  bytes: number;
}

export interface RunNodeTime {
  readonly id: string;
  readonly name: string;
  readonly ms: number;
  readonly status: string;
}

/** A run's graph and outputs, read to reopen or diff it. */
export interface RunData {
  id: string;
  /** The graph's compact JSON; '' when it is in `graphBlob`. */
  graph: string;
  graphBlob?: Blob;
  images: { nodeId: string; index: number; png: Uint8Array }[];
  texts: { nodeId: string; text: string }[];
  nodes: RunNodeTime[];
}

export interface StoredRun {
  readonly summary: RunSummary;
  readonly graphJson: string;
  readonly images: ReadonlyMap<string, readonly Uint8Array[]>;
  readonly texts: ReadonlyMap<string, string>;
  readonly nodes: readonly RunNodeTime[];
}

function imagesOf(v: TransferValue | undefined): ImageValue[] {
  if (isImageValue(v)) return [v];
  if (v && typeof v === 'object' && v.kind === 'list') return v.items.filter(isImageValue);
  return [];
}

/** Nearest-neighbour copy with the longest side at most `side` (the same image when already so). */
function shrunk(image: ImageValue, side: number): ImageValue {
  const scale = Math.max(image.width, image.height) / side;
  if (scale <= 1) return image;
  const w = Math.max(1, Math.round(image.width / scale));
  const h = Math.max(1, Math.round(image.height / scale));
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(image.height - 1, Math.floor(y * scale));
    for (let x = 0; x < w; x++) {
      const sx = Math.min(image.width - 1, Math.floor(x * scale));
      data.set(image.data.subarray((sy * image.width + sx) * 4, (sy * image.width + sx) * 4 + 4), (y * w + x) * 4);
    }
  }
  return { kind: 'image', width: w, height: h, data };
}

const nodeName = (graph: Graph, id: string) => {
  const n = graph.nodes.find((m) => m.id === id);
  return n ? n.label || registry.get(n.type)?.title || n.type : id;
};

/**
 * The record of one run: what the output nodes recorded (images as PNGs, text as text), each node's
 * time, the prompt and seed (as the results panel finds them) and the graph as it ran.
 */
export function runRecord(
  id: string,
  graph: Graph,
  report: Pick<TransferReport, 'status' | 'ms' | 'nodes' | 'outputs'>,
  at: number,
  found: { prompt: string | null; seed: number | null },
  message?: string,
): { summary: RunSummary; data: RunData } {
  const outputs: RunOutputInfo[] = [];
  const images: RunData['images'] = [];
  const texts: RunData['texts'] = [];
  let thumb: Uint8Array | undefined;
  for (const n of graph.nodes) {
    const recorded = report.outputs.get(n.id);
    if (!recorded) continue;
    const name = typeof n.params.name === 'string' && n.params.name ? n.params.name : n.label || n.type;
    if (n.type === 'output.image') {
      const imgs = imagesOf(recorded.get('image')).slice(0, IMAGES_PER_OUTPUT);
      if (!imgs.length) continue;
      imgs.forEach((im, index) => images.push({ nodeId: n.id, index, png: encodePng(im) }));
      thumb ??= encodePng(shrunk(imgs[0], THUMB));
      outputs.push({ nodeId: n.id, name, kind: 'image', images: imgs.length, width: imgs[0].width, height: imgs[0].height });
    } else if (n.type === 'output.value') {
      const v = recorded.get('value');
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      texts.push({ nodeId: n.id, text: String(v).slice(0, TEXT_KEPT) });
      outputs.push({ nodeId: n.id, name, kind: 'text' });
    }
  }
  const nodes: RunNodeTime[] = [...report.nodes].map(([nid, r]) => ({ id: nid, name: nodeName(graph, nid), ms: r.ms ?? 0, status: r.status }));
  const json = compactJson(graph);
  const status = report.status === 'ok' || report.status === 'cancelled' ? report.status : 'error';
  const bytes = json.length + images.reduce((a, i) => a + i.png.length, 0) + texts.reduce((a, t) => a + t.text.length, 0) + (thumb?.length ?? 0) + nodes.length * 48 + 512;
  return {
    summary: {
      id,
      at,
      title: graph.metadata.title ?? '',
      status,
      ms: report.ms,
      ...(message ? { message: message.slice(0, 500) } : {}),
      prompt: found.prompt === null ? null : found.prompt.slice(0, 500),
      seed: found.seed,
      nodeCount: graph.nodes.length,
      outputs,
      ...(thumb ? { thumb } : {}),
      bytes,
    },
    data: { id, ...(json.length > BLOB_FROM_CHARS ? { graph: '', graphBlob: new Blob([json], { type: 'application/json' }) } : { graph: json }), images, texts, nodes },
  };
}

/** Writes a run, then drops the oldest runs beyond RUNS_KEPT or RUNS_BYTES (the new one always stays). */
export async function saveRun(record: { summary: RunSummary; data: RunData }): Promise<{ dropped: number }> {
  const d = db();
  return d.transaction('rw', d.runs, d.runData, async () => {
    await d.runs.put(record.summary);
    await d.runData.put(record.data);
    const all = await d.runs.orderBy('at').reverse().toArray();
    let bytes = 0;
    const drop: string[] = [];
    all.forEach((r, i) => {
      bytes += r.bytes;
      if (r.id !== record.summary.id && (i >= RUNS_KEPT || bytes > RUNS_BYTES)) drop.push(r.id);
    });
    if (drop.length) {
      await d.runs.bulkDelete(drop);
      await d.runData.bulkDelete(drop);
    }
    return { dropped: drop.length };
  });
}

/** The history, newest first. */
export async function listRuns(): Promise<RunSummary[]> {
  return db().runs.orderBy('at').reverse().toArray();
}

export async function loadRun(id: string): Promise<StoredRun | undefined> {
  const d = db();
  const [summary, data] = await d.transaction('r', d.runs, d.runData, () => Promise.all([d.runs.get(id), d.runData.get(id)]));
  if (!summary || !data) return undefined;
  const graphJson = data.graphBlob ? await data.graphBlob.text() : data.graph;
  const images = new Map<string, Uint8Array[]>();
  for (const im of [...data.images].sort((x, y) => x.index - y.index)) {
    const list = images.get(im.nodeId) ?? [];
    list.push(im.png);
    images.set(im.nodeId, list);
  }
  return { summary, graphJson, images, texts: new Map(data.texts.map((t) => [t.nodeId, t.text] as const)), nodes: data.nodes };
}

export async function deleteRun(id: string): Promise<void> {
  const d = db();
  await d.transaction('rw', d.runs, d.runData, async () => {
    await d.runs.delete(id);
    await d.runData.delete(id);
  });
}

export async function clearRuns(): Promise<void> {
  const d = db();
  await d.transaction('rw', d.runs, d.runData, async () => {
    await d.runs.clear();
    await d.runData.clear();
  });
}
