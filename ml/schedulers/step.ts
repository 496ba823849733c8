/**
 * One denoising step, model-input scaling and forward noising, for a Schedule from makeSchedule.
 * Pure functions: the solver's memory is the explicit `state` value, and any randomness is a noise
 * array the caller makes from an explicit seed (see needsNoise).
 *
 * Follows Hugging Face diffusers (~v0.27-0.32), src/diffusers/schedulers/:
 * - ddpm:  DDPMScheduler.step (fixed_small / fixed_large variance, noise only while t > 0)
 * - ddim:  DDIMScheduler.step (eta, clip_sample), use_clipped_model_output=False
 * - euler: EulerDiscreteScheduler.step with s_churn = 0 (the pipelines' default)
 * - euler-ancestral: EulerAncestralDiscreteScheduler.step (sigma_up / sigma_down)
 * - dpmpp-2m: DPMSolverMultistepScheduler.step, algorithm_type "dpmsolver++", solver_type "midpoint",
 *   convert_model_output, dpm_solver_first_order_update, multistep_dpm_solver_second_order_update,
 *   lower_order_final / euler_at_final / final_sigmas_type rules
 * - lcm:   LCMScheduler.step (get_scalings_for_boundary_condition_discrete, sigma_data 0.5)
 * - addNoise: each scheduler's add_noise (alphas_cumprod based for DDPM/DDIM/LCM; sigma based for
 *   Euler; alpha_t/sigma_t of sigma for DPM++).
 * Arithmetic is float64 per element, results stored as Float32Array.
 */
import { alphasCumprod } from './config';
import type { Schedule } from './schedule';

/** Solver memory between steps. Structured-clone friendly; see stateToJSON for a JSON form. */
export interface SchedulerState {
  /** Steps taken so far with this state (diffusers' lower_order_nums is min(stepCount, order)). */
  stepCount: number;
  /** DPM++ 2M: the previous step's data prediction (x0). */
  prevModelOutput: Float32Array | null;
}

export interface StepResult {
  prevSample: Float32Array;
  state: SchedulerState;
  /** The model's estimate of the clean sample at this step (LCM: the denoised sample). */
  predOriginal: Float32Array;
}

export interface StepOptions {
  /** DDIM's eta (0 = deterministic DDIM; > 0 needs noise). */
  eta?: number;
}

export function initialState(): SchedulerState {
  return { stepCount: 0, prevModelOutput: null };
}

export function stateToJSON(s: SchedulerState): { stepCount: number; prevModelOutput: number[] | null } {
  return { stepCount: s.stepCount, prevModelOutput: s.prevModelOutput ? Array.from(s.prevModelOutput) : null };
}

export function stateFromJSON(j: { stepCount: number; prevModelOutput: number[] | null }): SchedulerState {
  return { stepCount: j.stepCount, prevModelOutput: j.prevModelOutput ? Float32Array.from(j.prevModelOutput) : null };
}

function checkIndex(schedule: Schedule, stepIndex: number): void {
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= schedule.numInferenceSteps) {
    throw new Error(`step index ${stepIndex} out of range [0, ${schedule.numInferenceSteps})`);
  }
}

/** Whether `step(schedule, stepIndex, ...)` consumes a noise array (so the caller draws one from its seed). */
export function needsNoise(schedule: Schedule, stepIndex: number, options: StepOptions = {}): boolean {
  checkIndex(schedule, stepIndex);
  switch (schedule.kind) {
    case 'ddpm':
      return schedule.timesteps[stepIndex] > 0;
    case 'ddim':
      return (options.eta ?? 0) > 0;
    case 'euler-ancestral':
      return schedule.sigmas![stepIndex + 1] > 0;
    case 'lcm':
      return stepIndex !== schedule.numInferenceSteps - 1;
    default:
      return false;
  }
}

/** Scale the latent before the model call (Euler-type: x / sqrt(sigma^2 + 1); others: unchanged copy). */
export function scaleModelInput(schedule: Schedule, stepIndex: number, sample: Float32Array): Float32Array {
  checkIndex(schedule, stepIndex);
  if (schedule.kind !== 'euler' && schedule.kind !== 'euler-ancestral') return sample.slice();
  const sigma = schedule.sigmas![stepIndex];
  const d = Math.sqrt(sigma * sigma + 1);
  const out = new Float32Array(sample.length);
  for (let i = 0; i < sample.length; i++) out[i] = sample[i] / d;
  return out;
}

