import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const integerNode = defineNode({
  type: 'values.integer',
  version: 1,
  title: 'Integer',
  category: 'Values',
  description: 'A whole number typed by hand, such as a step count.',
  inputs: [],
  outputs: [{ name: 'value', type: 'integer' }],
  params: z.object({ value: z.number().int().default(0).meta({ label: 'Value', key: true }) }),
  run: ({ params }) => ({ value: params.value }),
});
