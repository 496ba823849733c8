import { describe, expect, it } from 'vitest';
import { cpuTensor, type TensorValue } from '@/engine/values';
import { float32ToFloat16 } from './runtime/float16';
import { makeSchedule } from './schedulers';
import { SD15_LATENT_RGB, latentPreview } from './preview';
import { probeValue, scheduleSigmas, type ProbeSummary, type TensorProbe } from './probe';
import type { TokensValue } from './values';

const asTensor = (p: ProbeSummary) => {
  expect(p.kind).toBe('tensor');
  return p as TensorProbe;
};

describe('probeValue', () => {
  it('a known tensor: shape, dtype, statistics, NaN/Inf counts and a histogram of the finite values', async () => {
    const t = cpuTensor('float32', [2, 4], new Float32Array([-1, 0, 1, 2, 3, NaN, Infinity, -Infinity]));
    const p = asTensor(await probeValue(t));
    expect(p).toMatchObject({ dtype: 'float32', dims: [2, 4], location: 'cpu' });
    expect(p.stats).toMatchObject({ count: 8, min: -1, max: 3, mean: 1, nan: 1, inf: 2 });
    expect(p.stats.std).toBeCloseTo(Math.sqrt(2), 6);
    expect(p.histogram.min).toBe(-1);
    expect(p.histogram.max).toBe(3);
    expect(p.histogram.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(p.histogram.counts[0]).toBe(1);
    expect(p.histogram.counts.at(-1)).toBe(1);
  });

  it('reads a GPU tensor back only when probed', async () => {
    let reads = 0;
    const data = new Float32Array([4, 8]);
    const gpu: TensorValue = { kind: 'tensor', dtype: 'float32', dims: [2], location: 'gpu', read: async () => (reads++, data), dispose: () => {} };
    expect(reads).toBe(0);
    const p = asTensor(await probeValue(gpu));
    expect(reads).toBe(1);
    expect(p).toMatchObject({ location: 'gpu', stats: { mean: 6, min: 4, max: 8 } });
  });

  it('float16 bit patterns count as their numbers', async () => {
    const t = cpuTensor('float16', [3], float32ToFloat16([0.5, -2, 6]));
    expect(asTensor(await probeValue(t)).stats).toMatchObject({ min: -2, max: 6, mean: 1.5 });
  });

  it('a latent also gets the sampler preview colours; a plain tensor does not', async () => {
    const data = new Float32Array(4 * 2 * 3).map((_, i) => Math.sin(i));
    const t = cpuTensor('float32', [1, 4, 2, 3], data);
    const latent = asTensor(await probeValue(t, { portType: 'latent', latentRgb: SD15_LATENT_RGB }));
    expect(latent.picture).toEqual(latentPreview(data, [1, 4, 2, 3], SD15_LATENT_RGB));
    expect(asTensor(await probeValue(t, { portType: 'tensor', latentRgb: SD15_LATENT_RGB })).picture).toBeUndefined();
  });

  it('tokens as pieces with their ids, padding left out', async () => {
    const tokens: TokensValue = {
      kind: 'tokens',
      text: 'red circle',
      ids: [49406, 736, 7117, 49407, 49407, 49407],
      attentionMask: [1, 1, 1, 1, 0, 0],
      pieces: ['<|startoftext|>', 'red</w>', 'circle</w>', '<|endoftext|>'],
      length: 4,
      truncated: false,
    };
    expect(await probeValue(tokens)).toEqual({
      kind: 'tokens',
      text: 'red circle',
      length: 4,
      padded: 6,
      truncated: false,
      pieces: [
        { id: 49406, piece: '<|startoftext|>' },
        { id: 736, piece: 'red</w>' },
        { id: 7117, piece: 'circle</w>' },
        { id: 49407, piece: '<|endoftext|>' },
      ],
    });
  });

  it('a schedule as σ per step, from alphas where the scheduler has no sigmas', async () => {
    const euler = makeSchedule('euler', {}, 10);
    expect(scheduleSigmas(euler)).toEqual({ sigmas: euler.sigmas, from: 'sigmas' });
    const ddim = makeSchedule('ddim', {}, 10);
    const s = scheduleSigmas(ddim);
    expect(s.from).toBe('alphas');
    expect(s.sigmas).toHaveLength(10);
    expect(s.sigmas[0]).toBeCloseTo(Math.sqrt((1 - ddim.alphaProd![0]) / ddim.alphaProd![0]), 9);
    // noise falls step by step
    for (let i = 1; i < s.sigmas.length; i++) expect(s.sigmas[i]).toBeLessThan(s.sigmas[i - 1]);
    const p = await probeValue({ kind: 'schedule', scheduler: 'ddim', schedule: ddim, startIndex: 0 });
    expect(p).toMatchObject({ kind: 'schedule', steps: 10, startIndex: 0, sigmaFrom: 'alphas' });
  });

  it('images as thumbnails no larger than 256 pixels, detections with the picture under them', async () => {
    const big = { kind: 'image' as const, width: 512, height: 256, data: new Uint8ClampedArray(512 * 256 * 4).fill(200) };
    const p = await probeValue(big);
    expect(p).toMatchObject({ kind: 'image', width: 512, height: 256, thumbnail: { width: 256, height: 128 } });
    const det = { kind: 'detections', width: 512, height: 256, items: [[{ box: [1, 2, 30, 40], score: 0.9, shape: 'circle', colour: 'red', shapeProb: 1, colourProb: 1 }]] };
    const d = await probeValue(det, { image: [big] });
    expect(d).toMatchObject({ kind: 'detections', width: 512, height: 256, image: { width: 256, height: 128 } });
    expect(d.kind === 'detections' && d.items[0]).toHaveLength(1);
  });

  it('numbers, text, lists and model handles', async () => {
    expect(await probeValue(0.25)).toEqual({ kind: 'scalar', value: 0.25 });
    expect(await probeValue('a red circle')).toEqual({ kind: 'scalar', value: 'a red circle' });
    expect(await probeValue([1, 2, 3])).toEqual({ kind: 'list', length: 3, items: [1, 2, 3].map((value) => ({ kind: 'scalar', value })) });
    expect(await probeValue({ kind: 'model', role: 'vae', name: 'shapes-v1 VAE', source: 'shipped:shapes-v1', path: 'vae_decoder/model.onnx' })).toEqual({
      kind: 'other',
      label: 'model',
      text: 'shapes-v1 VAE (vae)',
    });
  });
});