/** Advance one step: from `sample` at step `stepIndex` to the sample at the next (lower-noise) step. */
export function step(
  schedule: Schedule,
  stepIndex: number,
  modelOutput: Float32Array,
  sample: Float32Array,
  state: SchedulerState = initialState(),
  noise?: Float32Array,
  options: StepOptions = {},
): StepResult {
  checkIndex(schedule, stepIndex);
  const n = sample.length;
  if (modelOutput.length !== n) throw new Error(`model output has ${modelOutput.length} values, sample has ${n}`);
  const wantsNoise = needsNoise(schedule, stepIndex, options);
  if (wantsNoise) {
    if (!noise) throw new Error(`${schedule.kind} step ${stepIndex} needs a noise array (make it from a seed)`);
    if (noise.length !== n) throw new Error(`noise has ${noise.length} values, sample has ${n}`);
  }
  const cfg = schedule.config;
  const v = cfg.predictionType === 'v_prediction';
  const prev = new Float32Array(n);
  const x0 = new Float32Array(n);
  const nextState: SchedulerState = { stepCount: state.stepCount + 1, prevModelOutput: null };
  const clip = (x: number) => (cfg.clipSample ? Math.min(cfg.clipSampleRange, Math.max(-cfg.clipSampleRange, x)) : x);

  switch (schedule.kind) {
    case 'ddim': {
      const aT = schedule.alphaProd![stepIndex];
      const aP = schedule.alphaProdPrev![stepIndex];
      const bT = 1 - aT;
      const bP = 1 - aP;
      const eta = options.eta ?? 0;
      const variance = (bP / bT) * (1 - aT / aP);
      const std = eta * Math.sqrt(variance);
      const dirCoef = Math.sqrt(1 - aP - std * std);
      const sa = Math.sqrt(aT);
      const sb = Math.sqrt(bT);
      for (let i = 0; i < n; i++) {
        const m = modelOutput[i];
        const x = sample[i];
        const p0 = clip(v ? sa * x - sb * m : (x - sb * m) / sa);
        const e = v ? sa * m + sb * x : m;
        x0[i] = p0;
        let r = Math.sqrt(aP) * p0 + dirCoef * e;
        if (eta > 0) r += std * noise![i];
        prev[i] = r;
      }
      break;
    }
    case 'ddpm': {
      const t = schedule.timesteps[stepIndex];
      const aT = schedule.alphaProd![stepIndex];
      const aP = schedule.alphaProdPrev![stepIndex];
      const bT = 1 - aT;
      const bP = 1 - aP;
      const curAlpha = aT / aP;
      const curBeta = 1 - curAlpha;
      const c0 = (Math.sqrt(aP) * curBeta) / bT;
      const cs = (Math.sqrt(curAlpha) * bP) / bT;
      let variance = Math.max((bP / bT) * curBeta, 1e-20);
      if (cfg.varianceType === 'fixed_large') variance = curBeta;
      const std = Math.sqrt(variance);
      const sa = Math.sqrt(aT);
      const sb = Math.sqrt(bT);
      for (let i = 0; i < n; i++) {
        const m = modelOutput[i];
        const x = sample[i];
        const p0 = clip(v ? sa * x - sb * m : (x - sb * m) / sa);
        x0[i] = p0;
        let r = c0 * p0 + cs * x;
        if (t > 0) r += std * noise![i];
        prev[i] = r;
      }
      break;
    }
    case 'euler':
    case 'euler-ancestral': {
      const sigmas = schedule.sigmas!;
      const sigma = sigmas[stepIndex];
      const sigmaNext = sigmas[stepIndex + 1];
      let dt = sigmaNext - sigma;
      let up = 0;
      if (schedule.kind === 'euler-ancestral') {
        up = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
        const down = Math.sqrt(sigmaNext * sigmaNext - up * up);
        dt = down - sigma;
      }
      const vc = -sigma / Math.sqrt(sigma * sigma + 1);
      const vs = 1 / (sigma * sigma + 1);
      for (let i = 0; i < n; i++) {
        const m = modelOutput[i];
        const x = sample[i];
        const p0 = v ? m * vc + x * vs : x - sigma * m;
        x0[i] = p0;
        const d = (x - p0) / sigma;
        let r = x + d * dt;
        if (up > 0) r += noise![i] * up;
        prev[i] = r;
      }
      break;
    }
    case 'dpmpp-2m': {
      const sigmas = schedule.sigmas!;
      const steps = schedule.numInferenceSteps;
      const lowerOrderFinal =
        stepIndex === steps - 1 && (cfg.eulerAtFinal || (cfg.lowerOrderFinal && steps < 15) || cfg.finalSigmasType === 'zero');
      const lowerOrderNums = Math.min(state.stepCount, schedule.solverOrder);
      const [aS0, sS0] = alphaSigma(sigmas[stepIndex]);
      for (let i = 0; i < n; i++) {
        const m = modelOutput[i];
        const x = sample[i];
        x0[i] = v ? aS0 * x - sS0 * m : (x - sS0 * m) / aS0;
      }
      const [aT, sT] = alphaSigma(sigmas[stepIndex + 1]);
      const lamT = Math.log(aT) - Math.log(sT);
      const lam0 = Math.log(aS0) - Math.log(sS0);
      const h = lamT - lam0;
      const ratio = sT / sS0;
      const coef = aT * (Math.exp(-h) - 1.0);
      const secondOrder = !(lowerOrderNums < 1 || lowerOrderFinal);
      if (secondOrder && !state.prevModelOutput) throw new Error('DPM++ 2M: state lacks the previous model output (pass the state returned by the previous step)');
      if (!secondOrder) {
        for (let i = 0; i < n; i++) prev[i] = ratio * sample[i] - coef * x0[i];
      } else {
        const [aS1, sS1] = alphaSigma(sigmas[stepIndex - 1]);
        const lam1 = Math.log(aS1) - Math.log(sS1);
        const r0 = (lam0 - lam1) / h;
        const m1 = state.prevModelOutput!;
        for (let i = 0; i < n; i++) {
          const D0 = x0[i];
          const D1 = (1.0 / r0) * (x0[i] - m1[i]);
          prev[i] = ratio * sample[i] - coef * D0 - 0.5 * coef * D1;
        }
      }
      nextState.prevModelOutput = x0;
      break;
    }
    case 'lcm': {
      const t = schedule.timesteps[stepIndex];
      const aT = schedule.alphaProd![stepIndex];
      const aP = schedule.alphaProdPrev![stepIndex];
      const bT = 1 - aT;
      const bP = 1 - aP;
      const sigmaData = 0.5;
      const st = t * cfg.timestepScaling;
      const cSkip = (sigmaData * sigmaData) / (st * st + sigmaData * sigmaData);
      const cOut = st / Math.sqrt(st * st + sigmaData * sigmaData);
      const last = stepIndex === schedule.numInferenceSteps - 1;
      const sa = Math.sqrt(aT);
      const sb = Math.sqrt(bT);
      for (let i = 0; i < n; i++) {
        const m = modelOutput[i];
        const x = sample[i];
        const p0 = clip(v ? sa * x - sb * m : (x - sb * m) / sa);
        const denoised = cOut * p0 + cSkip * x;
        x0[i] = denoised;
        prev[i] = last ? denoised : Math.sqrt(aP) * denoised + Math.sqrt(bP) * noise![i];
      }
      break;
    }
  }
  return { prevSample: prev, state: nextState, predOriginal: x0 };
}

