import type { GraphIssue } from '../errors';
import type { NodeOutputs } from '../nodeDefinition';
import { NO_RUNTIME, type Runtime } from '../runtime';
import type { TensorValue } from '../values';
import { ExecutionCache } from './cache';
import { NodeContext } from './context';
import { canonicalJson } from './hash';
import { describeError, isThenable, passThrough, resolveInputs, type NodeState } from './inputs';
import type { NodeInfo, NodeUnit, Plan, Unit } from './plan';
import { nodeSignature, reasonToRun, type Fingerprint, type NodeFingerprint } from './signature';
import { collectTensors, disposeExcept } from './tensors';
import type { NodeReport, RunEvent, RunOptions, RunReport } from './types';
import { runZone } from './zone';
import { replayIfCurrent, resumedReason, resumedSignature, resumeFor, type ResumeRequest, type TrajectoryStore } from './trajectory';
import { showKeptStep } from './showStep';

/** Longest stretch of synchronous node work before the executor lets other events (Cancel) in. */
const SLICE_MS = 16;

const NEVER_ABORTED = new AbortController().signal;

/** One run of a graph: the scheduler, node states, events and the report. */
export class Execution {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly runtime: Runtime;
  readonly cache: ExecutionCache;
  /** Kept loop steps (time travel) and this run's request to start a loop from one. */
  readonly trajectories?: TrajectoryStore;
  readonly resume?: ResumeRequest;
  readonly report: RunReport;
  /** Node states by id, kept on the plan's NodeInfo objects (no map lookups on the hot path). */
  readonly states: {
    get(id: string): NodeState | undefined;
    set(id: string, state: NodeState): void;
    delete(id: string): void;
  };
  /** Nodes running now, with what a cancelled-marker cache entry needs. */
  readonly running = new Map<string, { fingerprint: Fingerprint; signature: string }>();
  /** Set once the run has finished (or was cancelled): late results are discarded. */
  stopped = false;
  hadError = false;

  private readonly emitEvent: (event: RunEvent) => void;
  /** False when nobody listens, so hot paths skip building event objects. */
  readonly listening: boolean;
  private readonly ownsCache: boolean;
  private readonly concurrency: number;
  private readonly beforeNode: RunOptions['beforeNode'];
  private readonly pending: Int32Array;
  private readonly ready: Unit[] = [];
  private head = 0;
  private active = 0;
  private yielding = false;
  private readonly t0 = performance.now();
  private resolve!: (report: RunReport) => void;
  private readonly onAbort = () => this.finish();

