import type { Runtime } from '@/engine/runtime';

/** The runtime the CLI gives the engine. Model backends (onnxruntime-node / -web) join it with the inference nodes. */
export async function createNodeRuntime(): Promise<Runtime> {
  return { backend: 'cpu', services: {} };
}
