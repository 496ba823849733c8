import { hasKey } from '@/engine/record';

/**
 * Scheduler configuration: the keys of a diffusers `scheduler_config.json` that Weft's schedulers read,
 * with diffusers' per-class defaults, and the noise schedule (betas -> alphas_cumprod) every scheduler
 * shares.
 *
 * References: Hugging Face diffusers (~v0.27-0.32) src/diffusers/schedulers/scheduling_*.py, `__init__`
 * of each scheduler. diffusers computes betas/alphas_cumprod in torch float32; we emulate that with
 * Math.fround so values agree with diffusers to ~1e-6 relative (tests/fixtures/schedulers/
 * alphas_cumprod_sd15.json, made by tools/reference/schedulers.py with real torch).
 */

export type SchedulerKind = 'ddpm' | 'ddim' | 'euler' | 'euler-ancestral' | 'dpmpp-2m' | 'lcm' | 'pndm';
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['ddpm', 'ddim', 'euler', 'euler-ancestral', 'dpmpp-2m', 'lcm', 'pndm'];

export type TimestepSpacing = 'linspace' | 'leading' | 'trailing';
export type PredictionType = 'epsilon' | 'v_prediction';
export type BetaSchedule = 'linear' | 'scaled_linear';

/** Resolved configuration (every field present). Plain JSON. */
export interface SchedulerConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  /** Explicit betas (diffusers `trained_betas`), overrides betaStart/End/Schedule. */
  trainedBetas: number[] | null;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  predictionType: PredictionType;
  /** DDIM / LCM / PNDM: alphas_cumprod used past the last step (1 or alphas_cumprod[0]). */
  setAlphaToOne: boolean;
  clipSample: boolean;
  clipSampleRange: number;
  /** Euler, DPM++ 2M: Karras sigmas (rho 7), mapped back to timesteps via `_sigma_to_t`. */
  useKarrasSigmas: boolean;
  /** Euler, DPM++ 2M: the sigma appended after the last step. */
  finalSigmasType: 'zero' | 'sigma_min';
  /** DDPM: variance of the added noise. */
  varianceType: 'fixed_small' | 'fixed_large';
  /** LCM */
  originalInferenceSteps: number;
  timestepScaling: number;
  /** DPM++ 2M: use first order on the last step(s) when steps < 15. */
  lowerOrderFinal: boolean;
  eulerAtFinal: boolean;
  /** PNDM: true = PLMS only (Stable Diffusion's setting); false = 12 pseudo Runge-Kutta warm-up calls first. */
  skipPrkSteps: boolean;
}

/** diffusers' scheduler_config.json as found in a pipeline folder (snake_case; unknown keys ignored). */
export type DiffusersSchedulerConfigJson = Record<string, unknown>;

