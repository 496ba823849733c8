import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import type { ModelRef } from '@/ml/runtime/types';
import { requireModel } from '@/ml/values';

const PORTS = [
  { name: 'unet', label: 'UNet' },
  { name: 'textEncoder', label: 'text encoder' },
  { name: 'vae', label: 'VAE decoder' },
] as const;

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

export const quantizeModelNode = defineNode({
  type: 'models.quantize',
  version: 1,
  title: 'Quantize Model',
  category: 'Models',
  description: 'Makes a UNet, text encoder or VAE decoder smaller: weights as float16, or as int8 with one scale per output channel.',
  explain:
    'A model’s weights are 32-bit floats. Stored as 16-bit floats they take half the bytes and lose only the last digits. ' +
    'Stored as 8-bit integers they take a quarter: each output channel of a layer keeps one scale s (its largest weight ÷ 127) and every weight ' +
    'becomes the nearest whole multiple of s, so no weight is off by more than s / 2. The model is rewritten before its session is made; ' +
    'the node says how much smaller it got, how far the weights moved and how long the session took. Compare its image with the original’s ' +
    'to see what the bytes cost.',
  maths: 'int8: s_c = max|W_c| / 127, q = round(W / s_c) ∈ [−127, 127], W′ = s_c · q, |W − W′| ≤ s_c / 2;   fp16: W′ = fp16(W), relative error ≤ 2⁻¹¹',
  inputs: PORTS.map((p) => ({ name: p.name, type: `model.${p.name}` as const, label: p.label, optional: true })),
  outputs: [...PORTS.map((p) => ({ name: p.name, type: `model.${p.name}` as const, label: p.label })), { name: 'info', type: 'text', description: 'Each model’s size before and after, its weight error and session time.' }],
  params: z.object({
    to: z.enum(['int8', 'fp16']).default('int8').meta({ label: 'Weights as', key: true }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime, signal }) => {
    const ml = mlServices(runtime);
    if (PORTS.every((p) => inputs[p.name] === undefined)) {
      throw new NodeRunError('missing_model', 'wire a UNet, a text encoder or a VAE decoder into Quantize Model');
    }
    const out: Partial<Record<(typeof PORTS)[number]['name'], ModelRef>> = {};
    const lines: string[] = [];
    for (const p of PORTS) {
      if (inputs[p.name] === undefined) continue;
      const model = requireModel(inputs, p.name, p.name);
      const ref: ModelRef = { ...model, quantize: params.to };
      // Made here, so a model that cannot be quantized says so on this node, with the figures.
      const t = performance.now();
      const session = await ml.session(ref, signal);
      const ms = performance.now() - t;
      const q = session.quantized;
      if (q) {
        lines.push(
          `${p.label}: ${q.tensors} weights to ${params.to}, ${mb(q.bytesBefore)} → ${mb(q.bytesAfter)} (${(q.bytesAfter / q.bytesBefore).toFixed(2)}×), ` +
            `weights within ${(q.maxRelativeError * 100).toPrecision(2)}% of their peak; session ${Math.round(ms)} ms`,
        );
      }
      out[p.name] = ref;
    }
    return { ...out, info: lines.join('\n') };
  },
});
