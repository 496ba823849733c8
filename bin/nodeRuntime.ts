import type { Runtime } from '@/engine/runtime';
import { createMlServices } from '@/ml/runtime/createMlServices';
import type { OrtModule } from '@/ml/runtime/ortTypes';
import { createLocalFiles, createNodeFiles } from './nodeFiles';
import type { SourcePolicy } from './sourcePolicy';

export type CliBackend = 'cpu' | 'wasm' | 'webgpu';

export interface NodeRuntimeOptions {
  /**
   * 'cpu': onnxruntime-node (default); 'wasm': onnxruntime-web's wasm backend, as the browser runs
   * it; 'webgpu': onnxruntime-node's WebGPU provider (Dawn, on Vulkan on Linux), on a real GPU.
   */
  backend?: CliBackend;
  /** wasm threads (default 1: the CLI shares the machine; at most 2 are useful here). */
  numThreads?: number;
  /** Folder holding shipped suites (default <repo>/public/models). */
  shippedRoot?: string;
  /** What graphs may read on disk and fetch (see sourcePolicy.ts); the CLI always passes one. */
  policy?: SourcePolicy;
}

/** The runtime could not start on the backend asked for; `message` says why and what to do. */
export class BackendUnavailableError extends Error {}

const REASONS: Record<CliBackend, string> = {
  cpu: 'CLI default: onnxruntime-node on the CPU',
  wasm: 'chosen with --backend wasm (onnxruntime-web)',
  webgpu: "chosen with --backend webgpu (onnxruntime-node's WebGPU provider; tensors pass through the CPU between models)",
};

async function ortFor(backend: CliBackend, numThreads = 1): Promise<OrtModule> {
  // onnxruntime-node 1.30 reports usage to Microsoft (a device id and an event database under
  // ~/.cache/Microsoft, a /tmp/mat-debug-<pid>.log, DNS lookups) unless this is set before it loads.
  process.env.ORT_DISABLE_TELEMETRY = '1';
  if (backend !== 'wasm') return import('onnxruntime-node');
  const web = await import('onnxruntime-web');
  web.env.wasm.numThreads = Math.max(1, Math.min(2, numThreads));
  web.env.logLevel = 'error';
  return web;
}

/** The runtime the CLI gives the engine: files from disk and ONNX Runtime for model nodes. */
export async function createNodeRuntime(options: NodeRuntimeOptions = { backend: 'cpu' }): Promise<Runtime> {
  const backend = options.backend ?? 'cpu';
  const ml = createMlServices({
    ort: await ortFor(backend, options.numThreads),
    backend,
    backendReason: REASONS[backend],
    files: createNodeFiles({ shippedRoot: options.shippedRoot, policy: options.policy }),
    // WebGPU in Node: the binding hands no GPU buffers to JavaScript, so each model's outputs are
    // read back to the CPU and the next model's inputs uploaded again.
    gpuTensors: false,
  });
  if (backend === 'webgpu') {
    try {
      await ml.check();
    } catch (err) {
      await ml.dispose();
      const msg = err instanceof Error ? err.message : String(err);
      const why = /adapter/i.test(msg) ? 'no WebGPU adapter was found (a GPU with a Vulkan driver is needed on Linux)' : msg.split('\n')[0];
      throw new BackendUnavailableError(`--backend webgpu cannot start: ${why}; run with --backend cpu or --backend wasm instead`);
    }
  }
  return { backend, services: { ml, ...(options.policy ? { localFiles: createLocalFiles(options.policy) } : {}) } };
}
