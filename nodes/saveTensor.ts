import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { isTensorValue } from '@/engine/values';

export const saveTensorNode = defineNode({
  type: 'output.tensor',
  version: 1,
  title: 'Save Tensor',
  category: 'Output',
  description: 'Records a tensor as a NumPy .npy file (written by the CLI, downloadable in the editor).',
  inputs: [{ name: 'tensor', type: 'tensor' }],
  outputs: [],
  params: z.object({
    name: z.string().max(100).default('tensor').meta({ label: 'File name' }),
  }),
  isOutput: true,
  run: async ({ inputs }) => {
    const t = inputs.tensor;
    if (!isTensorValue(t)) throw new NodeRunError('not_a_tensor', "input 'tensor' needs a tensor");
    return { tensor: t };
  },
});
