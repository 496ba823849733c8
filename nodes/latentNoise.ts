import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { gaussianNoise } from '@/engine/random';
import { cpuTensor, elementCount, isTensorValue } from '@/engine/values';

export const latentNoiseNode = defineNode({
  type: 'latent.noise',
  version: 1,
  title: 'Latent Noise',
  category: 'Latent',
  description: 'Seeded Gaussian noise shaped like a latent; batch item b uses seed + b.',
  explain:
    'Generation starts from pure noise. The seed fixes that noise exactly, on every machine, so the ' +
    'same graph and seed give the same picture. Changing only the seed gives a different picture of ' +
    'the same prompt.',
  maths: 'ε ~ N(0, I), each value drawn from a generator seeded by `seed`: the same seed gives the same ε.',
  inputs: [
    { name: 'latent', type: 'latent', description: 'Gives the shape.', supplier: 'latent.empty' },
    { name: 'seed', type: 'seed', optional: true },
  ],
  outputs: [{ name: 'noise', type: 'latent', tensor: { dtype: 'float32', shape: ['B', 'C', 'h', 'w'] } }],
  params: z.object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(42).meta({ label: 'Seed', widget: 'seed', key: true }),
  }),
  run: ({ params, inputs }) => {
    const like = inputs.latent;
    if (!isTensorValue(like)) throw new NodeRunError('not_a_latent', "input 'latent' needs a latent");
    const seed = (inputs.seed as number | undefined) ?? params.seed;
    const per = elementCount(like.dims.slice(1));
    const data = new Float32Array(elementCount(like.dims));
    for (let b = 0; b < like.dims[0]; b++) data.set(gaussianNoise(seed + b, per), b * per);
    return { noise: cpuTensor('float32', like.dims, data) };
  },
});
