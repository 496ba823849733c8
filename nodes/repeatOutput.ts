import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

/** The exit of a repeat zone: its inputs become the next iteration's carried values. */
export const repeatOutputNode = defineNode({
  type: 'flow.repeatOutput',
  version: 1,
  title: 'Repeat Output',
  category: 'Flow',
  description: 'Ends a repeat zone: after the last iteration its outputs are the final carried values.',
  inputs: [],
  outputs: [],
  params: z.object({}),
  zoneRole: 'repeatOutput',
  run: () => ({}),
});
