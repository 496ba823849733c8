import type { Graph } from '@/engine/graph/document';
import type { EditorController } from './controller';
import type { BackendInfo, BackendPreference } from '@/workers/runtimeHost';
import { mlOf } from './mlState';
import type { RuntimeCounters } from '@/ml/runtime/types';

/** A small scripting hook for tests and the editor benchmark (no secrets, no network). */
export interface WeftDevApi {
  loadGraph(value: unknown): { ok: true } | { ok: false; errors: string[] };
  getGraph(): Graph;
  run(targets?: string[]): Promise<void>;
  saveNow(): Promise<void>;
  /** Chooses the model backend as the run bar's picker does (and shows it there). */
  setBackend(preference: BackendPreference): Promise<BackendInfo | null>;
  /** Sessions, GPU→CPU reads and live GPU tensors of the worker's model runtime. */
  runtimeCounters(): Promise<RuntimeCounters | undefined>;
  /** Per node of the last run: status, milliseconds and backend (benchmarks print it). */
  nodeTimes(): Record<string, { status: string; ms?: number; backend?: string }>;
  /** Makes the canvas' next render throw, to test that the editor recovers (CanvasErrorBoundary). */
  failNextCanvasRender(): void;
  /** Set while the canvas is mounted: React Flow's viewport, for the panning benchmark. */
  viewport?: {
    get(): { x: number; y: number; zoom: number };
    set(v: { x: number; y: number; zoom: number }): void;
  };
}

declare global {
  interface Window {
    __weft?: WeftDevApi;
  }
}

let renderFault = false;

/** Set by failNextCanvasRender() until the canvas' error boundary has caught the fault. */
export function renderFaultPending(): boolean {
  return renderFault;
}

export function clearRenderFault(): void {
  renderFault = false;
}

export function installDevApi(ctrl: EditorController): () => void {
  window.__weft = {
    loadGraph: (value) => ctrl.loadGraphObject(value),
    getGraph: () => ctrl.graph,
    run: (targets) => ctrl.run(targets),
    saveNow: () => ctrl.saveNow(),
    setBackend: (p) => mlOf(ctrl).setPreference(p),
    runtimeCounters: async () => mlOf(ctrl).engine?.runtimeCounters(),
    failNextCanvasRender: () => {
      renderFault = true;
    },
    nodeTimes: () =>
      Object.fromEntries(
        [...ctrl.store.get().nodeRuns].map(([id, r]) => [id, { status: r.status, ...(r.ms !== undefined ? { ms: Math.round(r.ms) } : {}), ...(r.backend ? { backend: r.backend } : {}) }]),
      ),
  };
  return () => {
    delete window.__weft;
  };
}
