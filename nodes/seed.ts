import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const seedNode = defineNode({
  type: 'values.seed',
  version: 1,
  title: 'Seed',
  category: 'Values',
  description: 'A random seed, kept as an explicit number so results can be reproduced and cached.',
  explain:
    'Randomness in Weft never hides: every random choice comes from a seed written in the graph. ' +
    'The same seed gives the same noise on every machine, so a graph file reproduces its image.',
  inputs: [],
  outputs: [{ name: 'seed', type: 'seed' }],
  params: z.object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(42).meta({ label: 'Seed', widget: 'seed', key: true }),
  }),
  run: ({ params }) => ({ seed: params.seed }),
});