  constructor(
    readonly plan: Plan,
    options: RunOptions,
  ) {
    this.runId = options.runId ?? `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.signal = options.signal ?? NEVER_ABORTED;
    this.runtime = options.runtime ?? NO_RUNTIME;
    this.ownsCache = !options.cache;
    this.cache = options.cache ?? new ExecutionCache();
    this.trajectories = options.trajectories;
    this.resume = options.resume;
    this.beforeNode = options.beforeNode;
    // Step mode runs one node at a time, so "the next node" is always one node.
    this.concurrency = this.beforeNode ? 1 : Math.max(1, Math.floor(options.concurrency ?? 4));
    const onEvent = options.onEvent;
    this.emitEvent = onEvent ? (e) => onEvent(e) : () => {};
    this.listening = onEvent !== undefined;
    this.report = { runId: this.runId, status: 'ok', ms: 0, nodes: new Map(), outputs: new Map() };
    const infos = plan.infos;
    this.states = {
      get: (id) => infos.get(id)?.state,
      set: (id, state) => void (infos.get(id)!.state = state),
      delete: (id) => void (infos.get(id)!.state = undefined),
    };
    this.pending = new Int32Array(plan.units.length);
    for (const u of plan.units) {
      this.pending[u.index] = u.deps.length;
      if (u.deps.length === 0) this.ready.push(u);
    }
  }

  emit(event: RunEvent): void {
    // Nodes that run models say which backend ran them (never a silent fallback).
    if (event.type === 'done' && this.plan.infos.get(event.nodeId)?.def?.usesModels) {
      event = { ...event, backend: this.runtime.backend };
      const r = this.report.nodes.get(event.nodeId);
      if (r) r.backend = this.runtime.backend;
    }
    this.emitEvent(event);
  }

  /** Ends a run before it starts: a graph that is not valid for this run. */
  invalid(issues: GraphIssue[]): RunReport {
    this.report.status = 'invalid';
    this.report.issues = issues;
    this.report.ms = performance.now() - this.t0;
    this.emit({ type: 'finished', runId: this.runId, status: 'invalid', ms: this.report.ms });
    return this.report;
  }

  start(): Promise<RunReport> {
    const nodes = this.report.nodes;
    for (const id of this.plan.neededNodes) {
      nodes.set(id, { status: 'queued', ms: 0, reason: '' });
      if (this.listening) this.emit({ type: 'queued', runId: this.runId, nodeId: id });
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (this.signal.aborted) return this.finish();
      this.signal.addEventListener('abort', this.onAbort, { once: true });
      this.pump();
    });
  }

  /** Starts ready units while slots are free; synchronous nodes complete on the spot. */
  private pump(): void {
    this.yielding = false;
    const sliceEnd = performance.now() + SLICE_MS;
    let started = 0;
    while (!this.stopped && this.head < this.ready.length && this.active < this.concurrency) {
      if (this.signal.aborted) return this.finish();
      if ((++started & 31) === 0 && performance.now() > sliceEnd) {
        this.yielding = true;
        setTimeout(() => this.pump(), 0);
        return;
      }
      const unit = this.ready[this.head++];
      let result: void | Promise<void> = undefined;
      try {
        result =
          unit.kind === 'node'
            ? this.runNode(unit)
            : this.beforeNode
              ? this.gated(unit.zone.inputNode, unit.zone.id, () => runZone(this, unit))
              : runZone(this, unit);
      } catch (err) {
        this.internalError(unit, err);
      }
      if (result) {
        this.active++;
        result.then(
          () => this.settled(unit),
          (err) => {
            this.internalError(unit, err);
            this.settled(unit);
          },
        );
      } else this.complete(unit);
    }
    if (!this.stopped && !this.yielding && this.active === 0 && this.head >= this.ready.length) this.finish();
  }

  private settled(unit: Unit): void {
    this.active--;
    if (this.stopped) return;
    this.complete(unit);
    if (!this.yielding) this.pump();
  }

  private complete(unit: Unit): void {
    for (const d of unit.dependents) if (--this.pending[d.index] === 0) this.ready.push(d);
  }

  /** A bug in the executor itself: shown on the node, never swallowed. */
  private internalError(unit: Unit, err: unknown): void {
    const id = unit.kind === 'node' ? unit.id : unit.zone.outputNode;
    const { message } = describeError(err);
    this.states.set(id, { status: 'error' });
    this.fail(id, 'internal_error', `the executor failed on this node: ${message}`);
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.signal.removeEventListener('abort', this.onAbort);
    const cancelled = this.signal.aborted;
    const now = performance.now();
    for (const id of this.plan.neededNodes) {
      const r = this.nodeReport(id);
      if (r.status !== 'queued' && r.status !== 'running') continue;
      if (r.status === 'running') {
        r.reason = cancelled ? 'cancelled while running' : 'did not finish';
        const marker = this.running.get(id);
        if (marker) {
          this.cache.set(id, { ...marker, outcome: 'cancelled', ms: 0 });
          if (r.startedAt !== undefined) r.ms = Date.now() - r.startedAt;
        }
      } else r.reason = cancelled ? 'the run was cancelled before it started' : 'not reached';
      r.status = cancelled ? 'cancelled' : 'skipped';
    }
    this.report.status = cancelled ? 'cancelled' : this.hadError ? 'error' : 'ok';
    this.report.ms = now - this.t0;
    this.emit({ type: 'finished', runId: this.runId, status: this.report.status, ms: this.report.ms });
    if (this.ownsCache) {
      // Without a caller's cache nothing outlives the run except the reported values.
      this.cache.releaseAllExcept(collectTensors([...this.report.outputs.values()], new Set()));
    }
    this.resolve(this.report);
  }

  // ---- node outcomes, shared with zones ----

  nodeReport(id: string): NodeReport {
    return this.report.nodes.get(id)!;
  }

  skip(id: string, reason: string, muted = false): void {
    this.states.set(id, { status: muted ? 'muted' : 'skipped' });
    const r = this.nodeReport(id);
    r.status = 'skipped';
    r.reason = reason;
    this.emit({ type: 'skipped', runId: this.runId, nodeId: id, reason });
  }

  fail(id: string, code: string, message: string): void {
    this.hadError = true;
    const r = this.nodeReport(id);
    r.status = 'error';
    r.error = { code, message };
    if (!r.reason) r.reason = message;
    this.emit({ type: 'error', runId: this.runId, nodeId: id, code, message });
  }

  /** Records values for `report.outputs` when the node is an output or a target. */
  record(id: string, outputs: NodeOutputs): void {
    if (this.plan.reported.has(id)) this.report.outputs.set(id, outputs);
  }

  makeContext(
    info: NodeInfo,
    params: unknown,
    inputs: Record<string, unknown>,
    iteration?: { zoneId: string; index: number; count: number },
  ): NodeContext {
    return new NodeContext(this, info.node.id, params as Record<string, unknown>, inputs, iteration);
  }

  /** Parses a node's params with its definition's schema; the zod message and path on failure. */
  parseParams(info: NodeInfo): { ok: true; params: unknown } | { ok: false; message: string } {
    const parsed = info.def!.params.safeParse(info.node.params);
    if (parsed.success) return { ok: true, params: parsed.data };
    const message = parsed.error.issues
      .map((i) => (i.path.length ? `param '${i.path.map(String).join('.')}': ${i.message}` : i.message))
      .join('; ');
    return { ok: false, message };
  }

  // ---- ordinary nodes ----

  private runNode(unit: NodeUnit): void | Promise<void> {
    const { info, id } = unit;
    const node = info.node;
    if (node.mode === 'muted') return this.skip(id, 'muted', true);
    const def = info.def;
    if (!def) return this.failNode(id, 'unknown_type', `unknown node type '${node.type}': this node cannot run here`);
    const resolved = resolveInputs(info);
    if (resolved.kind === 'skip') return this.skip(id, resolved.reason);
    if (resolved.kind === 'error') return this.failNode(id, resolved.code, resolved.message);
    const bypassed = node.mode === 'bypassed';
    const paramsJson = bypassed ? '{}' : canonicalJson(node.params);
    let signature = nodeSignature(node.type, node.typeVersion, node.mode, paramsJson, resolved.fingerprint);
    const report = this.nodeReport(id);
    if (bypassed) {
      const outputs = passThrough(info, resolved.inputs);
      info.state = { status: 'ok', sig: signature, outputs, bypassed: true };
      report.status = 'done';
      report.reason = 'bypassed: passes its inputs through';
      report.startedAt = Date.now();
      if (this.listening) {
        this.emit({ type: 'started', runId: this.runId, nodeId: id, reason: report.reason });
        this.emit({ type: 'done', runId: this.runId, nodeId: id, ms: 0 });
      }
      this.record(id, outputs);
      return;
    }
    // Time travel: this loop starts from a kept step (its own signature, so the full run's cache entry stays apart).
    const resumed = this.resume?.nodeId === id ? resumeFor(this, id) : undefined;
    if (resumed && !resumed.ok) return this.failNode(id, 'step_not_kept', resumed.message);
    if (resumed?.show) return showKeptStep(this, id, info.outputs, resumed, signature);
    if (resumed) signature = resumedSignature(signature, resumed);
    const prev = this.cache.get(id);
    if (prev !== undefined && prev.signature === signature && prev.outcome === 'ok') {
      info.state = { status: 'ok', sig: signature, outputs: prev.outputs! };
      report.status = 'cached';
      report.reason = 'unchanged since the last run';
      report.startedAt = Date.now();
      if (this.listening) this.emit({ type: 'cached', runId: this.runId, nodeId: id, reason: report.reason });
      this.record(id, prev.outputs!);
      if (this.trajectories) replayIfCurrent(this, id, signature);
      return;
    }
    // A miss: keep the parts behind the signature so the next run can say what changed.
    const fingerprint: NodeFingerprint = {
      kind: 'node',
      type: node.type,
      typeVersion: node.typeVersion,
      mode: node.mode,
      params: paramsJson,
      inputs: resolved.fingerprint,
      ...(resumed ? { continuedFrom: resumed.step } : {}),
    };
    report.reason = resumed ? resumedReason(resumed) : reasonToRun(prev, fingerprint);
    const params = this.parseParams(info);
    if (!params.ok) {
      this.cache.set(id, { signature, fingerprint, outcome: 'error', error: { code: 'invalid_params', message: params.message }, ms: 0 });
      return this.failNode(id, 'invalid_params', params.message);
    }
    if (this.beforeNode) return this.gated(id, undefined, () => this.startNode(info, params.params, resolved.inputs, fingerprint, signature));
    return this.startNode(info, params.params, resolved.inputs, fingerprint, signature);
  }

  /** Waits at the step gate, then does the work unless the run stopped meanwhile. */
  private async gated(id: string, zoneId: string | undefined, work: () => void | Promise<void>): Promise<void> {
    try {
      await this.beforeNode!(id, zoneId === undefined ? {} : { zoneId });
    } catch (err) {
      if (this.stopped || this.signal.aborted) return;
      return this.failNode(id, 'step_gate_failed', `the step gate failed: ${describeError(err).message}`);
    }
    if (this.stopped || this.signal.aborted) return;
    await work();
  }

  private startNode(
    info: NodeInfo,
    params: unknown,
    inputs: Record<string, unknown>,
    fingerprint: NodeFingerprint,
    signature: string,
  ): void | Promise<void> {
    const id = info.node.id;
    const def = info.def!;
    const report = this.nodeReport(id);
    const ctx = this.makeContext(info, params, inputs);
    report.status = 'running';
    report.startedAt = Date.now();
    this.running.set(id, { fingerprint, signature });
    if (this.listening) this.emit({ type: 'started', runId: this.runId, nodeId: id, reason: report.reason });
    const t = performance.now();
    let result: unknown;
    try {
      result = def.run(ctx);
    } catch (err) {
      ctx.end();
      return this.nodeThrew(id, fingerprint, signature, err, t);
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (outputs) => {
          ctx.end();
          this.nodeReturned(id, fingerprint, signature, outputs, t, inputs);
        },
        (err) => {
          ctx.end();
          this.nodeThrew(id, fingerprint, signature, err, t);
        },
      );
    }
    ctx.end();
    this.nodeReturned(id, fingerprint, signature, result, t, inputs);
  }

  private failNode(id: string, code: string, message: string): void {
    this.states.set(id, { status: 'error' });
    this.fail(id, code, message);
  }

  private nodeReturned(
    id: string,
    fingerprint: NodeFingerprint,
    signature: string,
    outputs: unknown,
    t: number,
    inputs: Record<string, unknown>,
  ): void {
    this.running.delete(id);
    if (this.stopped || this.signal.aborted) {
      // Cancelled meanwhile: nothing half-done enters the cache; free what the node made.
      disposeExcept(outputs, collectTensors(inputs, new Set()));
      return;
    }
    const ms = performance.now() - t;
    if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) {
      return this.nodeThrew(id, fingerprint, signature, new Error('the node returned no outputs record'), t);
    }
    const values = outputs as NodeOutputs;
    this.cache.set(id, { signature, fingerprint, outcome: 'ok', outputs: values, ms });
    this.states.set(id, { status: 'ok', sig: signature, outputs: values });
    const r = this.nodeReport(id);
    r.status = 'done';
    r.ms = ms;
    if (this.plan.infos.get(id)?.def?.usesModels) r.backend = this.runtime.backend;
    if (this.listening) this.emit({ type: 'done', runId: this.runId, nodeId: id, ms });
    this.record(id, values);
  }

  private nodeThrew(id: string, fingerprint: NodeFingerprint, signature: string, err: unknown, t: number): void {
    this.running.delete(id);
    if (this.stopped) return;
    if (this.signal.aborted) {
      // finish() (already queued by the abort event) reports it cancelled.
      this.running.set(id, { fingerprint, signature });
      return;
    }
    const error = describeError(err);
    const ms = performance.now() - t;
    this.cache.set(id, { signature, fingerprint, outcome: 'error', error, ms });
    this.nodeReport(id).ms = ms;
    this.failNode(id, error.code, error.message);
  }

  /** Tensors in the values of external nodes (owned by the cache; a zone must not dispose them). */
  static tensorsIn(values: Iterable<unknown>): Set<TensorValue> {
    const out = new Set<TensorValue>();
    for (const v of values) collectTensors(v, out);
    return out;
  }
}
