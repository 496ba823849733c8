/**
 * makeSchedule: diffusers' `set_timesteps` for each scheduler, as a plain JSON object a node can pass on.
 *
 * Follows Hugging Face diffusers (~v0.27-0.32), src/diffusers/schedulers/:
 * - ddpm:            scheduling_ddpm.py          DDPMScheduler.set_timesteps, previous_timestep
 * - ddim:            scheduling_ddim.py          DDIMScheduler.set_timesteps (prev t = t - N // steps)
 * - euler:           scheduling_euler_discrete.py EulerDiscreteScheduler.set_timesteps (float timesteps,
 *                    interpolated sigmas, Karras option, final_sigmas_type), init_noise_sigma
 * - euler-ancestral: scheduling_euler_ancestral_discrete.py (same timesteps/sigmas as Euler, no Karras)
 * - dpmpp-2m:        scheduling_dpmsolver_multistep.py DPMSolverMultistepScheduler.set_timesteps
 *                    (steps+1 linspace minus the last, Karras -> rounded `_sigma_to_t`)
 * - lcm:             scheduling_lcm.py           LCMScheduler.set_timesteps (original_inference_steps, strength)
 * - pndm:            scheduling_pndm.py          PNDMScheduler.set_timesteps: skip_prk_steps true (PLMS; the
 *                    second timestep repeated) or false (12 pseudo Runge-Kutta calls from the last 4 timesteps)
 * Reference values: tests/fixtures/schedulers/*.json from tools/reference/schedulers.py.
 */
import { alphasCumprod, resolveConfig, type DiffusersSchedulerConfigJson, type SchedulerConfig, type SchedulerKind } from './config';
import { arange, interpIndex, karrasSigmas, linspace, roundHalfEven, sigmaToT } from './numpy';

const f32 = Math.fround;

/** Everything `step`, `scaleModelInput` and `addNoise` need; plain JSON (numbers and arrays only). */
export interface Schedule {
  kind: SchedulerKind;
  config: SchedulerConfig;
  /**
   * Number of `step` calls, one model call each (= timesteps.length): the step count asked for, except
   * PNDM, whose diffusers timesteps are longer (PLMS: steps + 1, the first step is taken twice; with PRK
   * warm-up: steps + 9). Loops run this many times.
   */
  numInferenceSteps: number;
  /** Timesteps fed to the model, high noise first. Integers except Euler / Euler ancestral. */
  timesteps: number[];
  /** Euler, Euler ancestral, DPM++ 2M: sigma per step plus the final sigma (length steps + 1). Else null. */
  sigmas: number[] | null;
  /** Multiply unit Gaussian noise by this for the initial latent. */
  initNoiseSigma: number;
  /**
   * DDPM, DDIM, LCM, PNDM: alphas_cumprod at each step's timestep and at its previous timestep. Else null.
   * PNDM: at the model call's timestep, and at the noise level the step lands on when run from step 0
   * (its step works its own pair out from the step count, see step.ts).
   */
  alphaProd: number[] | null;
  alphaProdPrev: number[] | null;
  /** Only DPM++ 2M: solver order (2). */
  solverOrder: number;
  /**
   * Only PNDM (else null): diffusers' num_inference_steps (the steps asked for), its step ratio
   * num_train_timesteps // steps, and how many leading timesteps are PRK warm-up calls (0 with skip_prk_steps).
   */
  pndm: PndmSchedule | null;
}

export interface PndmSchedule {
  steps: number;
  stepRatio: number;
  prkCalls: number;
}

export interface MakeScheduleOptions {
  /** LCM only: diffusers' `strength` argument to set_timesteps (img2img), default 1. */
  lcmStrength?: number;
}

