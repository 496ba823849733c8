import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildModel, type GraphSpec } from '@/ml/runtime/onnxProto';
import { quantizeModel } from './quantize';

let seed = 3;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 1073741824 - 1;
};
const values = (n: number, scale = 1) => Array.from({ length: n }, () => rand() * scale);

/** x [1, 8, 4, 4] → Conv 3×3 (16 out) → Add bias → MatMul over the last axis [4, 6] → y. */
function spec(opset = 17, external = false): GraphSpec {
  return {
    name: 'q',
    opset,
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, 8, 4, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [1, 16, 4, 6] }],
    initializers: [
      // Output channels of very different sizes: one scale per channel is what keeps the small ones.
      { name: 'conv.weight', dtype: 'float32', dims: [16, 8, 3, 3], values: Array.from({ length: 16 * 72 }, (_, i) => rand() * (Math.floor(i / 72) % 2 ? 0.01 : 1)) },
      { name: 'conv.bias', dtype: 'float32', dims: [16], values: values(16) },
      external
        ? { name: 'proj.weight', dtype: 'float32', dims: [4, 6], external: { location: 'model.onnx_data', offset: 0, length: 96 } }
        : { name: 'proj.weight', dtype: 'float32', dims: [4, 6], values: values(24) },
      { name: 'big', dtype: 'float32', dims: [1, 16, 1, 1], values: values(16) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'conv.weight', 'conv.bias'], outputs: ['c'], attributes: { pads: { ints: [1, 1, 1, 1] } } },
      { op: 'Add', inputs: ['c', 'big'], outputs: ['a'] },
      { op: 'MatMul', inputs: ['a', 'proj.weight'], outputs: ['y'] },
    ],
  };
}

async function run(model: Uint8Array, x: Float32Array): Promise<{ y: Float32Array; inputs: readonly string[]; outputs: readonly string[] }> {
  const s = await ort.InferenceSession.create(model);
  const out = await s.run({ x: new ort.Tensor('float32', x, [1, 8, 4, 4]) });
  const r = { y: out.y.data as Float32Array, inputs: s.inputNames, outputs: s.outputNames };
  await s.release();
  return r;
}

describe('quantizeModel', () => {
  const model = buildModel(spec());
  const x = Float32Array.from(values(128));

  it('fp16: stores the weights at half the bytes, keeps inputs and outputs, and the outputs within fp16 rounding', async () => {
    const q = quantizeModel(model, 'fp16');
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    // Only tensors of 256 elements or more: the 1,152-element conv weight (bias, proj and 'big' are small).
    expect(q.report.tensors).toBe(1);
    expect(q.report.maxRelativeError).toBeLessThan(1e-3);
    const [a, b] = [await run(model, x), await run(q.model, x)];
    expect(b.inputs).toEqual(a.inputs);
    expect(b.outputs).toEqual(a.outputs);
    const peak = Math.max(...a.y.map(Math.abs));
    for (let i = 0; i < a.y.length; i++) expect(Math.abs(a.y[i] - b.y[i])).toBeLessThan(2e-3 * peak);
    expect(q.model.length).toBeLessThan(model.length - 1152 * 2 + 200);
  });

  it('int8: one scale per output channel of each Conv / MatMul weight, a quarter of the bytes, outputs close', async () => {
    const q = quantizeModel(model, 'int8');
    expect(q.ok).toBe(true);
    if (!q.ok) return;
    expect(q.report.tensors).toBe(1); // proj.weight has 24 elements: left as it is
    // Per channel, the 0.01-sized channels keep their precision: error within 1/254 of each tensor's peak.
    expect(q.report.maxRelativeError).toBeLessThanOrEqual(1 / 254 + 1e-7);
    const [a, b] = [await run(model, x), await run(q.model, x)];
    expect(b.outputs).toEqual(['y']);
    const peak = Math.max(...a.y.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < a.y.length; i++) worst = Math.max(worst, Math.abs(a.y[i] - b.y[i]) / peak);
    expect(worst).toBeLessThan(2e-2);
    expect(worst).toBeGreaterThan(0); // it did change the weights
    expect(q.model.length).toBeLessThan(model.length - 1152 * 3 + 400);
  });

  it('refuses what it cannot rewrite, saying why', () => {
    expect(quantizeModel(Uint8Array.of(1, 2, 3), 'int8')).toMatchObject({ ok: false, message: expect.stringMatching(/^not an ONNX model/) });
    expect(quantizeModel(buildModel(spec(12)), 'int8')).toEqual({ ok: false, message: 'int8 needs per-channel DequantizeLinear (opset 13 or later); this model is opset 12' });
    expect(quantizeModel(buildModel(spec(17, true)), 'fp16')).toMatchObject({ ok: false, message: expect.stringContaining('external data') });
  });
});
