import type { Runtime } from '@/engine/runtime';
import { createMlServices } from '@/ml/runtime/createMlServices';
import type { OrtModule } from '@/ml/runtime/ortTypes';
import { createNodeFiles } from './nodeFiles';

export interface NodeRuntimeOptions {
  /** 'cpu': onnxruntime-node (default); 'wasm': onnxruntime-web's wasm backend, as the browser runs it. */
  backend?: 'cpu' | 'wasm';
  /** wasm threads (default 1: the CLI shares the machine; at most 2 are useful here). */
  numThreads?: number;
  /** Folder holding shipped suites (default <repo>/public/models). */
  shippedRoot?: string;
}

/** The runtime the CLI gives the engine: files from disk and ONNX Runtime for model nodes. */
export async function createNodeRuntime(options: NodeRuntimeOptions = { backend: 'cpu' }): Promise<Runtime> {
  const backend = options.backend ?? 'cpu';
  const files = createNodeFiles({ shippedRoot: options.shippedRoot });
  let ort: OrtModule;
  let backendReason: string;
  if (backend === 'wasm') {
    const web = await import('onnxruntime-web');
    web.env.wasm.numThreads = Math.max(1, Math.min(2, options.numThreads ?? 1));
    web.env.logLevel = 'error';
    ort = web;
    backendReason = 'chosen with --backend wasm (onnxruntime-web)';
  } else {
    ort = await import('onnxruntime-node');
    backendReason = 'CLI default: onnxruntime-node on the CPU';
  }
  const ml = createMlServices({ ort, backend, backendReason, files });
  return { backend, services: { ml } };
}
