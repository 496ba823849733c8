import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { produce } from 'immer';
import { parseGraphText } from '@/engine/graph/parse';
import { runGraph, ExecutionCache } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import type { ImageValue } from '@/engine/values';
import { registry } from '@/nodes';
import { createNodeRuntime } from '@/bin/nodeRuntime';
import { parameterCounts, writeStandIn, type Variant } from '@/tools/standins/write';

describe('stand-ins have the real architectures', () => {
  it('at full size, every component has the published parameter count', () => {
    // SD 1.5 UNet, CLIP ViT-L/14 text tower, the SD VAE decoder with post_quant_conv.
    expect(parameterCounts('sd15', 'full')).toEqual({ unet: 859_520_964, textEncoder: 123_060_480, vaeDecoder: 49_490_199 });
    // SD 2.1 / SD-Turbo UNet and OpenCLIP ViT-H's text tower (23 of 24 layers).
    expect(parameterCounts('sd-turbo', 'full')).toEqual({ unet: 865_910_724, textEncoder: 340_387_840, vaeDecoder: 49_490_199 });
  });
});

const root = mkdtempSync(path.join(tmpdir(), 'weft-standins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The sampler example pointed at a stand-in folder, at 64×64 pixels (an 8×8 latent). */
function graphFor(dir: string, scheduler: string, steps: number, guidance: number): Graph {
  const r = parseGraphText(readFileSync('examples/text-to-image-sampler.json', 'utf8'), registry);
  if (!r.ok) throw new Error('example');
  return produce(r.value, (g) => {
    const set = (id: string, k: string, v: unknown) => void (g.nodes.find((n) => n.id === id)!.params[k] = v);
    set('pipeline', 'source', `dir:${dir}`);
    set('scheduler', 'scheduler', scheduler);
    set('scheduler', 'steps', steps);
    set('scheduler', 'spacing', 'config');
    set('sampler', 'guidance', guidance);
  });
}

describe.each([
  ['sd-turbo', 'euler-ancestral', 1, 0],
  ['sd15', 'pndm', 2, 7.5],
  ['sd21', 'ddim', 2, 7.5],
] as const)('the %s stand-in (tiny widths) runs as a user would drop it', (variant: Variant, scheduler, steps, guidance) => {
  const dir = path.join(root, variant);
  beforeAll(async () => {
    await writeStandIn(dir, variant, 'tiny');
  }, 120_000);

  it('has the layout of a diffusers ONNX export: external data, a vocab.json + merges.txt tokenizer, no pooler', () => {
    for (const f of ['model_index.json', 'scheduler/scheduler_config.json', 'tokenizer/vocab.json', 'tokenizer/merges.txt', 'unet/model.onnx', 'unet/model.onnx_data', 'text_encoder/model.onnx_data', 'vae_decoder/model.onnx_data']) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(existsSync(path.join(dir, 'tokenizer/tokenizer.json'))).toBe(false);
  });

  it.each(['cpu', 'wasm'] as const)(`draws a 64×64 image with ${scheduler}, ${steps} step(s), guidance ${guidance} (%s)`, async (backend) => {
    const runtime = await createNodeRuntime({ backend });
    const report = await runGraph(graphFor(dir, scheduler, steps, guidance), { registry, runtime, cache: new ExecutionCache() });
    expect(report.status, JSON.stringify([...report.nodes.values()].filter((n) => n.error))).toBe('ok');
    const image = report.outputs.get('image')!.image as ImageValue;
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(report.nodes.get('sampler')!.backend).toBe(backend);
  }, 120_000);
});

describe.each([
  ['sd-turbo', 'euler-ancestral', 1, 0, 'float16'],
  ['sd15', 'pndm', 2, 7.5, 'int64'],
] as const)('an fp16 export of the %s stand-in (weights, maths, inputs and outputs in half precision)', (variant: Variant, scheduler, steps, guidance, timestepType) => {
  const dirs = { fp32: path.join(root, `${variant}-fp32`), fp16: path.join(root, `${variant}-fp16`) };
  beforeAll(async () => {
    await writeStandIn(dirs.fp32, variant, 'tiny');
    await writeStandIn(dirs.fp16, variant, 'tiny', process.cwd(), 'fp16');
  }, 120_000);

  it('declares float16 inputs and outputs, as `--fp16` exports do, and holds half the bytes', async () => {
    const ort = await import('onnxruntime-node');
    const unet = await ort.InferenceSession.create(path.join(dirs.fp16, 'unet/model.onnx'));
    const types = Object.fromEntries([...unet.inputMetadata, ...unet.outputMetadata].map((m) => [m.name, (m as { type?: string }).type]));
    expect(types).toEqual({ sample: 'float16', timestep: timestepType, encoder_hidden_states: 'float16', out_sample: 'float16' });
    await unet.release();
    const size = (d: string) => statSync(path.join(d, 'unet/model.onnx_data')).size;
    expect(size(dirs.fp16) * 2).toBe(size(dirs.fp32));
  });

  it.each(['cpu', 'wasm'] as const)('draws the fp32 export’s image to within 2/255 per channel (%s)', async (backend) => {
    const draw = async (dir: string) => {
      const runtime = await createNodeRuntime({ backend });
      const report = await runGraph(graphFor(dir, scheduler, steps, guidance), { registry, runtime, cache: new ExecutionCache() });
      expect(report.status, JSON.stringify([...report.nodes.values()].filter((n) => n.error))).toBe('ok');
      return (report.outputs.get('image')!.image as ImageValue).data;
    };
    const [full, half] = [await draw(dirs.fp32), await draw(dirs.fp16)];
    let worst = 0;
    for (let i = 0; i < full.length; i++) worst = Math.max(worst, Math.abs(full[i] - half[i]));
    expect(new Set(half).size).toBeGreaterThan(20); // a picture, not a flat colour
    expect(worst).toBeLessThanOrEqual(2);
  }, 180_000);
});
