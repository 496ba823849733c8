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
 * - pndm:  PNDMScheduler.step -> step_prk / step_plms (ets, counter, cur_sample, cur_model_output),
 *   _get_prev_sample (formula (9) of the PNDM paper; v_prediction); see pndmPlan
 * - addNoise: each scheduler's add_noise (alphas_cumprod based for DDPM/DDIM/LCM/PNDM; sigma based for
 *   Euler; alpha_t/sigma_t of sigma for DPM++).
 * Arithmetic is float64 per element, results stored as Float32Array.
 */
import { alphasCumprod } from './config';
import { pndmTimesteps, type Schedule } from './schedule';

/** Solver memory between steps. Structured-clone friendly; see stateToJSON for a JSON form. */
export interface SchedulerState {
  /** Steps taken so far with this state (diffusers' lower_order_nums is min(stepCount, order); PNDM's counter). */
  stepCount: number;
  /** DPM++ 2M: the previous step's data prediction (x0). */
  prevModelOutput: Float32Array | null;
  /** PNDM: its memory (absent or null before the first step and for the other schedulers). */
  pndm?: PndmMemory<Float32Array> | null;
}

/**
 * PNDM's memory between steps, diffusers' running values: `ets`, the model outputs it keeps (oldest
 * first; the last 3 are all a later step reads), `curSample` (cur_sample: the sample a repeated or
 * PRK step starts from) and `curModelOutput` (cur_model_output: PRK's running Runge-Kutta sum; null = 0).
 */
export interface PndmMemory<T> {
  ets: T[];
  curSample: T | null;
  curModelOutput: T | null;
}

/** What a PNDM term reads: the step's sample, its model output, or a part of the memory (a number: ets[i]). */
export type PndmRef = 'sample' | 'model' | 'curSample' | 'curModelOutput' | number;
export interface PndmTerm {
  ref: PndmRef;
  coefficient: number;
}

/**
 * One PNDM step as linear combinations of the sample, the model output and the memory, so it can run
 * on tensors where they are (ml/denoise.ts) as well as on arrays (`step`); the maths is here only.
 */
