import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { makeSchedule, strengthStart, type Schedule, type SchedulerKind } from '@/ml/schedulers';
import { isPipelineValue, type ScheduleValue, type SchedulerStateValue } from '@/ml/values';

const KINDS = ['euler', 'euler-ancestral', 'ddim', 'dpmpp-2m', 'ddpm', 'lcm', 'pndm'] as const;

/**
 * Stable Diffusion 1.x's scheduler_config.json (runwayml/stable-diffusion-v1-5), used when no
 * pipeline is connected: all of it, clip_sample and set_alpha_to_one included (without them DDIM
 * and DDPM would take diffusers' class defaults, true, and sample differently from SD).
 */
export const SD_DEFAULT = {
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  steps_offset: 1,
  timestep_spacing: 'leading',
  prediction_type: 'epsilon',
  clip_sample: false,
  set_alpha_to_one: false,
  skip_prk_steps: true,
};

interface SchedulerParams {
  scheduler: SchedulerKind;
  steps: number;
  spacing: string;
  karras: boolean;
  strength: number;
  eta: number;
}

/** The schedule for these params over a model's scheduler_config.json (SD 1.x's when there is none). */
function scheduleOf(params: SchedulerParams, pipelineConfig?: Readonly<Record<string, unknown>>): { schedule: Schedule; startIndex: number } | { error: string } {
  const config: Record<string, unknown> = { ...(pipelineConfig ?? SD_DEFAULT) };
  if (params.spacing !== 'config') config.timestep_spacing = params.spacing;
  if (params.karras) config.use_karras_sigmas = true;
  try {
    const schedule = makeSchedule(params.scheduler, config, params.steps, params.scheduler === 'lcm' ? { lcmStrength: params.strength } : {});
    const startIndex = params.strength < 1 && params.scheduler !== 'lcm' ? strengthStart(schedule, params.strength).startIndex : 0;
    return { schedule, startIndex };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** "20 steps", or for PNDM, whose model calls outnumber its steps, "21 UNet calls of 20 steps". */
function calls(schedule: Schedule, steps: number): string {
  return schedule.numInferenceSteps === steps ? `${steps} steps` : `${schedule.numInferenceSteps} UNet calls of ${steps} steps`;
}

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
    'curve; ancestral samplers add fresh noise each step. PNDM (PLMS), the scheduler Stable Diffusion 1.x ships with, ' +
    'blends the last four noise predictions; it takes its first step twice, so N steps make N + 1 UNet calls ' +
    '(the steps output and the Sampler count calls). Strength below 1 starts part way (image to image). ' +
    "DDIM's eta sets how much fresh noise each DDIM step adds back: 0 is plain deterministic DDIM (the same " +
    'seed gives the same picture at any step count), 1 makes it as random as DDPM.',
  maths:
    'Training noises a clean latent x₀ to x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε, with ᾱ_t = Π_{s≤t}(1−β_s). ' +
    'The noise size is σ_t = √((1−ᾱ_t)/ᾱ_t); sampling visits N of the 1000 timesteps, from the largest σ to the smallest. ' +
    'DDIM adds η·√((1−ᾱ_prev)/(1−ᾱ_t))·√(1−ᾱ_t/ᾱ_prev) times fresh noise each step (η = eta). ' +
    'PLMS combines predictions like Adams-Bashforth: ε̂ = (55ε_k − 59ε_{k−1} + 37ε_{k−2} − 9ε_{k−3})/24 once four are known.',
  explainChart: (params) => {
    const made = scheduleOf(params);
    if ('error' in made) return made;
    const { schedule, startIndex } = made;
    const a = schedule.alphaProd;
    const sigmas = schedule.timesteps.map((_, k) => schedule.sigmas?.[k] ?? Math.sqrt((1 - a![k]) / a![k]));
    const last = sigmas.length - 1;
    const start = startIndex > 0 ? ` Strength ${params.strength} starts at step ${startIndex}.` : '';
    return {
      title: `Noise level σ at each of the ${calls(schedule, params.steps)} (${params.scheduler}${params.karras ? ', Karras' : ''})`,
      xLabel: 'step',
      yLabel: 'σ (log scale)',
      values: sigmas,
      log: true,
      caption: `σ falls from ${sigmas[0].toPrecision(3)} at step 0 to ${sigmas[last].toPrecision(3)} at step ${last}, then 0.${start} Computed from Stable Diffusion's training schedule (β scaled-linear 0.00085→0.012), which shapes-v1 shares.`,
    };
  },
  supplies: ['schedule'],
  inputs: [{ name: 'pipeline', type: 'pipeline', optional: true, description: "Gives the model's scheduler_config.json." }],
  outputs: [
    { name: 'schedule', type: 'schedule' },
    { name: 'steps', type: 'integer', description: 'How many steps run (the loop count): one UNet call each (PNDM: more calls than steps asked for).' },
    { name: 'state', type: 'schedulerState', description: "The solver's empty memory, to start a loop." },
  ],
  params: z.object({
    scheduler: z.enum(KINDS).default('euler').meta({ label: 'Scheduler', key: true }),
    steps: z.number().int().min(1).max(1000).default(20).meta({ label: 'Steps', key: true }),
    spacing: z.enum(['config', 'linspace', 'leading', 'trailing']).default('config').meta({ label: 'Timestep spacing' }),
    karras: z.boolean().default(false).meta({ label: 'Karras sigmas (Euler, DPM++)' }),
    strength: z.number().min(0).max(1).default(1).meta({ label: 'Strength (img2img)' }),
    eta: z.number().min(0).max(1).default(0).meta({ label: 'Eta (DDIM: fresh noise per step)' }),
  }),
  run: ({ params, inputs }) => {
    const p = inputs.pipeline;
    const made = scheduleOf(params, isPipelineValue(p) ? p.schedulerConfig : undefined);
    if ('error' in made) throw new NodeRunError('bad_schedule', made.error);
    const { schedule, startIndex } = made;
    const value: ScheduleValue = { kind: 'schedule', scheduler: params.scheduler, schedule, startIndex, ...(params.scheduler === 'ddim' && params.eta > 0 ? { eta: params.eta } : {}) };
    const state: SchedulerStateValue = { kind: 'schedulerState', stepCount: 0, prevX0: null };
    return { schedule: value, steps: schedule.numInferenceSteps - startIndex, state };
  },
});
