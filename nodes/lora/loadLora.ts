import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { readLora, type LoraLayer } from '@/ml/lora/layers';
import { mlServices } from '@/ml/runtime/services';
import { sha256Hex } from '@/ml/runtime/sha256';
import type { AdapterRef, ModelRef } from '@/ml/runtime/types';
import { requireModel } from '@/ml/values';

function summary(layers: readonly LoraLayer[]): string {
  const ranks = [...new Set(layers.map((l) => l.rank))].sort((a, b) => a - b);
  const alphas = [...new Set(layers.map((l) => l.alpha))].sort((a, b) => a - b);
  return `rank ${ranks.join('/')}, alpha ${alphas.map((a) => Number(a.toFixed(3))).join('/')}`;
}

export const loadLoraNode = defineNode({
  type: 'models.loadLora',
  version: 1,
  title: 'Load LoRA',
  category: 'Models',
  description: 'Adds a LoRA (.safetensors) to a UNet and a text encoder, each at its own strength.',
  explain:
    'A LoRA is a small file that changes a big model: for each layer it changes, it holds two thin ' +
    'matrices, down (A, rank × inputs) and up (B, outputs × rank), whose product is added to the layer’s ' +
    'weights. Training only those few numbers teaches a model a new subject or style without touching the ' +
    'rest. Weft adds the product to the ONNX weights before the model’s session is made, so a run with the ' +
    'LoRA costs what a run without it does. Several Load LoRA nodes in a row stack; strength 0 is the model ' +
    'unchanged. kohya (lora_unet_…, lora_te_…) and diffusers/PEFT (lora_A/lora_B) files both load.',
  maths: 'W′ = W + strength · (α / r) · B · A   (A: r × in, B: out × r; for a k×k Conv, A is r × in × k × k)',
  inputs: [
    { name: 'unet', type: 'model.unet', label: 'UNet', optional: true },
    { name: 'textEncoder', type: 'model.textEncoder', label: 'text encoder', optional: true },
  ],
  outputs: [
    { name: 'unet', type: 'model.unet', label: 'UNet' },
    { name: 'textEncoder', type: 'model.textEncoder', label: 'text encoder' },
    { name: 'info', type: 'text', description: 'What the file holds: layers per model, rank and alpha.' },
  ],
  params: z.object({
    source: z.string().min(1).max(2000).default('shipped:shapes-v1').meta({ label: 'Source', widget: 'modelSource' }),
    path: z.string().min(1).max(1000).default('lora.safetensors').meta({ label: 'LoRA file' }),
    unetStrength: z.number().min(-4).max(4).default(1).meta({ label: 'UNet strength', step: 0.05 }),
    textEncoderStrength: z.number().min(-4).max(4).default(1).meta({ label: 'Text encoder strength', step: 0.05 }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime, signal }) => {
    const ml = mlServices(runtime);
    if (inputs.unet === undefined && inputs.textEncoder === undefined) {
      throw new NodeRunError('missing_model', 'wire a UNet, a text encoder or both into Load LoRA: it changes their weights');
    }
    if (!/\.safetensors$/i.test(params.path)) {
      throw new NodeRunError('bad_lora', `'${params.path}' is not a .safetensors file; LoRAs come as .safetensors (kohya, diffusers, PEFT)`);
    }
    const bytes = await ml.files.read(params.source, params.path, { signal });
    const read = readLora(bytes, `LoRA '${params.path}'`);
    if (!read.ok) throw new NodeRunError('bad_lora', read.message);
    const sha256 = await sha256Hex(bytes);
    const name = params.path.replace(/^.*\//, '');
    const layers = read.value.layers;

    const withAdapter = async (port: 'unet' | 'textEncoder', strength: number): Promise<ModelRef | undefined> => {
      if (inputs[port] === undefined) return undefined;
      const model = requireModel(inputs, port, port);
      if (strength === 0 || !layers.some((l) => l.component === port)) return model;
      const adapter: AdapterRef = { kind: 'lora', source: params.source, path: params.path, name, strength, sha256 };
      const out: ModelRef = { ...model, adapters: [...(model.adapters ?? []), adapter] };
      // Made now, as Load Model does, so a LoRA for another model is said here, on this node.
      const session = await ml.session(out, signal);
      for (const n of session.loraNorms ?? []) if (n.adapter === name) norms.push({ ...n, port });
      return out;
    };
    const norms: { module: string; delta: number; weight: number; port: 'unet' | 'textEncoder' }[] = [];
    const unet = await withAdapter('unet', params.unetStrength);
    const textEncoder = await withAdapter('textEncoder', params.textEncoderStrength);
    const count = (c: LoraLayer['component']) => layers.filter((l) => l.component === c).length;
    const lines = [`${name}: ${count('unet')} UNet layers, ${count('textEncoder')} text-encoder layers; ${summary(layers)}`];
    // The layers the adapter moves most, relative to their weights (‖ΔW‖ / ‖W‖ at this strength).
    const ranked = norms.filter((n) => n.weight > 0).sort((a, b) => b.delta / b.weight - a.delta / a.weight);
    if (ranked.length) {
      lines.push(`largest changes, ‖ΔW‖ / ‖W‖: ${ranked.slice(0, 6).map((n) => `${n.module} ${((100 * n.delta) / n.weight).toPrecision(2)}%`).join(', ')}`);
      const mean = ranked.reduce((a, n) => a + n.delta / n.weight, 0) / ranked.length;
      lines.push(`mean over ${ranked.length} layers: ${(100 * mean).toPrecision(2)}%`);
    }
    const info = lines.join('\n');
    return { unet, textEncoder, info };
  },
});
