import type { Graph } from '../graph/document';
import type { Registry } from '../nodeDefinition';
import type { Runtime } from '../runtime';
import type { Preview } from '../values';
import type { ExecutionCache } from './cache';
import type { ResumeRequest, StepEvent, TrajectoryStore } from './trajectory';

export type NodeRunStatus = 'queued' | 'running' | 'done' | 'cached' | 'error' | 'skipped' | 'cancelled';

/** Events stream out of a run in order; the UI and CLI derive node states from them. */
export type RunEvent =
  | { type: 'queued'; runId: string; nodeId: string }
  | { type: 'started'; runId: string; nodeId: string; reason: string; iteration?: number }
  | { type: 'progress'; runId: string; nodeId: string; fraction: number; preview?: Preview; text?: string }
  | { type: 'cached'; runId: string; nodeId: string; reason: string }
  | { type: 'done'; runId: string; nodeId: string; ms: number; iteration?: number; backend?: string }
  | { type: 'error'; runId: string; nodeId: string; code: string; message: string }
  | { type: 'skipped'; runId: string; nodeId: string; reason: string }
  | { type: 'iteration'; runId: string; zoneId: string; index: number; count: number }
  | { type: 'finished'; runId: string; status: RunStatus; ms: number }
  | StepEvent;

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
  /** By node id (a Map: ids are data from the file, never object keys). */
  nodes: Map<string, NodeReport>;
  /** Values recorded by output nodes (and by the targets), by node id then port name. */
  outputs: Map<string, Record<string, unknown>>;
  /** Validation problems that stopped the run (status 'invalid'). */
  issues?: import('../errors').GraphIssue[];
}

export interface RunOptions {
  registry: Registry;
  /** Keeps each step of denoising loops (Sampler nodes, repeat zones carrying a latent) after the run, within its bound. */
  trajectories?: TrajectoryStore;
  /** Starts a loop from a kept step of its last run instead of from step 0 (needs `trajectories`). */
  resume?: ResumeRequest;
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
  /**
   * Step mode: awaited before each node that is about to do work (cached nodes pass without
   * it) and before each repeat zone, which is one step as a whole (`zoneId` set). The run waits
   * while the promise is pending and Cancel still stops it; a gate that rejects fails the node.
   * With a gate, nodes run one at a time (concurrency 1).
   */
  beforeNode?: (nodeId: string, where: { zoneId?: string }) => Promise<void> | void;
}

export type { ResumeRequest, StepEvent };

export type RunGraph = (graph: Graph, options: RunOptions) => Promise<RunReport>;
