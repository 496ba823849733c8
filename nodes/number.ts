import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const numberNode = defineNode({
  type: 'values.number',
  version: 1,
  title: 'Number',
  category: 'Values',
  description: 'A real number typed by hand, such as a guidance scale.',
  inputs: [],
  outputs: [{ name: 'value', type: 'number' }],
  params: z.object({ value: z.number().finite().default(0).meta({ label: 'Value', key: true }) }),
  run: ({ params }) => ({ value: params.value }),
});
