/// <reference lib="webworker" />
import { expose } from 'comlink';
import { ExecutionCache, runGraph } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { reportToTransfer, type RunResult, type TransferEvent } from './transfer';
import { RuntimeHost, type BackendPreference } from './runtimeHost';
import type { FolderEntry } from './modelStore';
import type { ModelRole } from '@/ml/runtime/types';

/**
 * The engine's home in the browser: runs graphs off the main thread. One cache lives across
 * runs so unchanged nodes are reused.
 */
const cache = new ExecutionCache();
const running = new Map<string, AbortController>();
const host = new RuntimeHost();

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
  async run(graph: Graph, options: { runId: string; targets?: string[] }, onEvents: (events: TransferEvent[]) => void): Promise<RunResult> {
    const controller = new AbortController();
    running.set(options.runId, controller);
    const events = batcher(onEvents);
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
      });
      events.flush();
      return { ok: true, report: await reportToTransfer(report) };
    } catch (err) {
      events.flush();
      // The executor reports node failures in the report; reaching here is a bug worth showing.
      return { ok: false, code: 'engine_failure', message: err instanceof Error ? err.message : String(err) };
    } finally {
      running.delete(options.runId);
    }
  },
  cancel(runId: string): boolean {
    const c = running.get(runId);
    c?.abort(new DOMException('The run was cancelled', 'AbortError'));
    return !!c;
  },
  clearCache(): void {
    cache.clear();
  },
  /** Chooses the model backend; a change clears the cache (its tensors belong to the old device). */
  async setBackend(preference: BackendPreference) {
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
