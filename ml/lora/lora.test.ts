import { afterAll, describe, expect, it } from 'vitest';
import * as ortNode from 'onnxruntime-node';
import { cpuTensor } from '@/engine/values';
import { createMlServices, type OrtMlServices } from '@/ml/runtime/createMlServices';
import { f16BitsToF32, f32ToF16Bits } from '@/ml/runtime/float16';
import { buildModel, type InitializerSpec, type NodeSpec } from '@/ml/runtime/onnxProto';
import type { OrtModule } from '@/ml/runtime/ortTypes';
import { memoryFiles, refTo } from '@/ml/runtime/testModels';
import type { AdapterRef, ModelRef } from '@/ml/runtime/types';
import { readLora } from './layers';
import { weightTargets } from './onnxWeights';
import { readSafetensors, writeSafetensors } from './safetensors';

const made: OrtMlServices[] = [];
afterAll(async () => {
  for (const m of made) await m.dispose();
});

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let x = seed * 2654435761 + 1;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 1073741824 - 1;
  });
}

function loraFile(layers: Record<string, { down: [number[], number[]]; up: [number[], number[]]; alpha?: number }>, naming: 'kohya' | 'peft'): Uint8Array {
  const t = new Map<string, { shape: number[]; values: number[] }>();
  for (const [key, l] of Object.entries(layers)) {
    if (naming === 'kohya') {
      t.set(`${key}.lora_down.weight`, { shape: l.down[0], values: l.down[1] });
      t.set(`${key}.lora_up.weight`, { shape: l.up[0], values: l.up[1] });
      if (l.alpha !== undefined) t.set(`${key}.alpha`, { shape: [], values: [l.alpha] });
    } else {
      t.set(`${key}.lora_A.weight`, { shape: l.down[0], values: l.down[1] });
      t.set(`${key}.lora_B.weight`, { shape: l.up[0], values: l.up[1] });
    }
  }
  return writeSafetensors(t);
}

/** (out × r) · (r × rest) */
function product(up: number[], down: number[], out: number, r: number, rest: number): number[] {
  const d = new Array(out * rest).fill(0);
  for (let o = 0; o < out; o++) for (let k = 0; k < r; k++) for (let j = 0; j < rest; j++) d[o * rest + j] += up[o * r + k] * down[k * rest + j];
  return d;
}

async function run(ml: OrtMlServices, ref: ModelRef, x: number[], dims: number[]): Promise<number[]> {
  const s = await ml.session(ref);
  const out = await s.run({ x: cpuTensor('float32', dims, Float32Array.from(x)) });
  return [...((await out.y.read()) as Float32Array)];
}

function services(files: Record<string, Uint8Array>) {
  const access = memoryFiles(files);
  const ml = createMlServices({ ort: ortNode as unknown as OrtModule, backend: 'cpu', backendReason: 'test', files: access });
  made.push(ml);
  return { ml, access };
}

const adapter = (path: string, strength: number): AdapterRef => ({ kind: 'lora', source: 'mem:m', path, name: path, strength });

