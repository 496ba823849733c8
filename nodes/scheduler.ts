import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { makeSchedule, strengthStart, type SchedulerKind } from '@/ml/schedulers';
import { isPipelineValue, type ScheduleValue, type SchedulerStateValue } from '@/ml/values';

const KINDS = ['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'ddpm', 'lcm'] as const;

/** Stable Diffusion 1.x's schedule, used when no pipeline is connected. */
const SD_DEFAULT = { num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, timestep_spacing: 'leading', prediction_type: 'epsilon' };

export const schedulerNode = defineNode({
  type: 'sampling.scheduler',
  version: 1,
  title: 'Scheduler',
  category: 'Sampling',
  description: 'Chooses the noise levels to step through: timesteps and sigmas for DDIM, Euler, DPM++ 2M and others.',
  explain:
    'Training added noise in 1000 small steps. Sampling walks back in far fewer: the scheduler picks ' +
    'which noise levels (timesteps, with noise size sigma) to visit and how to step between them. ' +
    'Euler follows the slope the UNet predicts; DPM++ 2M also uses the previous step for a better ' +
    'curve; ancestral samplers add fresh noise each step. Strength below 1 starts part way (image to image).',
  inputs: [{ name: 'pipeline', type: 'pipeline', optional: true, description: "Gives the model's scheduler_config.json." }],
  outputs: [
    { name: 'schedule', type: 'schedule' },
    { name: 'steps', type: 'integer', description: 'How many steps run (the loop count).' },
    { name: 'state', type: 'schedulerState', description: "The solver's empty memory, to start a loop." },
  ],
  params: z.object({
    scheduler: z.enum(KINDS).default('euler').meta({ label: 'Scheduler' }),
    steps: z.number().int().min(1).max(1000).default(20).meta({ label: 'Steps' }),
    spacing: z.enum(['config', 'linspace', 'leading', 'trailing']).default('config').meta({ label: 'Timestep spacing' }),
    karras: z.boolean().default(false).meta({ label: 'Karras sigmas (Euler, DPM++)' }),
    strength: z.number().min(0).max(1).default(1).meta({ label: 'Strength (img2img)' }),
  }),
  run: ({ params, inputs }) => {
    const p = inputs.pipeline;
    const base = isPipelineValue(p) && p.schedulerConfig ? p.schedulerConfig : SD_DEFAULT;
    const config: Record<string, unknown> = { ...base };
    if (params.spacing !== 'config') config.timestep_spacing = params.spacing;
    if (params.karras) config.use_karras_sigmas = true;
    let schedule;
    try {
      schedule = makeSchedule(params.scheduler as SchedulerKind, config, params.steps, params.scheduler === 'lcm' ? { lcmStrength: params.strength } : {});
    } catch (e) {
      throw new NodeRunError('bad_schedule', (e as Error).message);
    }
    const startIndex = params.strength < 1 && params.scheduler !== 'lcm' ? strengthStart(schedule, params.strength).startIndex : 0;
    const value: ScheduleValue = { kind: 'schedule', scheduler: params.scheduler, schedule, startIndex };
    const state: SchedulerStateValue = { kind: 'schedulerState', stepCount: 0, prevX0: null };
    return { schedule: value, steps: schedule.numInferenceSteps - startIndex, state };
  },
});
