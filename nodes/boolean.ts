import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const booleanNode = defineNode({
  type: 'values.boolean',
  version: 1,
  title: 'Boolean',
  category: 'Values',
  description: 'A yes/no switch.',
  inputs: [],
  outputs: [{ name: 'value', type: 'boolean' }],
  params: z.object({ value: z.boolean().default(false).meta({ label: 'Value' }) }),
  run: ({ params }) => ({ value: params.value }),
});
