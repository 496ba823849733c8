import { describe, expect, test } from 'vitest';
import { cpuTensor } from '@/engine/values';
import { withShippedHash } from '@/ml/runtime/files';
import type { MlServices } from '@/ml/runtime/types';
import { BackendUnavailableError, createNodeRuntime } from './nodeRuntime';
import { nums } from '@/ml/runtime/testModels';

// The shipped models are being retrained: only shapes and finiteness are checked, not values.
describe.each(['cpu', 'wasm'] as const)('node runtime on %s', (backend) => {
  test('runs the shipped text encoder, reusing its session', async () => {
    const runtime = await createNodeRuntime({ backend });
    expect(runtime.backend).toBe(backend);
    const ml = runtime.services.ml as MlServices;
    expect(ml.backend).toBe(backend);
    const ref = await withShippedHash(ml.files, { kind: 'model', role: 'textEncoder', source: 'shipped:shapes-v1', path: 'text_encoder/model.onnx', name: 'text encoder' });
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    const session = await ml.session(ref);
    const ids = session.inputs[0];
    const len = Number(ids.shape[1]);
    const out = await session.run({ [ids.name]: cpuTensor('int32', [1, len], new Int32Array(len).fill(1)) });
    const hidden = out[session.outputs[0].name];
    expect(hidden.dims[0]).toBe(1);
    expect(hidden.dims[1]).toBe(len);
    expect(nums(await hidden.read()).every(Number.isFinite)).toBe(true);
    expect(await ml.session(ref)).toBe(session);
    // A ref without a hash (as the load-model node makes) finds the same session via the manifest.
    expect(await ml.session({ ...ref, sha256: undefined })).toBe(session);
    expect(ml.counters()).toEqual({ sessions: 1, deviceReads: 0, liveDeviceTensors: 0 });
    await ml.releaseUnused([]);
    expect(ml.counters().sessions).toBe(0);
  });
});

test('the default backend is onnxruntime-node on the CPU', async () => {
  const runtime = await createNodeRuntime();
  expect(runtime.backend).toBe('cpu');
  expect((runtime.services.ml as MlServices).backendReason).toMatch(/onnxruntime-node/);
});

// Where a GPU with a Vulkan driver exists, the WebGPU provider runs the text encoder and agrees
// with the CPU; elsewhere (CI, this project's machines) it must refuse with a clear message.
test('--backend webgpu runs on a GPU or says why it cannot', async () => {
  let runtime;
  try {
    runtime = await createNodeRuntime({ backend: 'webgpu' });
  } catch (err) {
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/^--backend webgpu cannot start: .+; run with --backend cpu or --backend wasm instead$/);
    return;
  }
  const ml = runtime.services.ml as MlServices;
  const cpu = (await createNodeRuntime({ backend: 'cpu' })).services.ml as MlServices;
  const ref = await withShippedHash(ml.files, { kind: 'model', role: 'textEncoder', source: 'shipped:shapes-v1', path: 'text_encoder/model.onnx', name: 'text encoder' });
  const [a, b] = await Promise.all([ml.session(ref), cpu.session(ref)]);
  const len = Number(a.inputs[0].shape[1]);
  const feeds = { [a.inputs[0].name]: cpuTensor('int32', [1, len], Int32Array.from({ length: len }, (_, i) => (i * 37) % 400)) };
  const ga = nums(await (await a.run(feeds))[a.outputs[0].name].read());
  const gb = nums(await (await b.run(feeds))[b.outputs[0].name].read());
  expect(ga.length).toBe(gb.length);
  expect(Math.max(...ga.map((x, i) => Math.abs(x - gb[i])))).toBeLessThan(1e-3);
});
