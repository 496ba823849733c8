// Parity: every shipped shapes-v1 ONNX model, run with onnxruntime-web (wasm, in Node), must reproduce
// the torch outputs stored by tools/train/export.py in tests/fixtures/parity/<model>.json.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;

const root = resolve(__dirname, '..', '..');
const fixtureDir = join(root, 'tests', 'fixtures', 'parity');

interface TensorSpec {
  dims: number[];
  dtype?: 'float32' | 'int32';
  data: number[];
}
interface Fixture {
  model: string;
  inputs: Record<string, TensorSpec>;
  outputs: Record<string, TensorSpec>;
}

const names = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json') && f !== 'captions.json')
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

describe('shapes-v1 ONNX parity with torch', () => {
  it('has a fixture for each of the six models', () => {
    expect(names).toEqual(['detector', 'reward', 'text_encoder', 'unet', 'vae_decoder', 'vae_encoder']);
  });

  for (const name of names) {
    it(`${name} matches torch within 1e-4`, async () => {
      const fx = JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as Fixture;
      const bytes = readFileSync(join(root, fx.model));
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, spec] of Object.entries(fx.inputs)) {
        feeds[k] =
          spec.dtype === 'int32'
            ? new ort.Tensor('int32', Int32Array.from(spec.data), spec.dims)
            : new ort.Tensor('float32', Float32Array.from(spec.data), spec.dims);
      }
      const results = await session.run(feeds);
      for (const [k, spec] of Object.entries(fx.outputs)) {
        const got = results[k];
        expect(got, `output ${k}`).toBeDefined();
        expect(Array.from(got.dims)).toEqual(spec.dims);
        const data = got.data as Float32Array;
        expect(data.length).toBe(spec.data.length);
        let maxDiff = 0;
        let scale = 1;
        for (let i = 0; i < data.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(data[i] - spec.data[i]));
          scale = Math.max(scale, Math.abs(spec.data[i]));
        }
        // absolute 1e-4 for outputs of order 1; relative to the largest magnitude when outputs are larger
        expect(maxDiff, `${name}.${k} max abs diff (scale ${scale})`).toBeLessThanOrEqual(1e-4 * scale);
      }
      await session.release();
    }, 120_000);
  }
});
