import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { imageList, imageOrBatch } from '@/ml/values';

export const imageOutputNode = defineNode({
  type: 'output.image',
  version: 1,
  title: 'Image Output',
  category: 'Output',
  description: 'Shows the image; saving it writes a PNG with this graph inside, so the picture reopens its pipeline.',
  explain:
    "The end of the pipeline: it shows the decoded picture on the node and reports it from the run. Save PNG writes the picture with this graph inside, so opening the PNG brings back the pipeline that drew it, and re-running it gives the same pixels.",
  maths: 'RGBA bytes, row by row; a batch shows each image.',
  inputs: [{ name: 'image', type: 'image' }],
  outputs: [],
  params: z.object({
    name: z.string().max(100).default('image').meta({ label: 'File name' }),
  }),
  isOutput: true,
  run: ({ inputs }) => ({ image: imageOrBatch(imageList(inputs.image)) }),
});