/** Build the schedule for `kind`, a diffusers scheduler_config.json (or resolved config) and a step count. */
export function makeSchedule(
  kind: SchedulerKind,
  config: DiffusersSchedulerConfigJson | SchedulerConfig,
  numSteps: number,
  options: MakeScheduleOptions = {},
): Schedule {
  const cfg = isResolved(config) ? resolveConfig(kind, {}, config) : resolveConfig(kind, config);
  const N = cfg.numTrainTimesteps;
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new Error(`number of steps must be an integer >= 1, got ${numSteps}`);
  if (numSteps > N) throw new Error(`number of steps (${numSteps}) cannot exceed num_train_timesteps (${N})`);
  const ac = alphasCumprod(cfg);
  const base = { kind, config: cfg, solverOrder: kind === 'dpmpp-2m' ? 2 : 1, pndm: null };

  if (kind === 'ddpm' || kind === 'ddim') {
    const ts = intSpacing(cfg, numSteps);
    const finalAlpha = kind === 'ddim' ? (cfg.setAlphaToOne ? 1 : ac[0]) : 1;
    const stride = Math.floor(N / numSteps);
    const alphaProd = ts.map((t) => ac[t]);
    const alphaProdPrev = ts.map((t, i) => {
      // DDIM: prev = t - N // steps; DDPM: previous_timestep = next entry, -1 after the last.
      const prev = kind === 'ddim' ? t - stride : i === ts.length - 1 ? -1 : ts[i + 1];
      return prev >= 0 ? ac[prev] : finalAlpha;
    });
    return { ...base, numInferenceSteps: ts.length, timesteps: ts, sigmas: null, initNoiseSigma: 1, alphaProd, alphaProdPrev };
  }

  if (kind === 'pndm') {
    const stepRatio = Math.floor(N / numSteps);
    const asc = intSpacing(cfg, numSteps).reverse(); // diffusers' _timesteps (ascending)
    let prk: number[] = [];
    let plms: number[];
    if (cfg.skipPrkSteps) {
      plms = [...asc.slice(0, -1), ...asc.slice(-2, -1), ...asc.slice(-1)].reverse();
    } else {
      if (numSteps < 4) throw new Error(`PNDM with PRK warm-up (skip_prk_steps false) needs at least 4 steps, got ${numSteps}`);
      // last 4 timesteps, each followed by itself + ratio // 2; drop the last; each twice; drop the ends.
      const half = Math.floor(stepRatio / 2);
      const pairs = asc.slice(-4).flatMap((t) => [t, t + half]);
      prk = pairs.slice(0, -1).flatMap((t) => [t, t]).slice(1, -1).reverse();
      plms = asc.slice(0, -3).reverse();
    }
    const ts = [...prk, ...plms];
    const pndm = { steps: numSteps, stepRatio, prkCalls: prk.length };
    const finalAlpha = cfg.setAlphaToOne ? 1 : ac[0];
    const s: Schedule = { ...base, pndm, numInferenceSteps: ts.length, timesteps: ts, sigmas: null, initNoiseSigma: 1, alphaProd: null, alphaProdPrev: null };
    s.alphaProd = ts.map((t) => ac[t]);
    s.alphaProdPrev = ts.map((_, i) => {
      const prev = pndmTimesteps(s, i, i).prevTimestep;
      return prev >= 0 ? ac[prev] : finalAlpha;
    });
    return s;
  }

  if (kind === 'lcm') {
    const strength = options.lcmStrength ?? 1;
    const original = cfg.originalInferenceSteps;
    const k = Math.floor(N / original);
    const count = Math.trunc(original * strength);
    const origin: number[] = [];
    for (let i = count; i >= 1; i--) origin.push(i * k - 1);
    if (Math.floor(origin.length / numSteps) < 1) {
      throw new Error(`LCM: original_inference_steps x strength (${original} x ${strength}) is smaller than the number of steps (${numSteps})`);
    }
    const ts = linspace(0, origin.length, numSteps, false).map((x) => origin[Math.floor(x)]);
    const finalAlpha = cfg.setAlphaToOne ? 1 : ac[0];
    const alphaProd = ts.map((t) => ac[t]);
    const alphaProdPrev = ts.map((t, i) => {
      const prev = i + 1 < ts.length ? ts[i + 1] : t;
      return prev >= 0 ? ac[prev] : finalAlpha;
    });
    return { ...base, numInferenceSteps: ts.length, timesteps: ts, sigmas: null, initNoiseSigma: 1, alphaProd, alphaProdPrev };
  }

  // Sigma-based schedulers. Base sigmas are float32 in diffusers (torch ops on float32 alphas_cumprod).
  const baseSigmas = new Float64Array(N);
  const logSigmas = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    baseSigmas[i] = f32(Math.sqrt(f32(f32(1 - ac[i]) / ac[i])));
    logSigmas[i] = f32(Math.log(baseSigmas[i]));
  }
  const sigmaLast = cfg.finalSigmasType === 'zero' ? 0 : f32(Math.sqrt(f32(f32(1 - ac[0]) / ac[0])));

  if (kind === 'euler' || kind === 'euler-ancestral') {
    let ts = floatSpacing(cfg, numSteps);
    let sig = ts.map((t) => interpIndex(t, baseSigmas));
    if (kind === 'euler' && cfg.useKarrasSigmas) {
      sig = karrasSigmas(sig[0], sig[sig.length - 1], numSteps);
      ts = sig.map((s) => f32(sigmaToT(s, logSigmas)));
    }
    // Euler ancestral always ends at 0 (no final_sigmas_type there).
    const last = kind === 'euler' ? sigmaLast : 0;
    const sigmas = [...sig, last].map(f32);
    const maxSigma = Math.max(...sigmas);
    const initNoiseSigma =
      cfg.timestepSpacing === 'linspace' || cfg.timestepSpacing === 'trailing' ? maxSigma : Math.sqrt(maxSigma * maxSigma + 1);
    return { ...base, numInferenceSteps: ts.length, timesteps: ts, sigmas, initNoiseSigma, alphaProd: null, alphaProdPrev: null };
  }

  // dpmpp-2m
  let ts: number[];
  if (cfg.timestepSpacing === 'linspace') {
    ts = linspace(0, N - 1, numSteps + 1).map(roundHalfEven).reverse().slice(0, -1);
  } else if (cfg.timestepSpacing === 'leading') {
    const ratio = Math.floor(N / (numSteps + 1));
    ts = [];
    for (let i = numSteps; i >= 1; i--) ts.push(i * ratio + cfg.stepsOffset);
  } else {
    ts = arange(N, 0, -N / numSteps).map((x) => roundHalfEven(x) - 1);
  }
  let sig: number[];
  if (cfg.useKarrasSigmas) {
    sig = karrasSigmas(baseSigmas[N - 1], baseSigmas[0], numSteps);
    ts = sig.map((s) => roundHalfEven(sigmaToT(s, logSigmas)));
  } else {
    sig = ts.map((t) => interpIndex(t, baseSigmas));
  }
  const sigmas = [...sig, sigmaLast].map(f32);
  return { ...base, numInferenceSteps: ts.length, timesteps: ts, sigmas, initNoiseSigma: 1, alphaProd: null, alphaProdPrev: null };
}

