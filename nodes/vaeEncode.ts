import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { cpuTensor } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { imagesToTensor } from '@/ml/image';
import { imageList, requireModel } from '@/ml/values';
import { latentGeometry, scalingFactor } from '@/ml/vae';

export const vaeEncodeNode = defineNode({
  type: 'latent.vaeEncode',
  version: 1,
  title: 'VAE Encode',
  category: 'Latent',
  description: 'Turns an image into a latent with the VAE encoder (for image to image).',
  explain:
    'The encoder squeezes the picture into the latent space the UNet works in, then scales it by the ' +
    "VAE's scaling factor. Noising this latent part way and denoising it redraws the picture.",
  inputs: [
    { name: 'vaeEncoder', type: 'model.vaeEncoder', label: 'VAE encoder' },
    { name: 'image', type: 'image' },
  ],
  outputs: [{ name: 'latent', type: 'latent' }],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ml = mlServices(runtime);
    const ref = requireModel(inputs, 'vaeEncoder', 'vaeEncoder');
    const session = await ml.session(ref, signal);
    const images = imageList(inputs.image);
    const size = typeof ref.config?.sample_size === 'number' ? ref.config.sample_size : undefined;
    const { factor } = latentGeometry(ref.config);
    const w = size ?? Math.max(factor, images[0].width - (images[0].width % factor));
    const h = size ?? Math.max(factor, images[0].height - (images[0].height % factor));
    const pixels = cpuTensor('float32', [images.length, 3, h, w], imagesToTensor(images, w, h));
    const out = await session.run({ sample: pixels }, { signal });
    const raw = out.latent_sample ?? out[session.outputs[0].name];
    const latent = await ml.ops.linearCombination([{ tensor: raw, coefficient: scalingFactor(ref.config) }]);
    for (const t of Object.values(out)) t.dispose();
    return { latent };
  },
});
