import type { Graph } from '../graph/document';
import type { StepHistory } from '../nodeDefinition';
import { cpuTensor, isTensorValue, type Preview, type TensorValue, type TypedArray } from '../values';
import { Hasher } from './hash';
import { dataRecord, hasKey } from '../record';

/**
 * Denoising time travel: a loop (a Sampler node, or a repeat zone that carries a latent) keeps
 * the state before each of its steps, copied to the CPU, so the editor can show any step and
 * continue from it. What is kept is bounded: see TRAJECTORY_LIMITS.
 */

export interface TrajectoryLimits {
  /** Most steps one loop keeps (steps past it thin the kept ones out, evenly). */
  maxSteps: number;
  /** Most bytes of kept state one loop holds. */
  maxBytes: number;
  /** Most loops kept at once; the least recently run one goes first. */
  maxLoops: number;
}

/** 1000 steps and 16 MiB per loop, 4 loops: at most 64 MiB. An SD latent is 64 KB a step. */
export const TRAJECTORY_LIMITS: TrajectoryLimits = { maxSteps: 1000, maxBytes: 16 * 1024 * 1024, maxLoops: 4 };

/** A request to start a loop from a kept step of its last run. */
export interface ResumeRequest {
  /** The Sampler node, or a repeat zone's output node. */
  nodeId: string;
  step: number;
  /**
   * Show the kept step instead of continuing: the loop runs no step and hands on its kept values,
   * so what follows it (a VAE decode) works on them. Its cache entry is left as it was.
   */
  show?: boolean;
}

export interface KeptStep {
  readonly step: number;
  /** CPU copies of the loop's state before this step (after the last step: the result). */
  readonly values: Readonly<Record<string, unknown>>;
  readonly bytes: number;
  readonly preview?: Preview;
}

/** Whether step `step` stays kept when every `stride`-th step is kept plus the newest. */
export function isKeptStep(step: number, stride: number, newest: number): boolean {
  return step % stride === 0 || step === newest;
}

let trajectorySeq = 0;

/** The kept steps of one run of one loop. */
export class Trajectory {
  readonly id = `t${++trajectorySeq}`;
  readonly steps = new Map<number, KeptStep>();
  stride = 1;
  bytes = 0;
  newest = -1;

  constructor(
    readonly nodeId: string,
    /** The loop's signature in the run that made it (a cache hit on it replays these steps). */
    readonly signature: string,
    /** Steps in the loop: kept steps are 0..count. */
    readonly count: number,
    /** The step this run started computing from (0, or the step it continued from). */
    readonly from: number,
    private readonly limits: TrajectoryLimits,
  ) {}

  /** Adds a step, then thins the kept steps out until they fit the limits. */
  add(kept: KeptStep): void {
    const old = this.steps.get(kept.step);
    if (old) this.bytes -= old.bytes;
    this.steps.set(kept.step, kept);
    this.bytes += kept.bytes;
    const before = this.newest;
    this.newest = Math.max(this.newest, kept.step);
    if (before !== this.newest && before >= 0 && !isKeptStep(before, this.stride, this.newest)) this.drop(before);
    while ((this.steps.size > this.limits.maxSteps || this.bytes > this.limits.maxBytes) && this.steps.size > 2) {
      this.stride *= 2;
      for (const step of [...this.steps.keys()]) if (!isKeptStep(step, this.stride, this.newest)) this.drop(step);
    }
  }

  /** Kept steps, in order. */
  ordered(): KeptStep[] {
    return [...this.steps.values()].sort((a, b) => a.step - b.step);
  }

  private drop(step: number): void {
    const s = this.steps.get(step);
    if (!s) return;
    this.bytes -= s.bytes;
    this.steps.delete(step);
  }
}

export interface TrajectoryStoreOptions {
  limits?: Partial<TrajectoryLimits>;
  /** Draws a latent's CPU data as a small picture (the cheap preview) for repeat zones. */
  preview?: (latent: Float32Array, dims: readonly number[]) => Preview | undefined;
}

