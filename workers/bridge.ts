import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { Graph } from '@/engine/graph/document';
import type { ResumeRequest } from '@/engine/executor';
import type { EngineApi } from './engine.worker';
import type { RunResult, TransferEvent } from './transfer';
import type { ProbeRequest, ProbeResult } from './probe';
import type { BackendInfo, BackendPreference } from './runtimeHost';
import type { FolderEntry } from './modelStore';
import type { ModelRole } from '@/ml/runtime/types';

type Progress = (loaded: number, total?: number) => void;

export interface BridgeRunOptions {
  targets?: string[];
  signal?: AbortSignal;
  onEvents?: (events: TransferEvent[]) => void;
  /** Called with the run id before the run starts. */
  onStart?: (runId: string) => void;
  /** Step mode: the run pauses before each node until `step(runId, 'next')`. */
  step?: boolean;
  /** Time travel: start a loop from a kept step of its last run. */
  resume?: ResumeRequest;
}

/** How long a cancelled run may take to stop before the worker is killed and restarted (so Cancel always lands within a second). */
const CANCEL_GRACE_MS = 750;

function createWorker(): Worker {
  return new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'weft-engine' });
}

function newRunId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `run-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The page's handle on the engine worker: runs are queued one after another, an AbortSignal
 * cancels, and a worker that does not stop within a second is terminated and replaced.
 */
export class EngineBridge {
  private worker!: Worker;
  private api!: Remote<EngineApi>;
  private queue: Promise<unknown> = Promise.resolve();
  private crash: ((message: string) => void) | undefined;
  /** Re-applied to a restarted worker, so a forced backend survives a forced cancel. */
  private preference: BackendPreference | undefined;

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = createWorker();
    this.worker.addEventListener('error', (e) => this.crash?.(e.message || 'the engine worker failed to start'));
    this.api = wrap<EngineApi>(this.worker);
  }

  /** Kills the worker (and whatever it was running) and starts a fresh one; the cache is lost. */
  restart(): void {
    this.api[releaseProxy]();
    this.worker.terminate();
    this.start();
    if (this.preference) void this.api.setBackend(this.preference).catch(() => undefined);
  }

  run(graph: Graph, options: BridgeRunOptions = {}): Promise<RunResult> {
    const job = this.queue.then(() => this.runNow(graph, options));
    this.queue = job.catch(() => undefined);
    return job;
  }

  clearCache(): Promise<void> {
    return this.api.clearCache();
  }

  /** Step mode of a running stepped run (not queued: it must reach a run that waits). */
  step(runId: string, action: 'next' | 'continue'): Promise<boolean> {
    return this.api.step(runId, action);
  }

  /** The wire probe: what an output port last produced, summarised in the worker. */
  probe(request: ProbeRequest): Promise<ProbeResult> {
    return this.api.probe(request).catch((err: unknown) => ({ ok: false as const, code: 'worker_error', message: err instanceof Error ? err.message : String(err) }));
  }

  /** Warms the graph's models in the worker while the user is still looking (not queued: a run shares its sessions). */
  prewarm(graph: Graph): Promise<number> {
    return this.api.prewarm(graph).catch(() => 0);
  }

  /** The model backend: choose it (auto, webgpu, wasm) and learn which one runs and why. */
  setBackend(preference: BackendPreference): Promise<BackendInfo> {
    this.preference = preference;
    return this.api.setBackend(preference);
  }

  backendInfo(): Promise<BackendInfo> {
    return this.api.backendInfo();
  }

  /** Imported models (IndexedDB, in the worker). */
  readonly models = {
    list: () => this.api.listModels(),
    importFile: (file: File, role: ModelRole, onProgress?: Progress) => this.api.importModelFile(file, role, onProgress && proxy(onProgress)),
    importFolder: (entries: FolderEntry[], onProgress?: Progress) => this.api.importModelFolder(entries, onProgress && proxy(onProgress)),
    importUrl: (url: string, role: ModelRole | undefined, onProgress?: Progress) => this.api.importModelUrl(url, role, onProgress && proxy(onProgress)),
    delete: (id: string) => this.api.deleteModel(id),
    estimate: () => this.api.storageEstimate(),
  };

  runtimeCounters() {
    return this.api.runtimeCounters();
  }

  dispose(): void {
    this.api[releaseProxy]();
    this.worker.terminate();
  }

  private runNow(graph: Graph, { targets, signal, onEvents, onStart, step, resume }: BridgeRunOptions): Promise<RunResult> {
    const runId = newRunId();
    if (signal?.aborted) return Promise.resolve(cancelledResult(runId, 0));
    onStart?.(runId);
    const started = performance.now();
    return new Promise<RunResult>((resolve) => {
      let settled = false;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (r: RunResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(graceTimer);
        this.crash = undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        this.api.cancel(runId).catch(() => undefined);
        graceTimer = setTimeout(() => {
          if (settled) return;
          this.restart();
          finish(cancelledResult(runId, performance.now() - started, 'the worker did not stop in time and was restarted'));
        }, CANCEL_GRACE_MS);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.crash = (message) => {
        this.restart();
        finish({ ok: false, code: 'worker_crashed', message: `The engine worker stopped: ${message}` });
      };
      this.api
        .run(graph, { runId, ...(targets?.length ? { targets } : {}), ...(step ? { step } : {}), ...(resume ? { resume } : {}) }, proxy((events: TransferEvent[]) => onEvents?.(events)))
        .then(finish, (err: unknown) => finish({ ok: false, code: 'worker_error', message: err instanceof Error ? err.message : String(err) }));
    });
  }
}

function cancelledResult(runId: string, ms: number, note?: string): RunResult {
  return { ok: true, report: { runId, status: 'cancelled', ms, nodes: new Map(), outputs: new Map(), ...(note ? { issues: [{ code: 'cancel_forced', path: '', message: note, severity: 'warning' }] } : {}) } };
}
