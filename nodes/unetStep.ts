import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { isTensorValue, type TensorValue } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { predictNoise, stepIndex } from '@/ml/denoise';
import { requireModel, type ScheduleValue } from '@/ml/values';

export const unetStepNode = defineNode({
  type: 'sampling.unetStep',
  version: 1,
  title: 'UNet Denoise Step',
  category: 'Sampling',
  description: 'Predicts the noise in the latent at one step, guided by the prompt (classifier-free guidance).',
  explain:
    'The UNet looks at the noisy latent, the noise level (timestep) and the text embedding, and ' +
    'predicts the noise ε in it. With a negative (or empty) prompt it predicts twice and pushes away ' +
    'from the unconditional guess: ε = ε_uncond + g·(ε_cond − ε_uncond), where g is the guidance scale. ' +
    'At g ≤ 1 it predicts once from the prompt alone, as diffusers does (SD-Turbo runs at 0).',
  maths: 'ε̂ = ε_uncond + g·(ε_cond − ε_uncond), both from one UNet call on [x, x]; Euler-type schedulers feed x/√(σ²+1).',
  inputs: [
    { name: 'unet', type: 'model.unet', label: 'UNet' },
    { name: 'latent', type: 'latent' },
    { name: 'schedule', type: 'schedule' },
    { name: 'step', type: 'integer', description: 'Step number within the schedule (the loop index).' },
    { name: 'positive', type: 'embedding' },
    { name: 'negative', type: 'embedding', optional: true },
    { name: 'guidance', type: 'number', optional: true, description: 'Overrides the guidance parameter.' },
  ],
  outputs: [{ name: 'noisePrediction', type: 'tensor', label: 'noise prediction', tensor: { dtype: 'float32', shape: ['B', 'C', 'h', 'w'] } }],
  params: z.object({
    guidance: z.number().min(0).max(50).default(5).meta({ label: 'Guidance scale', key: true }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime, signal }) => {
    const ml = mlServices(runtime);
    const unet = await ml.session(requireModel(inputs, 'unet', 'unet'), signal);
    const schedule = inputs.schedule as ScheduleValue;
    const noisePrediction = await predictNoise(ml, {
      unet,
      latent: inputs.latent as TensorValue,
      schedule: schedule.schedule,
      k: stepIndex(schedule, inputs.step as number),
      positive: inputs.positive as TensorValue,
      negative: isTensorValue(inputs.negative) ? inputs.negative : undefined,
      guidance: (inputs.guidance as number | undefined) ?? params.guidance,
      signal,
    });
    return { noisePrediction };
  },
});
