import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { cpuTensor } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { imagesToTensor } from '@/ml/image';
import { decodeGrid, drawDetections } from '@/ml/detect';
import { imageList, imageOrBatch, requireModel, type DetectionsValue } from '@/ml/values';

export const detectorNode = defineNode({
  type: 'analysis.detect',
  version: 1,
  title: 'Detector',
  category: 'Analysis',
  description: 'Finds the shapes in an image: boxes, shape and colour labels, confidences; draws them on an overlay.',
  explain:
    'A small convolutional network divides the image into a grid; each cell says whether an object is ' +
    'centred in it, where its box is, and which shape and colour it is. Cells above the score threshold ' +
    'are kept, then overlapping boxes are thinned by non-maximum suppression (NMS).',
  maths: 'Per grid cell: objectness p, box (cx, cy, w, h), shape and colour probabilities; keep p ≥ threshold, then NMS drops a box whose IoU with a better one exceeds the IoU threshold.',
  supplies: ['detections'],
  inputs: [
    { name: 'detector', type: 'model.detector' },
    { name: 'image', type: 'image' },
  ],
  outputs: [
    { name: 'detections', type: 'detections' },
    { name: 'overlay', type: 'image' },
  ],
  params: z.object({
    scoreThreshold: z.number().min(0).max(1).default(0.5).meta({ label: 'Score threshold' }),
    iouThreshold: z.number().min(0).max(1).default(0.5).meta({ label: 'NMS IoU threshold' }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime, signal }) => {
    const ml = mlServices(runtime);
    const ref = requireModel(inputs, 'detector', 'detector');
    const session = await ml.session(ref, signal);
    const images = imageList(inputs.image);
    const cfg = ref.config ?? {};
    const size = typeof cfg.image_size === 'number' ? cfg.image_size : 64;
    const out = await session.run({ pixel_values: cpuTensor('float32', [images.length, 3, size, size], imagesToTensor(images, size, size)) }, { signal });
    const read = async (name: string) => (await out[name].read()) as Float32Array;
    const { width, height } = images[0];
    const items = decodeGrid(
      { objectness: await read('objectness'), boxes: await read('boxes'), shapeProbs: await read('shape_probs'), colourProbs: await read('colour_probs'), batch: images.length, grid: out.objectness.dims[1] },
      {
        shapeLabels: (cfg.shape_labels as string[]) ?? [],
        colourLabels: (cfg.colour_labels as string[]) ?? [],
        scoreThreshold: params.scoreThreshold,
        iouThreshold: params.iouThreshold,
        width,
        height,
      },
    );
    for (const t of Object.values(out)) t.dispose();
    const detections: DetectionsValue = { kind: 'detections', width, height, items };
    return { detections, overlay: imageOrBatch(images.map((img, i) => drawDetections(img, items[i]))) };
  },
});
