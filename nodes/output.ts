import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const outputNode = defineNode({
  type: 'output.value',
  version: 1,
  title: 'Output',
  category: 'Output',
  description: 'Records the value it receives as a result of the run (shown on the node; written by the CLI).',
  inputs: [{ name: 'value', type: 'any' }],
  outputs: [],
  params: z.object({
    name: z.string().max(100).default('result').meta({ label: 'Name' }),
  }),
  isOutput: true,
  run: ({ inputs }) => ({ value: inputs.value }),
});