/** DPM-Solver's _sigma_to_alpha_sigma_t. */
function alphaSigma(sigma: number): [number, number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  return [alpha, sigma * alpha];
}

/**
 * Forward-noise a clean latent for img2img at step `stepIndex` of the schedule (usually
 * strengthStart(...).startIndex), as the scheduler's add_noise does at that step's timestep.
 */
export function addNoise(schedule: Schedule, original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array {
  if (noise.length !== original.length) throw new Error(`noise has ${noise.length} values, sample has ${original.length}`);
  checkIndex(schedule, stepIndex);
  const out = new Float32Array(original.length);
  let a: number;
  let b: number;
  if (schedule.kind === 'euler' || schedule.kind === 'euler-ancestral') {
    a = 1;
    b = schedule.sigmas![stepIndex];
  } else if (schedule.kind === 'dpmpp-2m') {
    [a, b] = alphaSigma(schedule.sigmas![stepIndex]);
  } else {
    const ac = schedule.alphaProd![stepIndex];
    a = Math.sqrt(ac);
    b = Math.sqrt(1 - ac);
  }
  for (let i = 0; i < out.length; i++) out[i] = a * original[i] + b * noise[i];
  return out;
}

/** add_noise at an arbitrary integer training timestep (DDPM-style q(x_t | x_0)), from the config alone. */
export function addNoiseAtTimestep(schedule: Schedule, original: Float32Array, noise: Float32Array, timestep: number): Float32Array {
  const ac = alphasCumprod(schedule.config);
  if (!Number.isInteger(timestep) || timestep < 0 || timestep >= ac.length) throw new Error(`timestep ${timestep} out of range`);
  const a = Math.sqrt(ac[timestep]);
  const b = Math.sqrt(1 - ac[timestep]);
  const out = new Float32Array(original.length);
  for (let i = 0; i < out.length; i++) out[i] = a * original[i] + b * noise[i];
  return out;
}
