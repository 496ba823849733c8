import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor } from '@/engine/values';
import { isModelRef } from '@/ml/values';
import { latentGeometry } from '@/ml/vae';

export const emptyLatentNode = defineNode({
  type: 'latent.empty',
  version: 1,
  title: 'Empty Latent',
  category: 'Latent',
  description: 'A latent of zeros for an image of the given size; its shape comes from the VAE.',
  explain:
    'Diffusion models work on a smaller "latent" picture: the VAE squeezes each block of pixels (8×8 ' +
    "for Stable Diffusion, 4×4 for Weft's shapes family) into a few numbers. This node only fixes the " +
    'shape; the noise comes from the Latent Noise node.',
  maths: "shape = [batch, 4, H/f, W/f], f = the VAE's downsampling factor (8 for SD, 4 for shapes-v1).",
  inputs: [{ name: 'vae', type: 'model.vae', optional: true, label: 'VAE (for the shape)' }],
  outputs: [{ name: 'latent', type: 'latent', tensor: { dtype: 'float32', shape: ['B', 'C', 'h', 'w'] } }],
  params: z.object({
    width: z.number().int().min(8).max(4096).default(64).meta({ label: 'Width (px)' }),
    height: z.number().int().min(8).max(4096).default(64).meta({ label: 'Height (px)' }),
    batch: z.number().int().min(1).max(64).default(1).meta({ label: 'Batch' }),
  }),
  run: ({ params, inputs }) => {
    const vae = inputs.vae;
    const { channels, factor } = latentGeometry(isModelRef(vae) ? vae.config : undefined);
    if (params.width % factor || params.height % factor) {
      throw new NodeRunError('bad_size', `width and height must be multiples of ${factor} for this VAE (got ${params.width}×${params.height})`);
    }
    const dims = [params.batch, channels, params.height / factor, params.width / factor];
    return { latent: cpuTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1))) };
  },
});
