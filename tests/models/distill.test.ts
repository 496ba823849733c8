// The distilled student (public/models/shapes-v1/unet_lcm, tools/train/distill.py) run by onnxruntime-web
// must reproduce the torch output stored at export, and must not be the teacher.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

interface Spec { dims: number[]; data: number[] }

describe('unet_lcm, the few-step student', () => {
  it('matches torch within 1e-4, and differs from the teacher', async () => {
    const fx = JSON.parse(readFileSync('tests/fixtures/distill/unet_lcm.json', 'utf8')) as { model: string; inputs: Record<string, Spec>; outputs: { out_sample: Spec } };
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, new ort.Tensor('float32', Float32Array.from(v.data), v.dims)]));
    const run = async (file: string) => (await (await ort.InferenceSession.create(readFileSync(file), { executionProviders: ['wasm'] })).run(feeds)).out_sample.data as Float32Array;
    const want = fx.outputs.out_sample.data;
    const peak = Math.max(...want.map(Math.abs));
    const worst = (got: Float32Array) => want.reduce((m, w, i) => Math.max(m, Math.abs(got[i] - w) / peak), 0);
    expect(worst(await run(fx.model))).toBeLessThan(1e-4);
    expect(worst(await run('public/models/shapes-v1/unet/model.onnx'))).toBeGreaterThan(1e-2);
  }, 60_000);
});
