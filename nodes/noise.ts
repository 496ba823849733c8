import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { gaussianNoise } from '@/engine/random';
import { cpuTensor, elementCount } from '@/engine/values';

const MAX_ELEMENTS = 64 * 1024 * 1024;

export const noiseNode = defineNode({
  type: 'tensor.gaussianNoise',
  version: 1,
  title: 'Gaussian Noise',
  category: 'Tensors',
  description: 'A float32 tensor of standard-normal noise from a seed; the same seed gives the same numbers everywhere.',
  inputs: [{ name: 'seed', type: 'seed', optional: true, description: 'Overrides the seed parameter.' }],
  outputs: [{ name: 'tensor', type: 'tensor', tensor: { dtype: 'float32' } }],
  params: z.object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ label: 'Seed', widget: 'seed' }),
    shape: z
      .array(z.number().int().min(1).max(1 << 20))
      .min(1)
      .max(8)
      .default([1, 4, 8, 8])
      .meta({ label: 'Shape' }),
  }),
  run: ({ params, inputs }) => {
    const seed = (inputs.seed as number | undefined) ?? params.seed;
    const count = elementCount(params.shape);
    if (count > MAX_ELEMENTS) {
      throw new NodeRunError('too_large', `shape [${params.shape.join(',')}] has ${count} elements; the limit is ${MAX_ELEMENTS}`);
    }
    return { tensor: cpuTensor('float32', params.shape, gaussianNoise(seed, count)) };
  },
});
