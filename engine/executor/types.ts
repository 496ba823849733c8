import type { Graph } from '../graph/document';
import type { Registry } from '../nodeDefinition';
import type { Runtime } from '../runtime';
import type { Preview } from '../values';
import type { ExecutionCache } from './cache';

export type NodeRunStatus = 'queued' | 'running' | 'done' | 'cached' | 'error' | 'skipped' | 'cancelled';

/** Events stream out of a run in order; the UI and CLI derive node states from them. */
export type RunEvent =
  | { type: 'queued'; runId: string; nodeId: string }
  | { type: 'started'; runId: string; nodeId: string; reason: string; iteration?: number }
  | { type: 'progress'; runId: string; nodeId: string; fraction: number; preview?: Preview }
  | { type: 'cached'; runId: string; nodeId: string; reason: string }
  | { type: 'done'; runId: string; nodeId: string; ms: number; iteration?: number; backend?: string }
  | { type: 'error'; runId: string; nodeId: string; code: string; message: string }
  | { type: 'skipped'; runId: string; nodeId: string; reason: string }
  | { type: 'iteration'; runId: string; zoneId: string; index: number; count: number }
  | { type: 'finished'; runId: string; status: RunStatus; ms: number };

export type RunStatus = 'ok' | 'error' | 'cancelled' | 'invalid';

export interface NodeReport {
  status: NodeRunStatus;
  /** Wall time of the node's own work (0 when cached or skipped). */
  ms: number;
  /** Why it ran ("param 'b' changed", "first run") or why it was reused or skipped. */
  reason: string;
  startedAt?: number;
  error?: { code: string; message: string };
  backend?: string;
}

export interface RunReport {
  runId: string;
  status: RunStatus;
  ms: number;
  nodes: Record<string, NodeReport>;
  /** Values recorded by output nodes (and by the targets), by node id then port name. */
  outputs: Record<string, Record<string, unknown>>;
  /** Validation problems that stopped the run (status 'invalid'). */
  issues?: import('../errors').GraphIssue[];
}

export interface RunOptions {
  registry: Registry;
  /** Node ids whose values are wanted; default: every output node. Only their ancestors run. */
  targets?: readonly string[];
  signal?: AbortSignal;
  /** Kept between runs so unchanged nodes are reused. */
  cache?: ExecutionCache;
  runtime?: Runtime;
  /** Most nodes running at once (independent branches). Default 4. */
  concurrency?: number;
  onEvent?: (event: RunEvent) => void;
  runId?: string;
  /**
   * `validateGraph(graph, registry)` for this exact graph, when the caller already has it (the
   * editor validates after every edit); saves validating again. Default: the run validates.
   */
  issues?: readonly import('../errors').GraphIssue[];
}

export type RunGraph = (graph: Graph, options: RunOptions) => Promise<RunReport>;