/** The kept loops of a host, across runs (the editor's worker holds one). */
export class TrajectoryStore {
  readonly limits: TrajectoryLimits;
  readonly preview?: (latent: Float32Array, dims: readonly number[]) => Preview | undefined;
  private readonly loops = new Map<string, Trajectory>();

  constructor(options: TrajectoryStoreOptions = {}) {
    this.limits = { ...TRAJECTORY_LIMITS, ...options.limits };
    this.preview = options.preview;
  }

  get(nodeId: string): Trajectory | undefined {
    return this.loops.get(nodeId);
  }

  /** A new trajectory for the loop, replacing its last; a continuation starts with the kept steps up to its start. */
  begin(nodeId: string, signature: string, count: number, from?: { trajectory: Trajectory; step: number }): Trajectory {
    const t = new Trajectory(nodeId, signature, count, from?.step ?? 0, this.limits);
    if (from) t.stride = from.trajectory.stride;
    if (from) for (const s of from.trajectory.ordered()) if (s.step <= from.step) t.add(s);
    this.loops.delete(nodeId);
    this.loops.set(nodeId, t);
    while (this.loops.size > this.limits.maxLoops) this.loops.delete(this.loops.keys().next().value!);
    return t;
  }

  /** Forgets loops whose node is no longer in the graph. */
  prune(graph: Pick<Graph, 'nodes'>): void {
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const id of [...this.loops.keys()]) if (!ids.has(id)) this.loops.delete(id);
  }

  clear(): void {
    this.loops.clear();
  }
}