/** Defaults of each diffusers scheduler class's `__init__` (where they differ, per kind). */
function classDefaults(kind: SchedulerKind): SchedulerConfig {
  const base: SchedulerConfig = {
    numTrainTimesteps: 1000,
    betaStart: 0.0001,
    betaEnd: 0.02,
    betaSchedule: 'linear',
    trainedBetas: null,
    timestepSpacing: 'leading',
    stepsOffset: 0,
    predictionType: 'epsilon',
    setAlphaToOne: true,
    clipSample: true,
    clipSampleRange: 1.0,
    useKarrasSigmas: false,
    finalSigmasType: 'zero',
    varianceType: 'fixed_small',
    originalInferenceSteps: 50,
    timestepScaling: 10.0,
    lowerOrderFinal: true,
    eulerAtFinal: false,
    skipPrkSteps: false,
  };
  switch (kind) {
    case 'ddpm':
      return base; // DDPMScheduler: timestep_spacing "leading", clip_sample True
    case 'ddim':
      return base; // DDIMScheduler: leading, clip_sample True, set_alpha_to_one True
    case 'euler':
    case 'euler-ancestral':
      return { ...base, timestepSpacing: 'linspace', clipSample: false };
    case 'dpmpp-2m':
      return { ...base, timestepSpacing: 'linspace', clipSample: false };
    case 'lcm':
      return { ...base, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', clipSample: false };
    case 'pndm':
      return { ...base, setAlphaToOne: false, clipSample: false }; // PNDMScheduler: leading, skip_prk_steps False
  }
}

const SNAKE_TO_CAMEL: Record<string, keyof SchedulerConfig> = {
  num_train_timesteps: 'numTrainTimesteps',
  beta_start: 'betaStart',
  beta_end: 'betaEnd',
  beta_schedule: 'betaSchedule',
  trained_betas: 'trainedBetas',
  timestep_spacing: 'timestepSpacing',
  steps_offset: 'stepsOffset',
  prediction_type: 'predictionType',
  set_alpha_to_one: 'setAlphaToOne',
  clip_sample: 'clipSample',
  clip_sample_range: 'clipSampleRange',
  use_karras_sigmas: 'useKarrasSigmas',
  final_sigmas_type: 'finalSigmasType',
  variance_type: 'varianceType',
  original_inference_steps: 'originalInferenceSteps',
  timestep_scaling: 'timestepScaling',
  lower_order_final: 'lowerOrderFinal',
  euler_at_final: 'eulerAtFinal',
  skip_prk_steps: 'skipPrkSteps',
};

/**
 * Resolve a scheduler configuration for `kind`: the class defaults, then a diffusers
 * `scheduler_config.json` object (snake_case keys, as in a pipeline folder; written by any scheduler
 * class, e.g. SD's PNDMScheduler config used for Euler), then camelCase overrides (a node's settings).
 * Unsupported values throw with a clear message.
 */
export function resolveConfig(
  kind: SchedulerKind,
  json: DiffusersSchedulerConfigJson = {},
  overrides: Partial<SchedulerConfig> = {},
): SchedulerConfig {
  if (!SCHEDULER_KINDS.includes(kind)) throw new Error(`unknown scheduler kind "${kind}"`);
  rejectUnsupported(kind, json);
  const cfg: SchedulerConfig = classDefaults(kind);
  const rec = cfg as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(json)) {
    // Keys come from a model folder's file: only own keys count (never `constructor` or `__proto__`).
    const key = hasKey(SNAKE_TO_CAMEL, k) ? SNAKE_TO_CAMEL[k] : hasKey(cfg, k) ? (k as keyof SchedulerConfig) : undefined;
    if (key === undefined || v === null || v === undefined) continue;
    rec[key] = v;
  }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined && hasKey(cfg, k)) rec[k] = v;
  if (kind !== 'ddpm') cfg.varianceType = 'fixed_small'; // only DDPM reads it
  if (kind !== 'pndm') cfg.skipPrkSteps = false; // only PNDM reads it
  if (kind === 'pndm') cfg.clipSample = false; // PNDMScheduler has no clip_sample
  validate(cfg);
  return cfg;
}

/**
 * diffusers options whose non-default values this port does not implement: refuse them rather than
 * silently sampling differently. Keys that belong to another scheduler class are ignored.
 */
const UNSUPPORTED: Array<{ key: string; ok: (v: unknown) => boolean; kinds?: SchedulerKind[] }> = [
  { key: 'interpolation_type', ok: (v) => v === 'linear', kinds: ['euler', 'euler-ancestral'] },
  { key: 'timestep_type', ok: (v) => v === 'discrete', kinds: ['euler'] },
  { key: 'use_exponential_sigmas', ok: (v) => v === false },
  { key: 'use_beta_sigmas', ok: (v) => v === false },
  { key: 'use_flow_sigmas', ok: (v) => v === false },
  { key: 'use_lu_lambdas', ok: (v) => v === false, kinds: ['dpmpp-2m'] },
  { key: 'thresholding', ok: (v) => v === false },
  { key: 'rescale_betas_zero_snr', ok: (v) => v === false },
  { key: 'algorithm_type', ok: (v) => v === 'dpmsolver++', kinds: ['dpmpp-2m'] },
  { key: 'solver_order', ok: (v) => v === 2, kinds: ['dpmpp-2m'] },
  { key: 'solver_type', ok: (v) => v === 'midpoint', kinds: ['dpmpp-2m'] },
  { key: 'lambda_min_clipped', ok: (v) => v === null || v === -Infinity || v === '-Infinity' || (typeof v === 'number' && v < -1e6), kinds: ['dpmpp-2m'] },
  { key: 'variance_type', ok: (v) => v === 'fixed_small' || v === 'fixed_large', kinds: ['ddpm'] },
];

