import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { imageList } from '@/ml/values';

export const selectBestNode = defineNode({
  type: 'image.selectBest',
  version: 1,
  title: 'Select Best',
  category: 'Image',
  description: 'Keeps the image of a batch with the highest score (best of N).',
  inputs: [
    { name: 'images', type: 'image' },
    { name: 'scores', type: 'score' },
  ],
  outputs: [
    { name: 'image', type: 'image' },
    { name: 'score', type: 'number' },
    { name: 'index', type: 'integer' },
  ],
  params: z.object({}),
  run: ({ inputs }) => {
    const images = imageList(inputs.images, 'images');
    const scores = Array.isArray(inputs.scores) ? (inputs.scores as number[]) : [inputs.scores as number];
    if (scores.length !== images.length) throw new NodeRunError('count_mismatch', `${images.length} images but ${scores.length} scores`);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    return { image: images[best], score: scores[best], index: best };
  },
});