/** A deep copy of a value with every tensor read to a CPU tensor; also its size in bytes. */
export async function snapshot(value: unknown, depth = 0): Promise<{ value: unknown; bytes: number }> {
  if (typeof value !== 'object' || value === null || depth > 16) return { value, bytes: 0 };
  if (isTensorValue(value)) {
    const data = (await value.read()).slice() as TypedArray;
    return { value: cpuTensor(value.dtype, value.dims, data), bytes: data.byteLength };
  }
  if (ArrayBuffer.isView(value)) {
    const copy = (value as unknown as TypedArray).slice();
    return { value: copy, bytes: copy.byteLength };
  }
  if (Array.isArray(value)) {
    let bytes = 0;
    const out: unknown[] = [];
    for (const v of value) {
      const s = await snapshot(v, depth + 1);
      out.push(s.value);
      bytes += s.bytes;
    }
    return { value: out, bytes };
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { value, bytes: 0 };
  let bytes = 0;
  const out = dataRecord();
  for (const [k, v] of Object.entries(value)) {
    const s = await snapshot(v, depth + 1);
    out[k] = s.value;
    bytes += s.bytes;
  }
  return { value: out, bytes };
}

/** What the time-travel helpers need of a run. */
export interface StepsHost {
  readonly runId: string;
  readonly trajectories?: TrajectoryStore;
  readonly resume?: ResumeRequest;
  readonly running: ReadonlyMap<string, { signature: string }>;
  emit(event: StepEvent): void;
}

export interface StepEvent {
  type: 'step';
  runId: string;
  nodeId: string;
  step: number;
  count: number;
  /** Every `stride`-th step is kept (plus the newest); the page drops the others' previews too. */
  stride: number;
  /** The step this run started from (0, or the step it continued from). */
  from: number;
  preview?: Preview;
  /** A kept step sent again (a cached loop, or the steps before a continuation). */
  replayed?: boolean;
}

export type Resumed =
  | { ok: true; step: number; show: boolean; trajectory: Trajectory; kept: KeptStep }
  | { ok: false; message: string };

/** The run's resume request for this loop, checked against what is kept; undefined when there is none. */
export function resumeFor(host: Pick<StepsHost, 'resume' | 'trajectories'>, nodeId: string): Resumed | undefined {
  const r = host.resume;
  if (!r || r.nodeId !== nodeId) return undefined;
  const trajectory = host.trajectories?.get(nodeId);
  if (!trajectory) return { ok: false, message: `'${nodeId}' has no kept steps to start from: run the graph first` };
  const kept = trajectory.steps.get(r.step);
  if (!kept) {
    const steps = trajectory.ordered().map((s) => s.step);
    const list = steps.length > 8 ? `${steps.slice(0, 6).join(', ')}, … ${steps[steps.length - 1]}` : steps.join(', ');
    return { ok: false, message: `step ${r.step} of '${nodeId}' is not kept; the last run kept steps ${list}` };
  }
  return { ok: true, step: r.step, show: !!r.show, trajectory, kept };
}

/** The signature of a loop that starts from a kept step: differs from the full run's and from every other start. */
export function resumedSignature(signature: string, r: Extract<Resumed, { ok: true }>): string {
  return new Hasher().add(signature).add(r.show ? '\u0001show\u0001' : '\u0001continue\u0001').add(r.trajectory.id).add('\u0001').add(String(r.step)).digest();
}

export function resumedReason(r: Extract<Resumed, { ok: true }>): string {
  return r.show
    ? `shows the kept step ${r.step} of ${r.trajectory.count} (no step runs)`
    : `continued from the kept step ${r.step}: runs steps ${r.step + 1}–${r.trajectory.count} of ${r.trajectory.count}`;
}

/** The kept values a loop hands on when showing a step, limited to its output ports. */
export function keptOutputs(r: Extract<Resumed, { ok: true }>, ports: readonly { name: string }[]): Record<string, unknown> {
  const out = dataRecord();
  for (const p of ports) if (hasKey(r.kept.values, p.name)) out[p.name] = r.kept.values[p.name];
  return out;
}

/** Sends a trajectory's kept steps again (for a cached loop, or a shown step). */
export function replaySteps(host: StepsHost, t: Trajectory): void {
  for (const s of t.ordered()) host.emit(stepEvent(host, t, s, true));
}

/** Replays the loop's kept steps when they came from the run that made this cached result. */
export function replayIfCurrent(host: StepsHost, nodeId: string, signature: string): void {
  const t = host.trajectories?.get(nodeId);
  if (t && t.signature === signature) replaySteps(host, t);
}

function stepEvent(host: StepsHost, t: Trajectory, s: KeptStep, replayed: boolean): StepEvent {
  return {
    type: 'step',
    runId: host.runId,
    nodeId: t.nodeId,
    step: s.step,
    count: t.count,
    stride: t.stride,
    from: t.from,
    ...(s.preview ? { preview: s.preview } : {}),
    ...(replayed ? { replayed: true } : {}),
  };
}

/**
 * The step history a loop records into; undefined when the host keeps none. `preview` draws the
 * values' picture when the caller gives none (zones: their latent).
 */
export function stepHistory(host: StepsHost, nodeId: string, preview?: (values: Readonly<Record<string, unknown>>) => Preview | undefined): StepHistory | undefined {
  const store = host.trajectories;
  if (!store) return undefined;
  const resumed = resumeFor(host, nodeId);
  const from = resumed?.ok && !resumed.show ? resumed : undefined;
  let t: Trajectory | undefined;
  return {
    ...(from ? { resume: { step: from.step, values: from.kept.values } } : {}),
    begin(count: number) {
      const signature = host.running.get(nodeId)?.signature ?? '';
      t = store.begin(nodeId, signature, count, from ? { trajectory: from.trajectory, step: from.step } : undefined);
      if (from) replaySteps(host, t);
    },
    async keep(step: number, values: Readonly<Record<string, unknown>>, picture?: Preview) {
      if (!t) throw new Error('StepHistory.keep called before begin');
      const s = await snapshot(values);
      const kept = s.value as Record<string, unknown>;
      const p = picture ?? preview?.(kept);
      t.add({ step, values: kept, bytes: s.bytes, ...(p ? { preview: p } : {}) });
      if (t.steps.has(step)) host.emit(stepEvent(host, t, t.steps.get(step)!, false));
    },
  };
}

/** A zone's preview: its first carried latent drawn by the store's preview function. */
export function latentPicture(store: TrajectoryStore, latentName: string): (values: Readonly<Record<string, unknown>>) => Preview | undefined {
  return (values) => {
    const v = values[latentName] as TensorValue | undefined;
    if (!store.preview || !isTensorValue(v) || !v.data || v.dtype !== 'float32' || v.dims.length !== 4) return undefined;
    return store.preview(v.data as Float32Array, v.dims);
  };
}