function rejectUnsupported(kind: SchedulerKind, json: DiffusersSchedulerConfigJson): void {
  for (const u of UNSUPPORTED) {
    if (!(u.key in json) || json[u.key] === null || json[u.key] === undefined) continue;
    if (u.kinds && !u.kinds.includes(kind)) continue;
    if (!u.ok(json[u.key])) throw new Error(`unsupported scheduler option ${u.key}=${JSON.stringify(json[u.key])} for ${kind}`);
  }
}

function validate(c: SchedulerConfig): void {
  const bad = (what: string, v: unknown, allowed: string) => {
    throw new Error(`unsupported scheduler ${what} ${JSON.stringify(v)} (supported: ${allowed})`);
  };
  if (!Number.isInteger(c.numTrainTimesteps) || c.numTrainTimesteps < 2) bad('num_train_timesteps', c.numTrainTimesteps, 'an integer >= 2');
  if (c.trainedBetas === null && c.betaSchedule !== 'linear' && c.betaSchedule !== 'scaled_linear') bad('beta_schedule', c.betaSchedule, 'linear, scaled_linear');
  if (!['linspace', 'leading', 'trailing'].includes(c.timestepSpacing)) bad('timestep_spacing', c.timestepSpacing, 'linspace, leading, trailing');
  if (c.predictionType !== 'epsilon' && c.predictionType !== 'v_prediction') bad('prediction_type', c.predictionType, 'epsilon, v_prediction');
  if (c.finalSigmasType !== 'zero' && c.finalSigmasType !== 'sigma_min') bad('final_sigmas_type', c.finalSigmasType, 'zero, sigma_min');
  if (c.varianceType !== 'fixed_small' && c.varianceType !== 'fixed_large') bad('variance_type', c.varianceType, 'fixed_small, fixed_large');
  if (typeof c.skipPrkSteps !== 'boolean') bad('skip_prk_steps', c.skipPrkSteps, 'true, false');
}

const f32 = Math.fround;

/**
 * alphas_cumprod of the config, as diffusers computes it in torch float32:
 * linear: linspace(beta_start, beta_end, N); scaled_linear: linspace(sqrt(beta_start), sqrt(beta_end), N)**2;
 * alphas = 1 - betas; cumprod. Returned as float64 numbers holding float32 values.
 */
export function alphasCumprod(cfg: SchedulerConfig): Float64Array {
  const n = cfg.numTrainTimesteps;
  const betas = new Float64Array(n);
  if (cfg.trainedBetas) {
    if (cfg.trainedBetas.length !== n) throw new Error(`trained_betas has ${cfg.trainedBetas.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) betas[i] = f32(cfg.trainedBetas[i]);
  } else {
    const scaled = cfg.betaSchedule === 'scaled_linear';
    const s = f32(scaled ? Math.sqrt(cfg.betaStart) : cfg.betaStart);
    const e = f32(scaled ? Math.sqrt(cfg.betaEnd) : cfg.betaEnd);
    // torch.linspace (CPU): first half from the start, second half from the end.
    const step = (e - s) / (n - 1);
    const half = Math.floor(n / 2);
    for (let i = 0; i < n; i++) {
      const v = f32(i < half ? s + step * i : e - step * (n - 1 - i));
      betas[i] = scaled ? f32(v * v) : v;
    }
  }
  const out = new Float64Array(n);
  let acc = 1;
  for (let i = 0; i < n; i++) {
    acc = f32(acc * f32(1 - betas[i]));
    out[i] = acc;
  }
  return out;
}