/**
 * The pair of timesteps PNDM's `_get_prev_sample` steps between at step `stepIndex` when `stepCount`
 * steps have run on the state (diffusers' counter; equal to stepIndex unless the loop started part way):
 * - PRK call c (c < prkCalls): from prk_timesteps[c // 4 * 4] to timesteps[i] - (c odd ? 0 : ratio // 2);
 * - PLMS call 1 (no PRK): from timesteps[i] + ratio to timesteps[i] (the first step again);
 * - otherwise from timesteps[i] to timesteps[i] - ratio (below 0: the final alpha).
 */
export function pndmTimesteps(schedule: Schedule, stepIndex: number, stepCount: number): { timestep: number; prevTimestep: number } {
  const { stepRatio, prkCalls } = schedule.pndm!;
  const t = schedule.timesteps[stepIndex];
  let pair: { timestep: number; prevTimestep: number };
  if (stepCount < prkCalls) {
    const diff = stepCount % 2 ? 0 : Math.floor(stepRatio / 2);
    pair = { timestep: schedule.timesteps[Math.floor(stepCount / 4) * 4], prevTimestep: t - diff };
  } else if (stepCount === 1) pair = { timestep: t + stepRatio, prevTimestep: t };
  else pair = { timestep: t, prevTimestep: t - stepRatio };
  const N = schedule.config.numTrainTimesteps;
  if (!(pair.timestep >= 0 && pair.timestep < N) || pair.prevTimestep >= N) {
    throw new Error(`PNDM step ${stepIndex} (after ${stepCount} steps) would step from timestep ${pair.timestep} to ${pair.prevTimestep}, outside [0, ${N})`);
  }
  return pair;
}

function isResolved(c: DiffusersSchedulerConfigJson | SchedulerConfig): c is SchedulerConfig {
  return typeof (c as SchedulerConfig).numTrainTimesteps === 'number' && typeof (c as SchedulerConfig).timestepSpacing === 'string';
}

/** DDIM/DDPM integer spacing. */
function intSpacing(cfg: SchedulerConfig, steps: number): number[] {
  const N = cfg.numTrainTimesteps;
  if (cfg.timestepSpacing === 'linspace') return linspace(0, N - 1, steps).map(roundHalfEven).reverse();
  if (cfg.timestepSpacing === 'leading') {
    const ratio = Math.floor(N / steps);
    const out: number[] = [];
    for (let i = steps - 1; i >= 0; i--) out.push(i * ratio + cfg.stepsOffset);
    return out;
  }
  return arange(N, 0, -N / steps).map((x) => roundHalfEven(x) - 1);
}

/** Euler's float32 spacing. */
function floatSpacing(cfg: SchedulerConfig, steps: number): number[] {
  const N = cfg.numTrainTimesteps;
  if (cfg.timestepSpacing === 'linspace') return linspace(0, N - 1, steps).map(f32).reverse();
  if (cfg.timestepSpacing === 'leading') {
    const ratio = Math.floor(N / steps);
    const out: number[] = [];
    for (let i = steps - 1; i >= 0; i--) out.push(f32(i * ratio + cfg.stepsOffset));
    return out;
  }
  return arange(N, 0, -N / steps).map((x) => f32(roundHalfEven(x) - 1));
}

/**
 * img2img: diffusers' StableDiffusionImg2ImgPipeline.get_timesteps. Keeps the last
 * min(int(steps * strength), steps) timesteps. Run `step` from `startIndex` to the end of the full
 * schedule (step indices stay those of the full schedule, as diffusers' begin_index does), and noise
 * the encoded image with `addNoise(schedule, image, noise, startIndex)`. PNDM: the start comes from the
 * steps asked for, as in diffusers (order 1), and all timesteps from there run: numSteps is the count of
 * model calls left (with a fresh state, the step count restarts at 0 there, as diffusers' counter does).
 */
export function strengthStart(schedule: Schedule, strength: number): { startIndex: number; timesteps: number[]; numSteps: number } {
  if (!(strength >= 0 && strength <= 1)) throw new Error(`strength must be in [0, 1], got ${strength}`);
  const n = schedule.pndm?.steps ?? schedule.numInferenceSteps;
  const initTimestep = Math.min(Math.trunc(n * strength), n);
  const startIndex = Math.max(n - initTimestep, 0);
  return { startIndex, timesteps: schedule.timesteps.slice(startIndex), numSteps: schedule.numInferenceSteps - startIndex };
}
