import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { isTensorValue } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { startLatent } from '@/ml/denoise';
import type { ScheduleValue } from '@/ml/values';

export const initialLatentNode = defineNode({
  type: 'sampling.initialLatent',
  version: 1,
  title: 'Noisy Start',
  category: 'Sampling',
  description: "The latent the loop starts from: noise × the scheduler's initial sigma, or an image's latent noised to the start step.",
  explain:
    'For text to image the loop starts from pure noise, scaled to the largest noise level of the ' +
    'schedule. For image to image the latent of an existing picture is noised only part way (the ' +
    "scheduler's strength), so the loop keeps its composition and redraws the details.",
  maths: 'Text to image: x = σ_init·ε. Image to image: x = a·z + b·ε at the start step (Euler: a = 1, b = σ; DDIM: a = √ᾱ, b = √(1−ᾱ)).',
  supplies: ['latent'],
  inputs: [
    { name: 'schedule', type: 'schedule' },
    { name: 'noise', type: 'latent', supplier: 'latent.noise' },
    { name: 'latent', type: 'latent', optional: true, label: 'image latent', description: 'For image to image.' },
  ],
  outputs: [{ name: 'latent', type: 'latent' }],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime }) => {
    const ml = mlServices(runtime);
    const noise = await ml.ops.upload(inputs.noise as never);
    const image = isTensorValue(inputs.latent) ? await ml.ops.upload(inputs.latent) : undefined;
    const latent = await startLatent(ml, inputs.schedule as ScheduleValue, noise, image);
    if (noise !== inputs.noise) noise.dispose();
    if (image && image !== inputs.latent) image.dispose();
    return { latent };
  },
});
