import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { isTensorValue } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { tensorToImages } from '@/ml/image';
import { imageOrBatch, requireModel } from '@/ml/values';
import { scalingFactor } from '@/ml/vae';

export const vaeDecodeNode = defineNode({
  type: 'latent.vaeDecode',
  version: 1,
  title: 'VAE Decode',
  category: 'Latent',
  description: 'Turns a latent into pixels with the VAE decoder.',
  explain:
    "The VAE decoder is the last stage: it expands each latent cell back into a block of pixels. The " +
    "latent is first divided by the VAE's scaling factor (the UNet works on scaled latents of about unit size).",
  maths: "image = D(latent / s), s = the VAE's scaling factor (0.18215 for SD 1.x); pixels from [−1, 1] to 0…255.",
  supplies: ['image'],
  inputs: [
    { name: 'vae', type: 'model.vae', label: 'VAE decoder' },
    { name: 'latent', type: 'latent', supplier: 'sampling.sampler' },
  ],
  outputs: [{ name: 'image', type: 'image' }],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ml = mlServices(runtime);
    const ref = requireModel(inputs, 'vae', 'vae');
    const session = await ml.session(ref, signal);
    const latent = inputs.latent;
    if (!isTensorValue(latent)) throw new NodeRunError('not_a_latent', "input 'latent' needs a latent");
    const unscaled = await ml.ops.linearCombination([{ tensor: latent, coefficient: 1 / scalingFactor(ref.config) }]);
    try {
      const out = await session.run({ latent_sample: unscaled }, { signal });
      const sample = out.sample ?? out[session.outputs[0].name];
      const data = (await sample.read()) as Float32Array;
      const images = tensorToImages(data, sample.dims);
      for (const t of Object.values(out)) t.dispose();
      return { image: imageOrBatch(images) };
    } finally {
      unscaled.dispose();
    }
  },
});
