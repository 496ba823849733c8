import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseGraphText } from '@/engine/graph/parse';
import { runGraph, ExecutionCache } from '@/engine/executor';
import { cpuTensor, type ImageValue } from '@/engine/values';
import { registry } from '@/nodes';
import { createNodeRuntime } from '@/bin/nodeRuntime';
import { mlServices } from '@/ml/runtime/services';
import { weightTargets } from '@/ml/lora/onnxWeights';
import { writeSafetensors } from '@/ml/lora/safetensors';
import { writeStandIn } from '@/tools/standins/write';

/**
 * A LoRA in kohya's naming over the SD 1.5 stand-in (the real UNet and CLIP module names and
 * layouts at tiny widths), applied through the Load LoRA node in the text-to-image graph, as a
 * real SD 1.5 LoRA applies to a real SD 1.5 export.
 */
const root = mkdtempSync(path.join(tmpdir(), 'weft-lora-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = path.join(root, 'sd15');

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 1073741824 - 1;
};

/** One rank-4 layer per module the filter picks, in kohya's naming, with up scaled to matter. */
function kohyaLora(model: string, prefix: 'lora_unet_' | 'lora_te_', pick: (module: string) => boolean, extra: string[] = []): { tensors: Map<string, { shape: number[]; values: number[] }>; count: number } {
  const tensors = new Map<string, { shape: number[]; values: number[] }>();
  let count = 0;
  const rank = 4;
  for (const t of weightTargets(readFileSync(path.join(dir, model)))) {
    const module = t.modules[0];
    if (!pick(module)) continue;
    const [out, rest, downShape] =
      t.layout === 'conv' ? [t.dims[0], t.dims.slice(1).reduce((a, b) => a * b, 1), [rank, ...t.dims.slice(1)]] : t.layout === 'in-out' ? [t.dims[1], t.dims[0], [rank, t.dims[0]]] : [t.dims[0], t.dims[1], [rank, t.dims[1]]];
    const upShape = t.layout === 'conv' ? [out, rank, 1, 1] : [out, rank];
    tensors.set(`${prefix}${module}.lora_down.weight`, { shape: downShape, values: Array.from({ length: rank * rest }, rand) });
    tensors.set(`${prefix}${module}.lora_up.weight`, { shape: upShape, values: Array.from({ length: out * rank }, () => rand() * 0.5) });
    tensors.set(`${prefix}${module}.alpha`, { shape: [], values: [rank] });
    count++;
  }
  for (const m of extra) {
    tensors.set(`${prefix}${m}.lora_down.weight`, { shape: [rank, 8], values: new Array(rank * 8).fill(0.1) });
    tensors.set(`${prefix}${m}.lora_up.weight`, { shape: [8, rank], values: new Array(8 * rank).fill(0.1) });
  }
  return { tensors, count };
}

let unetLayers = 0;
let teLayers = 0;
beforeAll(async () => {
  await writeStandIn(dir, 'sd15', 'tiny');
  const attention = (m: string) => /attn[12]_to_(q|k|v|out_0)$/.test(m) || /resnets_\d+_conv1$/.test(m);
  const unet = kohyaLora('unet/model.onnx', 'lora_unet_', attention);
  const te = kohyaLora('text_encoder/model.onnx', 'lora_te_', (m) => /self_attn_(q|k|v|out)_proj$/.test(m));
  unetLayers = unet.count;
  teLayers = te.count;
  writeFileSync(path.join(dir, 'style.safetensors'), writeSafetensors(new Map([...unet.tensors, ...te.tensors])));
  const wrong = kohyaLora('unet/model.onnx', 'lora_unet_', (m) => /attn1_to_q$/.test(m), ['input_blocks_1_1_proj_in', 'middle_block_1_proj_out']);
  writeFileSync(path.join(dir, 'other-model.safetensors'), writeSafetensors(wrong.tensors));
}, 120_000);

function graph(lora: string | null, unetStrength = 1, teStrength = 1) {
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  const set = (id: string, k: string, v: unknown) => void (g.nodes.find((n: { id: string }) => n.id === id).params[k] = v);
  set('pipeline', 'source', `dir:${dir}`);
  set('scheduler', 'scheduler', 'pndm');
  set('scheduler', 'steps', 2);
  set('sampler', 'guidance', 7.5);
  if (lora) {
    g.nodes.push({ id: 'lora', type: 'models.loadLora', typeVersion: 1, position: { x: 200, y: 700 }, params: { source: `dir:${dir}`, path: lora, unetStrength, textEncoderStrength: teStrength }, mode: 'normal' });
    g.edges.push({ id: 'l1', from: { node: 'pipeline', port: 'unet' }, to: { node: 'lora', port: 'unet' } });
    g.edges.push({ id: 'l2', from: { node: 'pipeline', port: 'textEncoder' }, to: { node: 'lora', port: 'textEncoder' } });
    for (const e of g.edges) {
      if (e.from.node === 'pipeline' && e.from.port === 'unet' && e.to.node === 'sampler') e.from = { node: 'lora', port: 'unet' };
      if (e.from.node === 'pipeline' && e.from.port === 'textEncoder' && e.to.node !== 'lora') e.from = { node: 'lora', port: 'textEncoder' };
    }
    g.nodes.push({ id: 'info', type: 'output.value', typeVersion: 1, position: { x: 400, y: 700 }, params: { name: 'info' }, mode: 'normal' });
    g.edges.push({ id: 'l3', from: { node: 'lora', port: 'info' }, to: { node: 'info', port: 'value' } });
  }
  const r = parseGraphText(JSON.stringify(g), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors ?? r));
  return r.value;
}

