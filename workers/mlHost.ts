import { NodeRunError } from '@/engine/errors';
import { chooseBackend, wasmThreads, type GpuLike } from '@/ml/runtime/chooseBackend';
import { createMlServices, type OrtMlServices } from '@/ml/runtime/createMlServices';
import type { FileAccess } from '@/ml/runtime/types';
import type { OrtModule } from '@/ml/runtime/ortTypes';
import { createBrowserFiles } from './files';
import { createModelStore, type ModelStore } from './modelStore';

export interface BrowserMlOptions {
  /** The user's choice; without it WebGPU is used when an adapter exists. */
  force?: 'webgpu' | 'wasm';
  /** Imported models; default the `weft-models` IndexedDB store. */
  store?: ModelStore;
  files?: FileAccess;
}

export type BrowserMlResult = { ok: true; ml: OrtMlServices; store: ModelStore } | { ok: false; code: string; message: string };

/**
 * ORT's WebGPU build (its wasm is 27 MB) only when WebGPU is used; on wasm its plain build (14 MB),
 * half the bytes to fetch and compile on a cold page. Each is loaded once per worker.
 */
export function loadOrt(backend: 'webgpu' | 'wasm'): Promise<OrtModule> {
  return backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm');
}

/**
 * The model runtime of the engine worker (or page): onnxruntime-web with the WebGPU provider
 * when an adapter exists, wasm otherwise. The same worker must run every node that passes GPU
 * tensors along. Failures come back as values.
 */
export async function tryCreateBrowserMl(options: BrowserMlOptions = {}): Promise<BrowserMlResult> {
  const nav = globalThis.navigator as (Navigator & { gpu?: GpuLike }) | undefined;
  const choice = await chooseBackend(nav?.gpu, options.force);
  if (!choice.ok) return choice;
  const ort = await loadOrt(choice.backend);
  ort.env.wasm.numThreads = wasmThreads(globalThis.crossOriginIsolated, nav?.hardwareConcurrency);
  ort.env.logLevel = 'error';
  // ORT would request its own adapter; hand it the one we checked so the choice is the one used.
  if (choice.backend === 'webgpu' && choice.adapter) (ort.env.webgpu as { adapter?: unknown }).adapter = choice.adapter;
  const store = options.store ?? createModelStore();
  const files = options.files ?? createBrowserFiles({ store });
  const ml = createMlServices({
    ort,
    backend: choice.backend,
    backendReason: choice.reason,
    files,
    // WebGPU first; ORT assigns nodes the WebGPU provider lacks to the CPU (wasm) provider.
    executionProviders: choice.backend === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'],
  });
  return { ok: true, ml, store };
}

/** As tryCreateBrowserMl, throwing the failure as a NodeRunError (e.g. WebGPU forced, none present). */
export async function createBrowserMl(options: BrowserMlOptions = {}): Promise<OrtMlServices> {
  const r = await tryCreateBrowserMl(options);
  if (!r.ok) throw new NodeRunError(r.code, r.message);
  return r.ml;
}
