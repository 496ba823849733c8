import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import type { TensorValue } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { advance, stepIndex } from '@/ml/denoise';
import type { ScheduleValue, SchedulerStateValue } from '@/ml/values';

export const schedulerStepNode = defineNode({
  type: 'sampling.schedulerStep',
  version: 1,
  title: 'Scheduler Step',
  category: 'Sampling',
  description: "Moves the latent one step down the schedule using the UNet's noise prediction.",
  explain:
    'From the predicted noise the scheduler estimates the clean latent (x₀ = (x − σ·ε) in Euler’s ' +
    'terms) and steps towards it, to the next, smaller noise level. The estimate x₀ is also output as ' +
    '"denoised": watch it sharpen as the loop runs.',
  maths: 'Euler: x̂₀ = x − σ_k·ε̂, then x_{k+1} = x + (σ_{k+1} − σ_k)·ε̂ (a straight step along the predicted slope).',
  inputs: [
    { name: 'schedule', type: 'schedule' },
    { name: 'step', type: 'integer' },
    { name: 'latent', type: 'latent' },
    { name: 'noisePrediction', type: 'tensor', label: 'noise prediction' },
    { name: 'state', type: 'schedulerState', optional: true, description: "The previous step's state output (DPM++ 2M and PNDM remember earlier steps in it)." },
    { name: 'seed', type: 'seed', optional: true, description: 'For samplers that add noise each step (ancestral, DDPM, LCM).' },
  ],
  outputs: [
    { name: 'latent', type: 'latent' },
    { name: 'state', type: 'schedulerState' },
    { name: 'denoised', type: 'latent', description: 'The estimate of the clean latent at this step.' },
  ],
  params: z.object({
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ label: 'Noise seed', widget: 'seed' }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime }) => {
    const schedule = inputs.schedule as ScheduleValue;
    if (schedule?.kind !== 'schedule') throw new NodeRunError('not_a_schedule', "input 'schedule' needs a schedule from a Scheduler node");
    const k = stepIndex(schedule, inputs.step as number);
    const r = await advance(
      mlServices(runtime),
      schedule.schedule,
      k,
      inputs.latent as TensorValue,
      inputs.noisePrediction as TensorValue,
      inputs.state as SchedulerStateValue | undefined,
      (inputs.seed as number | undefined) ?? params.seed,
      schedule.eta,
    );
    return { latent: r.latent, state: r.state, denoised: r.denoised };
  },
});
