import { afterAll, describe, expect, test } from 'vitest';
import * as ortWeb from 'onnxruntime-web';
import { cpuTensor, type TensorValue } from '@/engine/values';
import { createCpuTensorOps } from './cpuOps';
import { OrtBridge } from './ortBridge';
import { createOrtTensorOps } from './ortOps';
import type { OrtTensor } from './ortTypes';
import { nums } from './testModels';

ortWeb.env.wasm.numThreads = 1;
const bridge = new OrtBridge(ortWeb, 'wasm', { executionProviders: ['wasm'], logSeverityLevel: 3 });
const gpuLike = createOrtTensorOps(bridge);
const cpu = createCpuTensorOps();
afterAll(() => bridge.releaseHelpers());

let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const latent = (batch: number) => cpuTensor('float32', [batch, 4, 8, 8], Float32Array.from({ length: batch * 256 }, rand));

async function same(a: Promise<TensorValue>, b: Promise<TensorValue>): Promise<void> {
  const [x, y] = await Promise.all([a, b]);
  expect(x.dims).toEqual(y.dims);
  expect(x.dtype).toBe(y.dtype);
  const [dx, dy] = await Promise.all([x.read(), y.read()]);
  expect(dx.length).toBe(dy.length);
  for (let i = 0; i < dx.length; i++) expect(Number(dx[i])).toBeCloseTo(Number(dy[i]), 5);
}

describe('helper-model ops (run on wasm here) equal the CPU ops', () => {
  test.each([1, 2, 3, 4, 6, 9])('linear combination of %i tensors', async (n) => {
    const terms = Array.from({ length: n }, (_, i) => ({ tensor: latent(2), coefficient: (i + 1) * 0.37 - 1 }));
    await same(gpuLike.linearCombination(terms), cpu.linearCombination(terms));
  });

  test('concat along the batch, float32 and int32', async () => {
    const parts = [latent(1), latent(2), latent(1)];
    await same(gpuLike.concatBatch(parts), cpu.concatBatch(parts));
    const ids = [cpuTensor('int32', [1, 3], Int32Array.of(1, 2, 3)), cpuTensor('int32', [1, 3], Int32Array.of(4, 5, 6))];
    await same(gpuLike.concatBatch(ids), cpu.concatBatch(ids));
  });

  test('slice along the batch', async () => {
    const x = latent(4);
    await same(gpuLike.sliceBatch(x, 1, 2), cpu.sliceBatch(x, 1, 2));
    await same(gpuLike.sliceBatch(x, 3, 1), cpu.sliceBatch(x, 3, 1));
    await expect(gpuLike.sliceBatch(x, 3, 2)).rejects.toThrow(/outside a batch of 4/);
  });

  test('upload keeps the values; mismatched shapes are refused', async () => {
    const x = latent(1);
    await same(gpuLike.upload(x), cpu.upload(x));
    await expect(gpuLike.linearCombination([{ tensor: latent(1), coefficient: 1 }, { tensor: latent(2), coefficient: 1 }])).rejects.toThrow(
      'linearCombination needs tensors of one shape; got [1,4,8,8] and [2,4,8,8]',
    );
  });

  test('helper sessions are cached', async () => {
    const before = bridge.helperCount;
    await gpuLike.linearCombination([{ tensor: latent(1), coefficient: 2 }]);
    await gpuLike.linearCombination([{ tensor: latent(3), coefficient: 2 }]);
    expect(bridge.helperCount).toBe(before);
  });
});

/** An ORT tensor that says it lives on the GPU (no GPU here): tests the bookkeeping. */
function fakeGpuTensor(type: 'float32' | 'float16', data: Float32Array | Uint16Array, dims: number[]) {
  const t = {
    type,
    dims,
    location: 'gpu-buffer',
    disposed: 0,
    getData: async () => data,
    dispose: () => void t.disposed++,
  };
  return t;
}

describe('device tensors', () => {
  test('read counts device reads, converts float16, dispose is idempotent', async () => {
    const b = new OrtBridge(ortWeb, 'webgpu', {});
    const raw = fakeGpuTensor('float16', Uint16Array.of(0x3c00, 0xc000), [2]);
    const v = await b.fromOrt(raw as unknown as OrtTensor);
    expect(v.location).toBe('gpu');
    expect(v.dtype).toBe('float32');
    expect(v.handle).toBe(raw);
    expect(b.counters.liveDeviceTensors).toBe(1);
    expect(nums(await v.read())).toEqual([1, -2]);
    await v.read();
    expect(b.counters.deviceReads).toBe(1);
    v.dispose();
    v.dispose();
    expect(raw.disposed).toBe(1);
    expect(b.counters.liveDeviceTensors).toBe(0);
  });

  test('a device tensor of the declared type passes straight through', async () => {
    const b = new OrtBridge(ortWeb, 'webgpu', {});
    const raw = fakeGpuTensor('float32', new Float32Array(4), [1, 4]);
    const v = b.wrapDevice(raw as unknown as OrtTensor);
    const fed = await b.toOrt(v, 'float32', 'x');
    expect(fed.tensor).toBe(raw);
    expect(fed.temp).toBe(false);
    expect(b.counters.deviceReads).toBe(0);
    v.dispose();
  });

  test('keepOnDevice false reads back and releases', async () => {
    const b = new OrtBridge(ortWeb, 'webgpu', {});
    const raw = fakeGpuTensor('float32', Float32Array.of(1, 2), [2]);
    const v = await b.fromOrt(raw as unknown as OrtTensor, false);
    expect(v.location).toBe('cpu');
    expect(nums(await v.read())).toEqual([1, 2]);
    expect(raw.disposed).toBe(1);
    expect(b.counters).toEqual({ sessions: 0, deviceReads: 1, liveDeviceTensors: 0 });
  });
});

test('services on a GPU-style backend use the helper-model ops (exercised here on the wasm provider)', async () => {
  const { createMlServices } = await import('./createMlServices');
  const { fakeUnet, memoryFiles, refTo } = await import('./testModels');
  const ml = createMlServices({
    ort: ortWeb,
    backend: 'webgpu',
    backendReason: 'test',
    files: memoryFiles({ 'mem:test/unet.onnx': fakeUnet() }),
    executionProviders: ['wasm'],
    sessionOptions: { preferredOutputLocation: 'cpu' },
  });
  const s = await ml.session(refTo('unet.onnx', 'unet'));
  const out = await s.run({ sample: cpuTensor('float32', [1, 4, 16, 16], new Float32Array(1024).fill(1)), timestep: cpuTensor('float32', [1], Float32Array.of(1)) });
  const mixed = await ml.ops.linearCombination([
    { tensor: out.out_sample, coefficient: 0.5 },
    { tensor: cpuTensor('float32', [1, 4, 16, 16], new Float32Array(1024).fill(2)), coefficient: -1 },
  ]);
  expect(nums(await mixed.read()).every((v) => Math.abs(v - -0.5) < 1e-6)).toBe(true);
  await ml.dispose();
  expect(ml.counters().sessions).toBe(0);
});
