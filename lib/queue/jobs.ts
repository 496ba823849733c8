/**
 * The run queue's job format, shared by `weft batch` / `weft serve` (which add jobs) and
 * `weft worker` (which runs them) over BullMQ on Redis. A job is hostile data like any file: its
 * payload is checked here before anything reads it, and the graph inside goes through the same
 * open path as a file (size limits, plain-data checks, validation) in the worker.
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { LIMITS } from '@/engine/graph/limits';

export const QUEUE_NAME = 'weft-runs';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Largest job result (PNGs as base64 and text): bigger results fail the job instead of filling Redis. */
export const MAX_RESULT_BYTES = 32 * 1024 * 1024;

export const jobPayloadSchema = z
  .object({
    /** The graph as its file holds it (Weft JSON; a ComfyUI workflow is imported by the open path). */
    graph: z.string().max(LIMITS.graphChars),
    /** `NODE.PARAM=VALUE` overrides, as `weft run --set` takes them. */
    sets: z.array(z.string().max(4096)).max(256),
    /** Shown in logs and on the grid: which cell of a sweep this is. */
    label: z.string().max(500).optional(),
  })
  .strict();

export type JobPayload = z.infer<typeof jobPayloadSchema>;

export interface JobOutput {
  /** The output node's name param (or id), and its port when it has more than one. */
  readonly name: string;
  readonly kind: 'image' | 'text' | 'value';
  /** image: a PNG with the graph inside, base64. */
  readonly png?: string;
  readonly width?: number;
  readonly height?: number;
  readonly text?: string;
  readonly value?: unknown;
}

export interface JobResult {
  readonly ms: number;
  /** Which worker ran it (host and pid): a sweep shows how the work spread. */
  readonly worker: string;
  readonly outputs: readonly JobOutput[];
}

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly node?: string;
}

/**
 * A job's id from what it runs: the same graph and overrides give the same id, so adding a sweep
 * again finds the jobs already done instead of running them twice (BullMQ keeps one job per id).
 */
export function jobIdOf(payload: JobPayload): string {
  const h = createHash('sha256').update(payload.graph).update('\0').update(payload.sets.join('\0')).digest('hex');
  return `weft-${h.slice(0, 40)}`;
}

export function redisUrlOf(flag: string | undefined): string {
  return flag ?? process.env.WEFT_REDIS_URL ?? DEFAULT_REDIS_URL;
}
