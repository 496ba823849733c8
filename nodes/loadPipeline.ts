import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { mlServices } from '@/ml/runtime/services';
import { loadPipeline } from '@/ml/pipeline';
import { prewarmPipeline } from '@/ml/prewarm';

export const loadPipelineNode = defineNode({
  type: 'models.loadPipeline',
  version: 1,
  title: 'Load Pipeline',
  category: 'Models',
  description: 'Opens a diffusers-style ONNX folder (model_index.json) and hands out its models.',
  explain:
    'A text-to-image pipeline is several models working together: a tokenizer and text encoder turn the ' +
    'prompt into numbers, a UNet removes noise step by step, and a VAE turns the result into pixels. This ' +
    "node reads the folder's model_index.json and gives each model its own typed output. Weft ships " +
    "'shipped:shapes-v1', a small family trained by Weft on pictures of coloured shapes.",
  supplies: ['pipeline', 'model.tokenizer', 'model.textEncoder', 'model.unet', 'model.vae', 'model.vaeEncoder', 'model.reward', 'model.detector'],
  inputs: [],
  outputs: [
    { name: 'pipeline', type: 'pipeline' },
    { name: 'tokenizer', type: 'model.tokenizer' },
    { name: 'textEncoder', type: 'model.textEncoder', label: 'text encoder' },
    { name: 'unet', type: 'model.unet', label: 'UNet' },
    { name: 'vae', type: 'model.vae', label: 'VAE decoder' },
    { name: 'vaeEncoder', type: 'model.vaeEncoder', label: 'VAE encoder' },
    { name: 'reward', type: 'model.reward' },
    { name: 'detector', type: 'model.detector' },
  ],
  params: z.object({
    source: z.string().min(1).max(2000).default('shipped:shapes-v1').meta({ label: 'Pipeline', widget: 'modelSource' }),
  }),
  usesModels: true,
  prewarm: async ({ params, runtime, signal }) => {
    if (runtime.services.ml) await prewarmPipeline(mlServices(runtime), params.source, signal);
  },
  run: async ({ params, runtime, signal }) => {
    const p = await loadPipeline(mlServices(runtime).files, params.source, signal);
    return {
      pipeline: p,
      tokenizer: p.tokenizer,
      textEncoder: p.textEncoder,
      unet: p.unet,
      vae: p.vae,
      vaeEncoder: p.vaeEncoder,
      reward: p.reward,
      detector: p.detector,
    };
  },
});
