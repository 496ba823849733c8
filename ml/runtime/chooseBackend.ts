/** The part of `navigator.gpu` the choice needs. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<unknown | null>;
}

export type BackendChoice =
  | { ok: true; backend: 'webgpu' | 'wasm'; reason: string; adapter?: unknown }
  | { ok: false; code: 'no_webgpu'; message: string };

function isFallback(adapter: unknown): boolean {
  const a = adapter as { isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean } };
  return !!(a?.info?.isFallbackAdapter ?? a?.isFallbackAdapter);
}

/**
 * WebGPU when a hardware adapter exists, else wasm, saying why; a user's forced choice wins, and
 * forcing WebGPU without an adapter is an error, never a silent fallback.
 */
export async function chooseBackend(gpu: GpuLike | undefined, force?: 'webgpu' | 'wasm'): Promise<BackendChoice> {
  if (force === 'wasm') return { ok: true, backend: 'wasm', reason: 'wasm forced by the user' };
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
  if (adapter) {
    const fallback = isFallback(adapter);
    // A software adapter (SwiftShader) computes on the CPU far slower than wasm: use it only when asked.
    if (fallback && force !== 'webgpu') return { ok: true, backend: 'wasm', reason: 'only a software WebGPU adapter (no GPU): using wasm, which is faster; choose WebGPU to use it anyway' };
    const kind = fallback ? 'software WebGPU adapter found' : 'WebGPU adapter found';
    return { ok: true, backend: 'webgpu', reason: force === 'webgpu' ? `WebGPU forced by the user (${kind})` : kind, adapter };
  }
  if (force === 'webgpu') {
    return {
      ok: false,
      code: 'no_webgpu',
      message: `WebGPU was chosen but this browser offers no WebGPU adapter${gpu ? '' : ' (navigator.gpu is missing)'}; enable WebGPU in the browser or choose wasm`,
    };
  }
  return { ok: true, backend: 'wasm', reason: 'no WebGPU adapter: using wasm' };
}

/**
 * wasm threads: several only under cross-origin isolation (SharedArrayBuffer), else one; one core
 * is left to the page, which draws progress and previews while the models run (on 2 cores, 2 ORT
 * threads made the default graph's 20 steps 1.2 s against 0.87 s with 1, on the factor-4 UNet).
 */
export function wasmThreads(crossOriginIsolated: boolean | undefined, hardwareConcurrency: number | undefined): number {
  return crossOriginIsolated ? Math.max(1, Math.min(4, (hardwareConcurrency ?? 1) - 1)) : 1;
}
