/**
 * What the host hands the engine to run models. The engine owns this interface; the browser
 * worker (onnxruntime-web) and the CLI (onnxruntime-node) implement it. Nodes that need no
 * models ignore it. The inference work extends it with model loading and sessions.
 */
export interface Runtime {
  /** Which backend runs model nodes: 'webgpu', 'wasm', 'cpu' (Node), or 'none'. */
  readonly backend: string;
  /** Services by name, for node kinds that need host facilities (files, models). */
  readonly services: Readonly<Record<string, unknown>>;
}

export const NO_RUNTIME: Runtime = { backend: 'none', services: {} };