describe('Load LoRA over the SD 1.5 stand-in (kohya naming, UNet and text encoder)', () => {
  const draw = async (lora: string | null, u = 1, t = 1) => {
    const runtime = await createNodeRuntime({ backend: 'cpu' });
    const report = await runGraph(graph(lora, u, t), { registry, runtime, cache: new ExecutionCache() });
    return report;
  };

  it('matches every layer, changes the picture, and at strength 0 draws the base picture exactly', async () => {
    expect(unetLayers).toBeGreaterThan(20);
    expect(teLayers).toBeGreaterThan(4);
    const base = await draw(null);
    expect(base.status).toBe('ok');
    const styled = await draw('style.safetensors');
    expect(styled.status, JSON.stringify([...styled.nodes.values()].filter((n) => n.error))).toBe('ok');
    const info = String(styled.outputs.get('info')!.value).split('\n');
    expect(info[0]).toBe(`style.safetensors: ${unetLayers} UNet layers, ${teLayers} text-encoder layers; rank 4, alpha 4`);
    // The per-layer update norms: the six largest, then the mean over every layer changed.
    expect(info[1]).toMatch(/^largest changes, ‖ΔW‖ \/ ‖W‖: (\S+ [\d.e+]+%, ){5}\S+ [\d.e+]+%$/);
    expect(info[2]).toBe(`mean over ${unetLayers + teLayers} layers: ${info[2].split(': ')[1]}`);
    const zero = await draw('style.safetensors', 0, 0);
    const px = (r: typeof base) => (r.outputs.get('image')!.image as ImageValue).data;
    expect([...px(zero)]).toEqual([...px(base)]);
    let diff = 0;
    const a = px(base);
    const b = px(styled);
    for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
    expect(diff / a.length).toBeGreaterThan(1);
  }, 180_000);

  it('refuses a LoRA made for another model on the Load LoRA node, saying how many layers matched nothing', async () => {
    const r = await draw('other-model.safetensors');
    expect(r.status).toBe('error');
    const err = r.nodes.get('lora')!.error!;
    expect(err.message).toMatch(/^2 of \d+ LoRA layers matched no weight in this UNet \('lora_unet_input_blocks_1_1_proj_in', 'lora_unet_middle_block_1_proj_out'\)/);
  }, 120_000);
});

describe("shapes-v1's own LoRAs (tools/train/lora.py)", () => {
  it('the heart LoRA patched into the shipped UNet by Weft gives what torch gives with it merged (within 1e-4)', async () => {
    const fx = JSON.parse(readFileSync('tests/fixtures/lora/unet-heart.json', 'utf8')) as {
      strength: number;
      inputs: Record<string, { dims: number[]; data: number[] }>;
      outputs: { out_sample: { dims: number[]; data: number[] } };
    };
    const runtime = await createNodeRuntime({ backend: 'wasm' });
    const ml = mlServices(runtime);
    const lora = { kind: 'lora' as const, source: 'shipped:shapes-v1', path: 'loras/heart.safetensors', name: 'heart', strength: fx.strength };
    // The pipeline names the .ort it runs; the LoRA is patched into the .onnx beside it.
    const session = await ml.session({ kind: 'model', role: 'unet', source: 'shipped:shapes-v1', path: 'unet/model.ort', name: 'UNet', adapters: [lora] });
    const feeds = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, cpuTensor('float32', v.dims, Float32Array.from(v.data))]));
    const got = await (await session.run(feeds)).out_sample.read();
    const want = fx.outputs.out_sample.data;
    const scale = Math.max(...want.map(Math.abs));
    let err = 0;
    for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(Number(got[i]) - want[i]) / scale);
    expect(err).toBeLessThan(1e-4);
    // And it is not the base UNet's output.
    const base = await (await (await ml.session({ kind: 'model', role: 'unet', source: 'shipped:shapes-v1', path: 'unet/model.ort', name: 'UNet' })).run(feeds)).out_sample.read();
    let moved = 0;
    for (let i = 0; i < want.length; i++) moved = Math.max(moved, Math.abs(Number(base[i]) - want[i]) / scale);
    expect(moved).toBeGreaterThan(1e-2);
  }, 60_000);
});
