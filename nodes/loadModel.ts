import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { mlServices } from '@/ml/runtime/services';
import { parseLooseJson } from '@/ml/pipeline';
import type { ModelRef } from '@/ml/runtime/types';

const ROLES = ['unet', 'textEncoder', 'vae', 'vaeEncoder', 'reward', 'detector', 'other'] as const;

export const loadModelNode = defineNode({
  type: 'models.loadModel',
  version: 1,
  title: 'Load Model',
  category: 'Models',
  description: 'Opens one ONNX file with the role it plays (UNet, text encoder, VAE…).',
  inputs: [],
  outputs: [{ name: 'model', type: 'any', description: 'A model handle; the node it feeds checks its role.' }],
  params: z.object({
    source: z.string().min(1).max(2000).default('shipped:shapes-v1').meta({ label: 'Source', widget: 'modelSource' }),
    path: z.string().min(1).max(1000).default('unet/model.onnx').meta({ label: 'File in source' }),
    role: z.enum(ROLES).default('unet').meta({ label: 'Role' }),
  }),
  usesModels: true,
  run: async ({ params, runtime, signal }) => {
    const ml = mlServices(runtime);
    // Opening the session checks the file is a loadable ONNX model now, not at first use.
    const configPath = params.path.replace(/[^/]*$/, 'config.json');
    const config = configPath !== params.path && (await ml.files.exists(params.source, configPath))
      ? parseLooseJson(new TextDecoder().decode(await ml.files.read(params.source, configPath, { signal })), configPath)
      : undefined;
    const ref: ModelRef = { kind: 'model', role: params.role, source: params.source, path: params.path, name: params.path, ...(config ? { config } : {}) };
    await ml.session(ref, signal);
    return { model: ref };
  },
});
