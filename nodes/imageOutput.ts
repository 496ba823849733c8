import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { imageList, imageOrBatch } from '@/ml/values';

export const imageOutputNode = defineNode({
  type: 'output.image',
  version: 1,
  title: 'Image Output',
  category: 'Output',
  description: 'Shows the image; saving it writes a PNG with this graph inside, so the picture reopens its pipeline.',
  inputs: [{ name: 'image', type: 'image' }],
  outputs: [],
  params: z.object({
    name: z.string().max(100).default('image').meta({ label: 'File name' }),
  }),
  isOutput: true,
  run: ({ inputs }) => ({ image: imageOrBatch(imageList(inputs.image)) }),
});