describe('safetensors', () => {
  it('round-trips F32 and F16 tensors and string metadata', () => {
    const bytes = writeSafetensors(
      new Map([
        ['a.weight', { shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5] }],
        ['b', { shape: [2], values: [0.5, -2], dtype: 'F16' as const }],
      ]),
      new Map([['ss_network_alpha', '8']]),
    );
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const r = readSafetensors(bytes);
    if (!r.ok) throw new Error(r.message);
    expect([...r.value.tensors.keys()]).toEqual(['a.weight', 'b']);
    expect(r.value.tensors.get('a.weight')!.shape).toEqual([2, 3]);
    expect(r.value.tensors.get('b')!.dtype).toBe('F16');
    expect(r.value.metadata.get('ss_network_alpha')).toBe('8');
  });

  it.each([
    ['too short', new Uint8Array(3), /3 bytes, too short/],
    ['a header past the file', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 1000n, true); return b; })(), /claims 1000 bytes but the file has 8/],
    ['a header over 100 MB', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, 2n ** 40n, true); return b; })(), /safetensors headers are at most/],
  ])('refuses %s', (_, bytes, message) => {
    const r = readSafetensors(bytes, 'x.safetensors');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  function withHeader(header: string, data = 0): Uint8Array {
    const h = new TextEncoder().encode(header);
    const b = new Uint8Array(8 + h.length + data);
    new DataView(b.buffer).setBigUint64(0, BigInt(h.length), true);
    b.set(h, 8);
    return b;
  }

  it.each([
    ['not JSON', '{"a":', /header is not JSON/],
    ['a tensor past the data', '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', /tensor 'w' lies at bytes 0-16, past the 8 bytes/],
    ['a size that does not match its shape', '{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', /F32 \[3\] \(12 bytes\) but holds 8/],
    ['an unknown dtype', '{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', /dtype "Q4"/],
  ])('refuses %s, naming the tensor', (_, header, message) => {
    const r = readSafetensors(withHeader(header, 8), 'x.safetensors');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('keeps hostile names as values, not object keys', () => {
    const r = readSafetensors(withHeader('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8));
    if (!r.ok) throw new Error(r.message);
    expect([...r.value.tensors.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
});

describe('LoRA applied to ONNX weights', () => {
  // y = x · W with W [in 3, out 2], as an exporter writes nn.Linear (weight transposed to [in, out]).
  const W = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  const linearModel = (weightName: string, nodeName?: string, dtype: 'float32' | 'float16' = 'float32') =>
    buildModel({
      name: 'lin',
      nodes: [{ op: 'MatMul', inputs: ['x', weightName], outputs: ['y'], name: nodeName }],
      inputs: [{ name: 'x', dtype, shape: [1, 3] }],
      outputs: [{ name: 'y', dtype, shape: [1, 2] }],
      initializers: [{ name: weightName, dtype, dims: [3, 2], values: dtype === 'float32' ? W : W.map(f32ToF16Bits) }],
    });
  const down = values(2 * 3, 1); // rank 2, in 3
  const up = values(2 * 2, 2); // out 2, rank 2
  const x = [1, -2, 0.5];

  /** x · (W + s · α/r · (up·down)ᵀ) */
  function expected(strength: number, alpha: number, w = W): number[] {
    const d = product(up, down, 2, 2, 3); // [out 2, in 3]
    const scale = (strength * alpha) / 2;
    return [0, 1].map((o) => x.reduce((acc, xi, i) => acc + xi * (w[i * 2 + o] + scale * d[o * 3 + i]), 0));
  }

  it('kohya naming on a weight named by its module: x · (W + s·α/r·BA)', async () => {
    const lora = loraFile({ lora_unet_mid_block_proj: { down: [[2, 3], down], up: [[2, 2], up], alpha: 1 } }, 'kohya');
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('mid_block.proj.weight'), 'mem:m/l.safetensors': lora });
    const base = refTo('unet/model.onnx', 'unet', { source: 'mem:m' });
    const y = await run(ml, { ...base, adapters: [adapter('l.safetensors', 0.8)] }, x, [1, 3]);
    expected(0.8, 1).forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    // the base model is untouched by the patch
    const y0 = await run(ml, base, x, [1, 3]);
    expected(0, 1).forEach((v, i) => expect(y0[i]).toBeCloseTo(v, 6));
  });

  it('PEFT naming on an optimum-style export (weight onnx::MatMul_7, module in the node name), alpha = rank', async () => {
    const lora = loraFile({ 'unet.mid_block.attentions.0.to_q': { down: [[2, 3], down], up: [[2, 2], up] } }, 'peft');
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('onnx::MatMul_7', '/mid_block/attentions.0/to_q/MatMul'), 'mem:m/l.safetensors': lora });
    const y = await run(ml, { ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] }, x, [1, 3]);
    expected(1, 2).forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
  });

  it('float16 weights are patched in half precision', async () => {
    const lora = loraFile({ lora_unet_proj: { down: [[2, 3], down], up: [[2, 2], up], alpha: 2 } }, 'kohya');
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('proj.weight', undefined, 'float16'), 'mem:m/l.safetensors': lora });
    const y = await run(ml, { ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] }, x, [1, 3]);
    const half = W.map((w) => f16BitsToF32(f32ToF16Bits(w)));
    expected(1, 2, half).forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThan(5e-3));
  });

  it('Gemm with transB, and two adapters stacked', async () => {
    const model = buildModel({
      name: 'gemm',
      nodes: [{ op: 'Gemm', inputs: ['x', 'fc.weight'], outputs: ['y'], attributes: { transB: { i: 1 } } }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [1, 3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, 2] }],
      initializers: [{ name: 'fc.weight', dtype: 'float32', dims: [2, 3], values: [0.1, 0.3, 0.5, 0.2, 0.4, 0.6] }], // Wᵀ of the MatMul case
    });
    const a = loraFile({ lora_unet_fc: { down: [[2, 3], down], up: [[2, 2], up], alpha: 2 } }, 'kohya');
    const { ml } = services({ 'mem:m/unet/model.onnx': model, 'mem:m/a.safetensors': a, 'mem:m/b.safetensors': a });
    const y = await run(ml, { ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('a.safetensors', 0.25), adapter('b.safetensors', 0.5)] }, x, [1, 3]);
    expected(0.75, 2).forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
  });

  it('a 3×3 Conv whose weights are external data, with a conv LoRA (down [r, in, 3, 3], up [out, r, 1, 1])', async () => {
    const [outC, inC, r] = [2, 2, 1];
    const w = values(outC * inC * 9, 3);
    const data = new Uint8Array(new Float32Array(w).buffer);
    const inits: InitializerSpec[] = [{ name: 'conv_in.weight', dtype: 'float32', dims: [outC, inC, 3, 3], external: { location: 'model.onnx_data', offset: 0, length: data.length } }];
    const nodes: NodeSpec[] = [{ op: 'Conv', inputs: ['x', 'conv_in.weight'], outputs: ['y'], attributes: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } }];
    const model = buildModel({ name: 'conv', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1, inC, 3, 3] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1, outC, 3, 3] }], initializers: inits });
    const cd = values(r * inC * 9, 4);
    const cu = values(outC * r, 5);
    const lora = loraFile({ lora_unet_conv_in: { down: [[r, inC, 3, 3], cd], up: [[outC, r, 1, 1], cu], alpha: 1 } }, 'kohya');
    // the same conv with the patched weight written in, as the expected result
    const patchedW = w.map((v, i) => v + product(cu, cd, outC, r, inC * 9)[i]);
    const reference = buildModel({ name: 'conv', nodes, inputs: [{ name: 'x', dtype: 'float32', shape: [1, inC, 3, 3] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1, outC, 3, 3] }], initializers: [{ ...inits[0], external: undefined, values: patchedW }] });
    const { ml, access } = services({ 'mem:m/unet/model.onnx': model, 'mem:m/unet/model.onnx_data': data, 'mem:m/l.safetensors': lora, 'mem:m/ref/model.onnx': reference });
    const input = values(inC * 9, 6);
    const y = await run(ml, { ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] }, input, [1, inC, 3, 3]);
    const want = await run(ml, refTo('ref/model.onnx', 'other', { source: 'mem:m' }), input, [1, inC, 3, 3]);
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    // the external file read from the folder is not changed in place
    expect([...new Float32Array(data.buffer)]).toEqual(Float32Array.from(w).reduce((a, v) => [...a, v], [] as number[]));
    expect(access.reads).toBeGreaterThan(0);
  });

  it('says how many layers matched no weight, naming them, and makes no session', async () => {
    const lora = loraFile(
      {
        lora_unet_proj: { down: [[2, 3], down], up: [[2, 2], up] },
        lora_unet_down_blocks_0_attentions_0_to_k: { down: [[2, 3], down], up: [[2, 2], up] },
        lora_unet_down_blocks_0_attentions_0_to_v: { down: [[2, 3], down], up: [[2, 2], up] },
        lora_te_text_model_encoder_layers_0_self_attn_q_proj: { down: [[2, 3], down], up: [[2, 2], up] },
      },
      'kohya',
    );
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('proj.weight'), 'mem:m/l.safetensors': lora });
    await expect(ml.session({ ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] })).rejects.toThrow(
      "2 of 3 LoRA layers matched no weight in this UNet ('lora_unet_down_blocks_0_attentions_0_to_k', 'lora_unet_down_blocks_0_attentions_0_to_v'): is the LoRA made for another model?",
    );
    expect(ml.counters().sessions).toBe(0);
  });

  it('refuses a layer whose shape does not fit its weight', async () => {
    const lora = loraFile({ lora_unet_proj: { down: [[1, 4], values(4, 1)], up: [[2, 1], values(2, 2)] } }, 'kohya');
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('proj.weight'), 'mem:m/l.safetensors': lora });
    await expect(ml.session({ ...refTo('unet/model.onnx', 'unet', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] })).rejects.toThrow(
      /LoRA layer 'lora_unet_proj' \(l\.safetensors\) is down \[1, 4\] · up \[2, 1\], which does not fit MatMul weight 'proj\.weight' \[3, 2\]/,
    );
  });

  it('caches by content and strength; strength 0 is the base session', async () => {
    const lora = loraFile({ lora_unet_proj: { down: [[2, 3], down], up: [[2, 2], up] } }, 'kohya');
    const { ml } = services({ 'mem:m/unet/model.onnx': linearModel('proj.weight'), 'mem:m/l.safetensors': lora, 'mem:m/copy.safetensors': lora });
    const base = refTo('unet/model.onnx', 'unet', { source: 'mem:m' });
    const s0 = await ml.session(base);
    expect((await ml.session({ ...base, adapters: [adapter('l.safetensors', 0)] })).key).toBe(s0.key);
    const s1 = await ml.session({ ...base, adapters: [adapter('l.safetensors', 0.5)] });
    expect(s1.key).not.toBe(s0.key);
    // the same bytes under another name are the same adapter
    expect((await ml.session({ ...base, adapters: [adapter('copy.safetensors', 0.5)] })).key).toBe(s1.key);
    expect((await ml.session({ ...base, adapters: [adapter('l.safetensors', 0.7)] })).key).not.toBe(s1.key);
    expect(ml.counters().sessions).toBe(3);
  });

  it('refuses LoRA on an .ort file and on a model that is neither a UNet nor a text encoder', async () => {
    const lora = loraFile({ lora_unet_proj: { down: [[2, 3], down], up: [[2, 2], up] } }, 'kohya');
    const { ml } = services({ 'mem:m/vae/model.onnx': linearModel('proj.weight'), 'mem:m/l.safetensors': lora });
    await expect(ml.session({ ...refTo('vae/model.onnx', 'vae', { source: 'mem:m' }), adapters: [adapter('l.safetensors', 1)] })).rejects.toThrow(/a LoRA changes a UNet or a text encoder; vae is neither/);
  });

  it('reads the layers of kohya, PEFT and old diffusers files into one form', () => {
    const t = (shape: number[]) => ({ shape, values: new Array(shape.reduce((a, b) => a * b, 1)).fill(0.1) });
    const file = writeSafetensors(
      new Map([
        ['lora_unet_up_blocks_1_attentions_0_proj_in.lora_down.weight', t([4, 8])],
        ['lora_unet_up_blocks_1_attentions_0_proj_in.lora_up.weight', t([8, 4])],
        ['lora_unet_up_blocks_1_attentions_0_proj_in.alpha', t([])],
        ['text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight', t([2, 8])],
        ['text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_B.weight', t([8, 2])],
        ['unet.mid_block.attentions.0.transformer_blocks.0.attn1.processor.to_out_lora.down.weight', t([2, 8])],
        ['unet.mid_block.attentions.0.transformer_blocks.0.attn1.processor.to_out_lora.up.weight', t([8, 2])],
        ['lora_unet_x.dora_scale', t([8])],
      ]),
    );
    const r = readLora(file);
    if (!r.ok) throw new Error(r.message);
    const got = r.value.layers.map((l) => [l.component, l.module, l.rank, Number(l.alpha.toFixed(3))]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(got).toEqual([
      ['unet', 'mid_block_attentions_0_transformer_blocks_0_attn1_to_out_0', 2, 2],
      ['textEncoder', 'text_model_encoder_layers_0_self_attn_q_proj', 2, 2],
      ['unet', 'up_blocks_1_attentions_0_proj_in', 4, 0.1],
    ]);
    expect(r.value.unknown).toEqual(['lora_unet_x.dora_scale']);
    // a down matrix without its up
    const half = writeSafetensors(new Map([['lora_unet_a.lora_down.weight', t([2, 3])]]));
    expect(readLora(half, 'half.safetensors')).toEqual({ ok: false, message: "half.safetensors: layer 'lora_unet_a' has a down (A) matrix but no up (B) one" });
  });

  it('finds the modules of an exported model by parameter name and by node path', () => {
    const model = linearModel('onnx::MatMul_7', '/down_blocks.0/attentions.0/proj_in/MatMul');
    expect(weightTargets(model).map((t) => [t.tensor, t.layout, t.modules])).toEqual([['onnx::MatMul_7', 'in-out', ['down_blocks_0_attentions_0_proj_in']]]);
  });
});
