import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { decodePng } from '@/lib/png';
import { base64ToBytes } from '@/lib/base64';
import { resizeImage } from '@/ml/image';

export const loadImageNode = defineNode({
  type: 'image.load',
  version: 1,
  title: 'Load Image',
  category: 'Image',
  description: 'An image kept in the graph (a PNG data URL), optionally resized.',
  inputs: [],
  outputs: [{ name: 'image', type: 'image' }],
  params: z.object({
    dataUrl: z.string().max(4_000_000).default('').meta({ label: 'Image (PNG)', widget: 'imageFile' }),
    width: z.number().int().min(0).max(4096).default(0).meta({ label: 'Resize width (0 = keep)' }),
    height: z.number().int().min(0).max(4096).default(0).meta({ label: 'Resize height (0 = keep)' }),
  }),
  run: ({ params }) => {
    if (!params.dataUrl) throw new NodeRunError('no_image', 'no image chosen: pick a PNG file in the node');
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=\s]+)$/.exec(params.dataUrl);
    if (!m) throw new NodeRunError('not_png', 'the image must be a PNG data URL (data:image/png;base64,…)');
    const r = decodePng(base64ToBytes(m[1]));
    if (!r.ok) throw new NodeRunError('bad_image', r.message);
    const w = params.width || r.image.width;
    const h = params.height || r.image.height;
    return { image: w === r.image.width && h === r.image.height ? r.image : resizeImage(r.image, w, h) };
  },
});
