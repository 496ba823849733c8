import { describe, expect, test } from 'vitest';
import { chooseBackend, wasmThreads } from './chooseBackend';

const gpu = (adapter: unknown) => ({ requestAdapter: async () => adapter });

describe('backend choice', () => {
  test('WebGPU when an adapter exists, saying so', async () => {
    expect(await chooseBackend(gpu({}))).toMatchObject({ ok: true, backend: 'webgpu', reason: 'WebGPU adapter found' });
    // A software adapter is slower than wasm: used only when forced.
    expect(await chooseBackend(gpu({ info: { isFallbackAdapter: true } }))).toMatchObject({ backend: 'wasm', reason: expect.stringMatching(/only a software WebGPU adapter/) });
    expect(await chooseBackend(gpu({ info: { isFallbackAdapter: true } }), 'webgpu')).toMatchObject({ backend: 'webgpu', reason: 'WebGPU forced by the user (software WebGPU adapter found)' });
  });
  test('wasm without an adapter, saying why', async () => {
    expect(await chooseBackend(gpu(null))).toEqual({ ok: true, backend: 'wasm', reason: 'no WebGPU adapter: using wasm' });
    expect(await chooseBackend(undefined)).toMatchObject({ backend: 'wasm', reason: 'no WebGPU adapter: using wasm' });
  });
  test('a forced choice wins; forced WebGPU without an adapter is an error, not a fallback', async () => {
    expect(await chooseBackend(gpu({}), 'wasm')).toMatchObject({ backend: 'wasm', reason: 'wasm forced by the user' });
    expect(await chooseBackend(gpu({}), 'webgpu')).toMatchObject({ backend: 'webgpu', reason: 'WebGPU forced by the user (WebGPU adapter found)' });
    const r = await chooseBackend(gpu(null), 'webgpu');
    expect(r).toMatchObject({ ok: false, code: 'no_webgpu' });
    expect(r.ok ? '' : r.message).toMatch(/choose wasm$/);
  });
  test('wasm threads need cross-origin isolation and leave a core to the page', () => {
    expect(wasmThreads(false, 8)).toBe(1);
    expect(wasmThreads(true, 8)).toBe(4);
    expect(wasmThreads(true, 4)).toBe(3);
    expect(wasmThreads(true, 2)).toBe(1);
    expect(wasmThreads(true, 1)).toBe(1);
    expect(wasmThreads(undefined, undefined)).toBe(1);
  });
});
