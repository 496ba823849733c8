import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { cpuTensor } from '@/engine/values';
import { createMlServices } from './createMlServices';
import { externalData, externalDataLocations } from './externalData';
import { f32ToF16Bits } from './float16';
import { buildModel } from './onnxProto';
import { memoryFiles, refTo } from './testModels';
import type { OrtModule } from './ortTypes';

/** y = x · w + b with w and b kept outside the model, as exporters write large models. */
function externalModel(location: string, dtype: 'float32' | 'float16' = 'float32'): { model: Uint8Array; data: Uint8Array } {
  const w = [1, 2, 3, 4];
  const b = [0.5, 0.5, 0.5, 0.5];
  const size = dtype === 'float32' ? 4 : 2;
  const bytes = new Uint8Array(16 + 8 * size);
  const put = (values: number[], at: number) => {
    if (dtype === 'float32') new Float32Array(bytes.buffer, at, 4).set(values);
    else new Uint16Array(bytes.buffer, at, 4).set(values.map(f32ToF16Bits));
  };
  // An offset past some padding, as exporters align tensors.
  put(w, 16);
  put(b, 16 + 4 * size);
  const model = buildModel({
    name: 'ext',
    nodes: [
      { op: 'Mul', inputs: ['x', 'w'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'b'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dtype, shape: [4] }],
    outputs: [{ name: 'y', dtype, shape: [4] }],
    initializers: [
      { name: 'w', dtype, dims: [4], external: { location, offset: 16, length: 4 * size } },
      { name: 'b', dtype, dims: [4], external: { location, offset: 16 + 4 * size, length: 4 * size } },
    ],
  });
  return { model, data: bytes };
}

describe('ONNX external data', () => {
  it('finds the files a model keeps its weights in, and none in a model that holds its own', () => {
    expect(externalDataLocations(externalModel('model.onnx_data').model)).toEqual(['model.onnx_data']);
    expect(externalDataLocations(externalModel('weights.pb').model)).toEqual(['weights.pb']);
    const inline = buildModel({ name: 'i', nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] }], inputs: [{ name: 'x', dtype: 'float32' }], outputs: [{ name: 'y', dtype: 'float32' }], initializers: [{ name: 'w', dtype: 'float32', dims: [1], values: [2] }] });
    expect(externalDataLocations(inline)).toEqual([]);
    // Not ONNX (or ONNX Runtime's own .ort format): nothing to read beside it; loading says what is wrong.
    expect(externalDataLocations(Uint8Array.from([0x3a, 0xff, 0xff, 0x7f]))).toEqual([]);
    expect(externalDataLocations(new Uint8Array(readFileSync('public/models/shapes-v1/vae_decoder/model.ort')))).toEqual([]);
  });

  const web = import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    m.env.logLevel = 'error';
    return m as unknown as OrtModule;
  });
  const made: { dispose(): void }[] = [];
  afterAll(() => made.forEach((m) => m.dispose()));

  it.each([
    ['onnxruntime-node', 'cpu', 'float32', 'model.onnx_data'],
    ['onnxruntime-node', 'cpu', 'float16', 'weights.pb'],
    ['onnxruntime-web', 'wasm', 'float32', 'model.onnx_data'],
    ['onnxruntime-web', 'wasm', 'float16', 'model.onnx_data'],
  ] as const)('%s (%s) runs a %s model whose weights are in %s beside it', async (_name, backend, dtype, location) => {
    const { model, data } = externalModel(location, dtype);
    const files = memoryFiles({ 'mem:ext/unet/model.onnx': model, [`mem:ext/unet/${location}`]: data });
    const ml = createMlServices({ ort: backend === 'cpu' ? (ortNode as unknown as OrtModule) : await web, backend, backendReason: 'test', files });
    made.push(ml);
    const session = await ml.session(refTo('unet/model.onnx', 'unet', { source: 'mem:ext' }));
    const out = await session.run({ x: cpuTensor('float32', [4], Float32Array.from([1, 1, 1, 2])) });
    expect([...(await out.y.read())]).toEqual([1.5, 2.5, 3.5, 8.5]);
    expect(files.reads).toBe(2);
  });

  it('refuses a weights location that leaves the model folder', async () => {
    const { model } = externalModel('../../secret.bin');
    const ml = createMlServices({ ort: ortNode as unknown as OrtModule, backend: 'cpu', backendReason: 'test', files: memoryFiles({ 'mem:ext/unet/model.onnx': model }) });
    made.push(ml);
    await expect(ml.session(refTo('unet/model.onnx', 'unet', { source: 'mem:ext' }))).rejects.toThrow(/is not a file path inside mem:ext/);
  });

  it('says up front when the weights alone pass what the wasm backend can hold, before reading them', async () => {
    const { model } = externalModel('model.onnx_data');
    const files = memoryFiles({ 'mem:ext/unet/model.onnx': model });
    const ml = createMlServices({ ort: await web, backend: 'wasm', backendReason: 'test', files, wasmMemoryBytes: 64 });
    made.push(ml);
    await expect(ml.session(refTo('unet/model.onnx', 'unet', { source: 'mem:ext' }))).rejects.toThrow(
      new RegExp(`^unet needs ${((model.length + 32) / 1024 ** 2).toFixed(1)} MB for its weights alone; onnxruntime-web's wasm backend is 32-bit and allows 0\\.0 MB for everything, minus its activations\\. Use WebGPU`),
    );
    expect(files.reads).toBe(1);
    expect(externalData(model).bytes).toBe(32);
  });

  it('names what the models already loaded hold when a model is refused on wasm', async () => {
    const small = externalModel('a.bin');
    const big = buildModel({
      name: 'big',
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [4] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [4] }],
      initializers: [{ name: 'w', dtype: 'float32', dims: [4], external: { location: 'w.bin', offset: 0, length: 3 * 1024 ** 2 } }],
    });
    const files = memoryFiles({ 'mem:m/a/model.onnx': small.model, 'mem:m/a/a.bin': small.data, 'mem:m/b/model.onnx': big });
    const ml = createMlServices({ ort: await web, backend: 'wasm', backendReason: 'test', files, wasmMemoryBytes: 2 * 1024 ** 2 });
    made.push(ml);
    await ml.session(refTo('a/model.onnx', 'textEncoder', { source: 'mem:m' }));
    await expect(ml.session(refTo('b/model.onnx', 'unet', { source: 'mem:m' }))).rejects.toThrow(
      /^unet needs 3\.0 MB for its weights alone; .* allows 2\.0 MB for everything, minus its activations and the 0\.0 MB the models already loaded hold\. Use WebGPU, or an fp16 export/,
    );
  });

  it('finds the largest tensor, and refuses on WebGPU a tensor past what one buffer may hold', async () => {
    const huge = 300 * 1024 ** 2;
    const model = buildModel({
      name: 'wide',
      nodes: [{ op: 'Gather', inputs: ['table', 'ids'], outputs: ['y'] }],
      inputs: [{ name: 'ids', dtype: 'int64', shape: [1] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 4] }],
      initializers: [
        { name: 'small', dtype: 'float32', dims: [4], values: [0, 0, 0, 0] },
        { name: 'embed_tokens.weight', dtype: 'float32', dims: [huge / 16, 4], external: { location: 'model.onnx_data', offset: 0, length: huge } },
      ],
    });
    expect(externalData(model).largest).toEqual({ name: 'embed_tokens.weight', bytes: huge });
    const files = memoryFiles({ 'mem:w/lm/model.onnx': model });
    const ml = createMlServices({ ort: await web, backend: 'webgpu', backendReason: 'test', files, webgpuBufferBytes: 256 * 1024 ** 2 });
    made.push(ml);
    await expect(ml.session(refTo('lm/model.onnx', 'languageModel', { source: 'mem:w' }))).rejects.toThrow(
      "languageModel holds a 300.0 MB tensor ('embed_tokens.weight'); this GPU allows 256.0 MB in one buffer. Use the wasm backend, or an fp16 or int8 export",
    );
    expect(files.reads).toBe(1);
  });

  it('says which weights file is missing', async () => {
    const { model } = externalModel('model.onnx_data');
    const ml = createMlServices({ ort: ortNode as unknown as OrtModule, backend: 'cpu', backendReason: 'test', files: memoryFiles({ 'mem:ext/unet/model.onnx': model }) });
    made.push(ml);
    await expect(ml.session(refTo('unet/model.onnx', 'unet', { source: 'mem:ext' }))).rejects.toThrow(/has no file 'unet\/model.onnx_data'/);
  });
});
