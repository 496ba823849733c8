import type { RunEvent, RunReport, RunStatus, NodeReport } from '@/engine/executor/types';
import { describeTextValue } from '@/ml/text/describe';
import type { GraphIssue } from '@/engine/errors';
import { isImageValue, isTensorValue, type ImageValue } from '@/engine/values';
import { tensorStats, type TensorStats } from '@/engine/tensorStats';
import type { Detection, DetectionsValue } from '@/ml/values';

function isDetections(v: unknown): v is DetectionsValue {
  const d = v as Partial<DetectionsValue> | null;
  return typeof d === 'object' && d !== null && d.kind === 'detections' && typeof d.width === 'number' && typeof d.height === 'number' && Array.isArray(d.items);
}

/** Only the fields the page draws, as plain numbers and short strings. */
function plainDetection(d: Detection): Detection {
  const [x0, y0, x1, y1] = d.box;
  return { box: [Number(x0), Number(y0), Number(x1), Number(y1)], score: Number(d.score), shape: String(d.shape).slice(0, 40), colour: String(d.colour).slice(0, 40), shapeProb: Number(d.shapeProb), colourProb: Number(d.colourProb) };
}

/** A tensor as the page sees it: a summary, never the data (tensors stay in the worker). */
export interface TensorSummary {
  kind: 'tensor';
  dtype: string;
  dims: number[];
  location: 'cpu' | 'gpu';
  stats?: TensorStats;
  /** The first few values, for a glance. */
  preview: number[];
}

export interface ListSummary {
  kind: 'list';
  items: TransferValue[];
}

/** Detections cross as they are: small plain data the Output node draws as boxes. */
export interface DetectionsSummary {
  kind: 'detections';
  width: number;
  height: number;
  items: Detection[][];
}

export interface OtherSummary {
  kind: 'other';
  summary: string;
}

/** What crosses the worker boundary for a value: scalars as they are, everything else tagged. */
export type TransferValue = number | string | boolean | null | TensorSummary | ImageValue | ListSummary | DetectionsSummary | OtherSummary;

export interface TransferReport {
  runId: string;
  status: RunStatus;
  ms: number;
  /** By node id (Maps cross the worker boundary as Maps; ids are data, never object keys). */
  nodes: Map<string, NodeReport>;
  /** By node id, then port name. */
  outputs: Map<string, Map<string, TransferValue>>;
  issues?: GraphIssue[];
}

export type RunResult = { ok: true; report: TransferReport } | { ok: false; code: string; message: string };

/** A stepped run waits before `nodeId` (a whole repeat zone when `zoneId` is set) for Next. */
export interface PausedEvent {
  type: 'paused';
  runId: string;
  nodeId: string;
  zoneId?: string;
}

/** Events as they cross: the engine's, plus the step-mode pause. */
export type TransferEvent = RunEvent | PausedEvent;

const PREVIEW_VALUES = 8;
const STATS_LIMIT = 16 * 1024 * 1024;

export async function toTransfer(value: unknown, depth = 0): Promise<TransferValue> {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (isTensorValue(value)) {
    const summary: TensorSummary = { kind: 'tensor', dtype: value.dtype, dims: [...value.dims], location: value.location, preview: [] };
    try {
      const data = await value.read();
      summary.preview = Array.from(data.subarray(0, PREVIEW_VALUES) as ArrayLike<number | bigint>, Number);
      if (data.length <= STATS_LIMIT) summary.stats = tensorStats(data);
    } catch {
      // A tensor that cannot be read back still shows its dtype and shape.
    }
    return summary;
  }
  if (isImageValue(value)) return { kind: 'image', width: value.width, height: value.height, data: value.data };
  if (isDetections(value)) {
    return { kind: 'detections', width: value.width, height: value.height, items: value.items.slice(0, 64).map((list) => list.slice(0, 256).map(plainDetection)) };
  }
  if (Array.isArray(value) && depth < 3) {
    return { kind: 'list', items: await Promise.all(value.slice(0, 64).map((v) => toTransfer(v, depth + 1))) };
  }
  const text = describeTextValue(value);
  if (text !== undefined) return { kind: 'other', summary: text };
  let summary: string;
  try {
    summary = JSON.stringify(value)?.slice(0, 2000) ?? String(value);
  } catch {
    summary = Object.prototype.toString.call(value);
  }
  return { kind: 'other', summary };
}

export async function reportToTransfer(report: RunReport): Promise<TransferReport> {
  const outputs: TransferReport['outputs'] = new Map();
  for (const [nodeId, ports] of report.outputs) {
    const converted = new Map<string, TransferValue>();
    for (const [port, v] of Object.entries(ports)) converted.set(port, await toTransfer(v));
    outputs.set(nodeId, converted);
  }
  return { runId: report.runId, status: report.status, ms: report.ms, nodes: report.nodes, outputs, ...(report.issues ? { issues: report.issues } : {}) };
}
