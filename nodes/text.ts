import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const textNode = defineNode({
  type: 'values.text',
  version: 1,
  title: 'Text',
  category: 'Values',
  description: 'A piece of text typed by hand, such as a prompt.',
  inputs: [],
  outputs: [{ name: 'text', type: 'text' }],
  params: z.object({
    value: z.string().max(100_000).default('').meta({ widget: 'textarea', label: 'Text', key: true }),
  }),
  run: ({ params }) => ({ text: params.value }),
});
