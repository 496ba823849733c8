/// <reference lib="webworker" />
import { expose } from 'comlink';
import { ExecutionCache, prewarmGraph, runGraph, TrajectoryStore, type ResumeRequest } from '@/engine/executor';
import { latentPreview, SD15_LATENT_RGB } from '@/ml/preview';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { StepGate } from '@/engine/executor/stepGate';
import { reportToTransfer, type RunResult, type TransferEvent } from './transfer';
import { probePort, type ProbeRequest } from './probe';
import { RuntimeHost, type BackendPreference } from './runtimeHost';
import type { FolderEntry } from './modelStore';
import type { ModelRole } from '@/ml/runtime/types';

/**
 * The engine's home in the browser: runs graphs off the main thread. One cache lives across
 * runs so unchanged nodes are reused.
 */
const cache = new ExecutionCache();
const running = new Map<string, AbortController>();
/** Step-mode gates of stepped runs, by run id. */
const steps = new Map<string, StepGate>();
const host = new RuntimeHost();
/** Each denoising loop's kept steps (time travel), within TRAJECTORY_LIMITS; previews drawn with SD's latent colours. */
const trajectories = new TrajectoryStore({ preview: (latent, dims) => latentPreview(latent, dims, SD15_LATENT_RGB) });
let warming: AbortController | undefined;
// ONNX Runtime takes a second or two to start (a 14 MB wasm module and its threads): start it now,
// while the page is still drawing, rather than when the first model is needed.
void host.start();

/** Events are sent in small batches: one message per frame rather than one per event. */
function batcher(send: (events: TransferEvent[]) => void) {
  let buffer: TransferEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (!buffer.length) return;
    const out = buffer;
    buffer = [];
    try {
      send(out);
    } catch {
      // The page went away; nothing to tell.
    }
  };
  return {
    push(e: TransferEvent) {
      buffer.push(e);
      if (timer === undefined) timer = setTimeout(flush, 16);
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      flush();
    },
  };
}

const api = {
  async run(graph: Graph, options: { runId: string; targets?: string[]; step?: boolean; resume?: ResumeRequest }, onEvents: (events: TransferEvent[]) => void): Promise<RunResult> {
    const controller = new AbortController();
    running.set(options.runId, controller);
    const events = batcher(onEvents);
    const gate = options.step
      ? new StepGate((nodeId, where) => {
          events.push({ type: 'paused', runId: options.runId, nodeId, ...where });
          events.flush();
        })
      : undefined;
    if (gate) steps.set(options.runId, gate);
    try {
      cache.prune(graph);
      const report = await runGraph(graph, {
        registry,
        cache,
        runtime: await host.runtime(),
        runId: options.runId,
        signal: controller.signal,
        ...(options.targets?.length ? { targets: options.targets } : {}),
        onEvent: (e) => events.push(e),
        trajectories,
        ...(options.resume ? { resume: options.resume } : {}),
        ...(gate ? { beforeNode: gate.beforeNode } : {}),
      });
      events.flush();
      return { ok: true, report: await reportToTransfer(report) };
    } catch (err) {
      events.flush();
      // The executor reports node failures in the report; reaching here is a bug worth showing.
      return { ok: false, code: 'engine_failure', message: err instanceof Error ? err.message : String(err) };
    } finally {
      running.delete(options.runId);
      steps.delete(options.runId);
    }
  },
  cancel(runId: string): boolean {
    const c = running.get(runId);
    c?.abort(new DOMException('The run was cancelled', 'AbortError'));
    // A paused stepped run must wake to see the abort.
    steps.get(runId)?.resume();
    return !!c;
  },
  /** Step mode: 'next' runs one more node, 'continue' runs the rest without pausing. */
  step(runId: string, action: 'next' | 'continue'): boolean {
    const gate = steps.get(runId);
    if (action === 'next') gate?.next();
    else gate?.resume();
    return !!gate;
  },
  /** The wire probe: a summary of the value an output port last produced (see workers/probe.ts). */
  probe(request: ProbeRequest) {
    return probePort(cache, request);
  },
  clearCache(): void {
    cache.clear();
  },
  /**
   * Idle-time warm-up of the graph's models (sessions, tokenizers), so the first Run does not
   * wait for them; a run started meanwhile shares the same pending sessions. Returns how many
   * nodes were warmed.
   */
  async prewarm(graph: Graph): Promise<number> {
    warming?.abort();
    const controller = (warming = new AbortController());
    try {
      return await prewarmGraph(graph, { registry, runtime: await host.runtime(), signal: controller.signal });
    } finally {
      if (warming === controller) warming = undefined;
    }
  },
  /** Chooses the model backend; a change clears the cache (its tensors belong to the old device). */
  async setBackend(preference: BackendPreference) {
    warming?.abort();
    if (await host.setPreference(preference)) cache.clear();
    return host.info();
  },
  backendInfo() {
    return host.info();
  },
  runtimeCounters() {
    return host.counters();
  },
  listModels() {
    return host.store.list();
  },
  importModelFile(file: File, role: ModelRole, onProgress?: (loaded: number, total?: number) => void) {
    return host.store.importFile(file, { role, onProgress });
  },
  importModelFolder(entries: FolderEntry[], onProgress?: (loaded: number, total?: number) => void) {
    return host.store.importFolder(entries, { onProgress });
  },
  importModelUrl(url: string, role: ModelRole | undefined, onProgress?: (loaded: number, total?: number) => void) {
    return host.store.importUrl(url, { role, onProgress });
  },
  async deleteModel(id: string) {
    await host.store.delete(id);
    cache.clear();
  },
  storageEstimate() {
    return host.store.estimate();
  },
  ping(): 'pong' {
    return 'pong';
  },
};

export type EngineApi = typeof api;

expose(api);