export interface PndmPlan {
  /** The pair `_get_prev_sample` steps between. */
  timestep: number;
  prevTimestep: number;
  /** prevSample = Σ coefficient · ref */
  prev: PndmTerm[];
  /** The clean-sample estimate from this call alone: (x − √(1−ᾱ)·ε)/√ᾱ at the model's timestep (v: √ᾱ·x − √(1−ᾱ)·v). */
  x0: PndmTerm[];
  /** The memory after the step: ets and curSample are refs (kept as they are); curModelOutput a new sum or null. */
  next: { ets: PndmRef[]; curSample: PndmRef | null; curModelOutput: PndmTerm[] | null };
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

export interface SchedulerStateJSON {
  stepCount: number;
  prevModelOutput: number[] | null;
  pndm?: PndmMemory<number[]>;
}

export function stateToJSON(s: SchedulerState): SchedulerStateJSON {
  const j: SchedulerStateJSON = { stepCount: s.stepCount, prevModelOutput: s.prevModelOutput ? Array.from(s.prevModelOutput) : null };
  if (s.pndm) j.pndm = mapMemory(s.pndm, (a) => Array.from(a));
  return j;
}

export function stateFromJSON(j: SchedulerStateJSON): SchedulerState {
  const s: SchedulerState = { stepCount: j.stepCount, prevModelOutput: j.prevModelOutput ? Float32Array.from(j.prevModelOutput) : null };
  if (j.pndm) s.pndm = mapMemory(j.pndm, (a) => Float32Array.from(a));
  return s;
}

function mapMemory<A, B>(m: PndmMemory<A>, f: (a: A) => B): PndmMemory<B> {
  return { ets: m.ets.map(f), curSample: m.curSample === null ? null : f(m.curSample), curModelOutput: m.curModelOutput === null ? null : f(m.curModelOutput) };
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
    case 'pndm': {
      const mem = state.pndm ?? { ets: [], curSample: null, curModelOutput: null };
      for (const a of [...mem.ets, mem.curSample, mem.curModelOutput]) {
        if (a && a.length !== n) throw new Error(`PNDM state holds ${a.length} values, sample has ${n}`);
      }
      const plan = pndmPlan(schedule, stepIndex, state.stepCount, { ets: mem.ets.length, curSample: mem.curSample !== null, curModelOutput: mem.curModelOutput !== null });
      const read = (r: PndmRef): Float32Array =>
        r === 'sample' ? sample : r === 'model' ? modelOutput : r === 'curSample' ? mem.curSample! : r === 'curModelOutput' ? mem.curModelOutput! : mem.ets[r];
      const combine = (terms: PndmTerm[], out: Float32Array) => {
        const arrays = terms.map((t) => read(t.ref));
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let j = 0; j < terms.length; j++) acc += terms[j].coefficient * arrays[j][i];
          out[i] = acc;
        }
        return out;
      };
      combine(plan.prev, prev);
      combine(plan.x0, x0);
      // The memory keeps its own copies (the caller may reuse its arrays).
      const own = (r: PndmRef) => (r === 'sample' || r === 'model' ? read(r).slice() : read(r));
      nextState.pndm = {
        ets: plan.next.ets.map(own),
        curSample: plan.next.curSample === null ? null : own(plan.next.curSample),
        curModelOutput: plan.next.curModelOutput ? combine(plan.next.curModelOutput, new Float32Array(n)) : null,
      };
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

/**
 * PNDM step `stepIndex` after `stepCount` steps on a state whose memory holds `memory.ets` model outputs
 * (and a cur_sample / cur_model_output or not), as diffusers' PNDMScheduler.step does it:
 * - PRK (stepCount < prkCalls), call c: c % 4 == 0 keeps the output in ets and the sample as cur_sample;
 *   calls 0-2 of each 4 step from cur_sample with the plain output, call 3 with the Runge-Kutta sum
 *   cur_model_output + ε/6 (the sum: ε₀/6 + ε₁/3 + ε₂/3).
 * - PLMS: the output joins the last 3 kept, except on call 1 (the first step again, from cur_sample, with
 *   (ε₁ + ε₀)/2); then Adams-Bashforth of the order the kept outputs allow: ε, (3ε − ε₋₁)/2,
 *   (23ε − 16ε₋₁ + 5ε₋₂)/12, (55ε − 59ε₋₁ + 37ε₋₂ − 9ε₋₃)/24.
 * - _get_prev_sample(x, t, t', ε̂) = √(ᾱ_t'/ᾱ_t)·x − (ᾱ_t' − ᾱ_t)·ε̂ / (ᾱ_t·√(1−ᾱ_t') + √(ᾱ_t(1−ᾱ_t)ᾱ_t'));
 *   v_prediction first turns the combined output into ε̂ = √ᾱ_t·v̂ + √(1−ᾱ_t)·x.
 * Throws when the memory lacks what the step reads (a state not passed on from the previous step).
 */
export function pndmPlan(schedule: Schedule, stepIndex: number, stepCount: number, memory: { ets: number; curSample: boolean; curModelOutput: boolean }): PndmPlan {
  checkIndex(schedule, stepIndex);
  if (schedule.kind !== 'pndm' || !schedule.pndm) throw new Error(`pndmPlan needs a PNDM schedule, not ${schedule.kind}`);
  const lacks = (what: string) =>
    new Error(`PNDM step ${stepIndex} (after ${stepCount} steps): the state lacks ${what} (pass the state returned by the previous step)`);
  const { timestep, prevTimestep } = pndmTimesteps(schedule, stepIndex, stepCount);
  const cfg = schedule.config;
  const c = stepCount;
  const etsIdx = Array.from({ length: memory.ets }, (_, i) => i as PndmRef);
  let from: PndmRef = 'sample';
  let eps: PndmTerm[];
  let next: PndmPlan['next'];
  if (c < schedule.pndm.prkCalls) {
    const acc: PndmTerm[] = memory.curModelOutput ? [{ ref: 'curModelOutput', coefficient: 1 }] : [];
    const phase = c % 4;
    if (phase !== 0 && !memory.curSample) throw lacks('cur_sample');
    // Each earlier 4-call group kept its first output (a state from elsewhere would not have).
    if (memory.ets < Math.ceil(c / 4)) throw lacks(`the model outputs of the earlier PRK calls (it keeps ${memory.ets})`);
    from = phase === 0 ? 'sample' : 'curSample';
    eps = [{ ref: 'model', coefficient: 1 }];
    let sum: PndmTerm[] | null;
    if (phase === 3) {
      eps = [...acc, { ref: 'model', coefficient: 1 / 6 }];
      sum = null;
    } else sum = [...acc, { ref: 'model', coefficient: phase === 0 ? 1 / 6 : 1 / 3 }];
    next = { ets: phase === 0 ? [...etsIdx, 'model'] : etsIdx, curSample: phase === 3 ? null : from, curModelOutput: sum };
  } else {
    if (schedule.pndm.prkCalls > 0 && memory.ets < 3) throw lacks('the 3 model outputs of the PRK warm-up');
    const kept: PndmRef[] = c !== 1 ? [...etsIdx.slice(-3), 'model'] : etsIdx;
    const L = kept.length;
    // The combined output over the kept outputs, newest last (ε = the newest).
    const ab = (w: number[], d: number) => w.map((coefficient, j) => ({ ref: kept[L - 1 - j], coefficient: coefficient / d }));
    if (L === 1 && c === 0) {
      eps = [{ ref: 'model', coefficient: 1 }];
      next = { ets: kept, curSample: 'sample', curModelOutput: null };
    } else if (L === 1 && c === 1) {
      if (!memory.curSample) throw lacks('cur_sample');
      eps = [
        { ref: 'model', coefficient: 0.5 },
        { ref: kept[0], coefficient: 0.5 },
      ];
      from = 'curSample';
      next = { ets: kept, curSample: null, curModelOutput: null };
    } else {
      if (c === 1 || L === 1) throw lacks(`the previous model outputs (it keeps ${memory.ets})`);
      if (L === 2) eps = ab([3, -1], 2);
      else if (L === 3) eps = ab([23, -16, 5], 12);
      else eps = ab([55, -59, 37, -9], 24);
      next = { ets: kept.slice(-3), curSample: null, curModelOutput: null };
    }
    if (memory.curModelOutput) next.curModelOutput = [{ ref: 'curModelOutput', coefficient: 1 }];
  }
  const ac = alphasCumprodOf(schedule);
  const aT = ac[timestep];
  const aP = prevTimestep >= 0 ? ac[prevTimestep] : cfg.setAlphaToOne ? 1 : ac[0];
  const sampleCoeff = Math.sqrt(aP / aT);
  const epsCoeff = -(aP - aT) / (aT * Math.sqrt(1 - aP) + Math.sqrt(aT * (1 - aT) * aP));
  const v = cfg.predictionType === 'v_prediction';
  // v: ε̂ = √ᾱ_t·v̂ + √(1−ᾱ_t)·x, so x's coefficient gains epsCoeff·√(1−ᾱ_t) and v̂'s is scaled by √ᾱ_t.
  const prev: PndmTerm[] = [
    { ref: from, coefficient: v ? sampleCoeff + epsCoeff * Math.sqrt(1 - aT) : sampleCoeff },
    ...eps.map((t) => ({ ref: t.ref, coefficient: t.coefficient * epsCoeff * (v ? Math.sqrt(aT) : 1) })),
  ];
  const a = schedule.alphaProd![stepIndex];
  const x0: PndmTerm[] = v
    ? [
        { ref: 'sample', coefficient: Math.sqrt(a) },
        { ref: 'model', coefficient: -Math.sqrt(1 - a) },
      ]
    : [
        { ref: 'sample', coefficient: 1 / Math.sqrt(a) },
        { ref: 'model', coefficient: -Math.sqrt(1 - a) / Math.sqrt(a) },
      ];
  return { timestep, prevTimestep, prev, x0, next };
}

const acCache = new WeakMap<object, Float64Array>();
function alphasCumprodOf(schedule: Schedule): Float64Array {
  let ac = acCache.get(schedule.config);
  if (!ac) {
    ac = alphasCumprod(schedule.config);
    acCache.set(schedule.config, ac);
  }
  return ac;
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
