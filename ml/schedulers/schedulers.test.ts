import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  addNoise,
  alphasCumprod,
  initialState,
  makeSchedule,
  needsNoise,
  pndmPlan,
  resolveConfig,
  roundHalfEven,
  scaleModelInput,
  stateFromJSON,
  stateToJSON,
  step,
  strengthStart,
  type Schedule,
  type SchedulerKind,
  type SchedulerState,
} from './index';
import { toyLoop, toyLoopFrom } from './toyLoop';

// Fixtures: tests/fixtures/schedulers/*.json, made by tools/reference/schedulers.py (numpy port of diffusers).
const FIX = fileURLToPath(new URL('../../tests/fixtures/schedulers/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(FIX + name, 'utf8'));

/** Stable Diffusion 1.x scheduler_config.json (snake_case, as in a pipeline folder). */
const SD15 = {
  _class_name: 'PNDMScheduler',
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  steps_offset: 1,
  set_alpha_to_one: false,
  clip_sample: false,
  skip_prk_steps: true,
  trained_betas: null,
};

const FIXTURES: Array<{ file: string; kind: SchedulerKind; karras: boolean; extra?: Record<string, unknown> }> = [
  { file: 'ddpm.json', kind: 'ddpm', karras: false },
  { file: 'ddim.json', kind: 'ddim', karras: false },
  { file: 'euler.json', kind: 'euler', karras: false },
  { file: 'euler-karras.json', kind: 'euler', karras: true },
  { file: 'euler-ancestral.json', kind: 'euler-ancestral', karras: false },
  { file: 'dpmpp-2m.json', kind: 'dpmpp-2m', karras: false },
  { file: 'dpmpp-2m-karras.json', kind: 'dpmpp-2m', karras: true },
  { file: 'lcm.json', kind: 'lcm', karras: false },
  { file: 'pndm.json', kind: 'pndm', karras: false },
  { file: 'pndm-prk.json', kind: 'pndm', karras: false, extra: { skip_prk_steps: false } },
];

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-4, what = '') {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const tol = rel * Math.max(Math.abs(e), 1e-3);
    if (!(Math.abs(a - e) <= tol)) throw new Error(`${what}[${i}]: got ${a}, expected ${e} (rel tol ${rel})`);
  }
}

function make(kind: SchedulerKind, karras: boolean, spacing: string | null, steps: number, predictionType = 'epsilon', extra: Record<string, unknown> = {}): Schedule {
  const json: Record<string, unknown> = { ...SD15, use_karras_sigmas: karras, prediction_type: predictionType, ...extra };
  if (spacing) json.timestep_spacing = spacing;
  return makeSchedule(kind, json, steps);
}


describe('alphas_cumprod', () => {
  it('matches torch float32 (diffusers __init__) for SD 1.x', () => {
    const ref = load('alphas_cumprod_sd15.json');
    const ac = alphasCumprod(resolveConfig('ddim', SD15));
    expectClose(ac, ref.alphasCumprod, 1e-5, 'alphas_cumprod');
  });
});

describe('numpy helpers', () => {
  it('rounds half to even like np.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 498.5, 499.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 498, 500, 2, 3]);
  });
});

for (const fx of FIXTURES) {
  const doc = load(fx.file);
  describe(`${fx.file.replace('.json', '')} matches diffusers reference`, () => {
    for (const ref of doc.schedules) {
      it(`timesteps and sigmas: spacing ${ref.spacing ?? '-'}, ${ref.steps} steps`, () => {
        const s = make(fx.kind, fx.karras, ref.spacing, ref.steps, 'epsilon', fx.extra);
        expect(s.numInferenceSteps).toBe(ref.timesteps.length);
        const integer = fx.kind !== 'euler' && fx.kind !== 'euler-ancestral';
        if (integer) expect(s.timesteps).toEqual(ref.timesteps);
        else expectClose(s.timesteps, ref.timesteps, 1e-4, 'timesteps');
        if (ref.sigmas) expectClose(s.sigmas!, ref.sigmas, 1e-4, 'sigmas');
        else expect(s.sigmas).toBeNull();
        expectClose([s.initNoiseSigma], [ref.initNoiseSigma], 1e-4, 'initNoiseSigma');
        // Plain JSON: survives a round trip unchanged.
        expect(JSON.parse(JSON.stringify(s))).toEqual(s);
      });
    }
    for (const run of doc.loop.runs) {
      it(`10-step sampling loop (toy model): spacing ${run.spacing ?? '-'} ${run.predictionType ?? ''} ${run.eta ? 'eta ' + run.eta : ''}`, () => {
        const s = make(fx.kind, fx.karras, run.spacing, run.steps, run.predictionType, fx.extra);
        const final = toyLoop(s, doc.loop.initNoise, doc.loop.stepNoise, run.eta);
        expectClose(final, run.final, 1e-4, 'final sample');
      });
      if (run.addNoise) {
        it(`img2img add_noise at strength ${run.addNoise.strength}: spacing ${run.spacing ?? '-'}`, () => {
          const s = make(fx.kind, fx.karras, run.spacing, run.steps, 'epsilon', fx.extra);
          const { startIndex } = strengthStart(s, run.addNoise.strength);
          expect(startIndex).toBe(run.addNoise.tStart);
          const noisy = addNoise(s, Float32Array.from(doc.loop.imageLatent), Float32Array.from(doc.loop.imageNoise), startIndex);
          expectClose(noisy, run.addNoise.noisy, 1e-4, 'noisy latent');
        });
      }
      if (run.img2img) {
        it(`img2img loop from step ${run.img2img.tStart} with a fresh state: spacing ${run.spacing ?? '-'}`, () => {
          const s = make(fx.kind, fx.karras, run.spacing, run.steps, 'epsilon', fx.extra);
          const { startIndex } = strengthStart(s, run.img2img.strength);
          expect(startIndex).toBe(run.img2img.tStart);
          const noisy = addNoise(s, Float32Array.from(doc.loop.imageLatent), Float32Array.from(doc.loop.imageNoise), startIndex);
          expectClose(toyLoopFrom(s, noisy, startIndex, doc.loop.stepNoise), run.img2img.final, 1e-4, 'final sample');
        });
      }
    }
  });
}

describe('known constants and documented behaviour', () => {
  it('SD 1.x Euler init_noise_sigma is sigma_max ~= 14.6146 (linspace), sqrt(sigma_max^2 + 1) for leading', () => {
    expect(makeSchedule('euler', SD15, 50).initNoiseSigma).toBeCloseTo(14.6146, 3);
    const lead = makeSchedule('euler', { ...SD15, timestep_spacing: 'leading' }, 50);
    expect(lead.timesteps[0]).toBe(981);
    expect(lead.initNoiseSigma).toBeCloseTo(Math.sqrt(lead.sigmas![0] ** 2 + 1), 5);
  });
  it('LCM 4 steps gives the published [999, 759, 499, 259]', () => {
    expect(makeSchedule('lcm', SD15, 4).timesteps).toEqual([999, 759, 499, 259]);
  });
  it('DDIM leading 50 steps with steps_offset 1: 981 ... 1 (SD pipelines)', () => {
    const ts = makeSchedule('ddim', SD15, 50).timesteps;
    expect(ts[0]).toBe(981);
    expect(ts[49]).toBe(1);
  });
  it('trailing spacing starts at 999 (Lin et al. 2023, table 2)', () => {
    for (const k of ['ddim', 'euler', 'dpmpp-2m'] as const) {
      expect(makeSchedule(k, { ...SD15, timestep_spacing: 'trailing' }, 3).timesteps[0]).toBe(999);
    }
  });
  it('sigma-based schedules end with sigma 0 and have steps + 1 sigmas', () => {
    for (const k of ['euler', 'euler-ancestral', 'dpmpp-2m'] as const) {
      const s = makeSchedule(k, SD15, 7);
      expect(s.sigmas!.length).toBe(8);
      expect(s.sigmas![7]).toBe(0);
    }
  });
});

describe('PNDM (PLMS, and PRK warm-up): steps and model calls', () => {
  it('SD 1.5 at 50 steps: 51 model calls, 981, 961, 961, 941 ... 1 (the second timestep twice)', () => {
    const s = makeSchedule('pndm', SD15, 50);
    expect(s.numInferenceSteps).toBe(51);
    expect(s.timesteps.length).toBe(51);
    expect(s.pndm).toEqual({ steps: 50, stepRatio: 20, prkCalls: 0 });
    expect(s.timesteps.slice(0, 4)).toEqual([981, 961, 961, 941]);
    expect(s.timesteps[50]).toBe(1);
    expect(s.initNoiseSigma).toBe(1);
    expect(s.sigmas).toBeNull();
    for (let i = 0; i < 51; i++) expect(needsNoise(s, i)).toBe(false);
  });
  it('model calls: PLMS steps + 1 (1 for 1 step); with PRK steps + 9; PRK needs 4 steps', () => {
    expect(makeSchedule('pndm', SD15, 1).timesteps).toEqual([1]);
    expect(makeSchedule('pndm', SD15, 2).numInferenceSteps).toBe(3);
    expect(makeSchedule('pndm', SD15, 20).numInferenceSteps).toBe(21);
    const prk = makeSchedule('pndm', { ...SD15, skip_prk_steps: false }, 20);
    expect(prk.numInferenceSteps).toBe(29);
    expect(prk.pndm!.prkCalls).toBe(12);
    expect(() => makeSchedule('pndm', { ...SD15, skip_prk_steps: false }, 3)).toThrow(/at least 4 steps/);
  });
  it("skip_prk_steps defaults to false, as in diffusers' PNDMScheduler; other kinds ignore it", () => {
    const { skip_prk_steps: _, ...noKey } = SD15;
    expect(makeSchedule('pndm', noKey, 10).numInferenceSteps).toBe(19);
    expect(makeSchedule('ddim', { ...SD15, skip_prk_steps: false }, 10).numInferenceSteps).toBe(10);
    expect(() => makeSchedule('pndm', { ...SD15, skip_prk_steps: 'yes' }, 10)).toThrow(/skip_prk_steps/);
  });
  it('img2img: the start comes from the steps asked for, all calls from there run', () => {
    const s = makeSchedule('pndm', SD15, 10);
    expect(strengthStart(s, 0.6)).toEqual({ startIndex: 4, timesteps: s.timesteps.slice(4), numSteps: 7 });
    expect(strengthStart(s, 1).numSteps).toBe(11);
  });
  it('the first step is taken again from the same sample with the mean of both predictions', () => {
    const s = makeSchedule('pndm', SD15, 10);
    expect(pndmPlan(s, 0, 0, { ets: 0, curSample: false, curModelOutput: false })).toMatchObject({ timestep: 901, prevTimestep: 801 });
    const p1 = pndmPlan(s, 1, 1, { ets: 1, curSample: true, curModelOutput: false });
    expect(p1).toMatchObject({ timestep: 901, prevTimestep: 801, next: { ets: [0], curSample: null } });
    expect(p1.prev.map((t) => t.ref)).toEqual(['curSample', 'model', 0]);
    expect(p1.prev[1].coefficient).toBeCloseTo(p1.prev[2].coefficient, 12);
    // 4th order once 3 outputs are kept: 55, -59, 37, -9 over 24, newest first.
    const p5 = pndmPlan(s, 5, 5, { ets: 3, curSample: false, curModelOutput: false });
    const w = p5.prev.slice(1).map((t) => t.coefficient / p5.prev[1].coefficient);
    [1, -59 / 55, 37 / 55, -9 / 55].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 12));
    expect(p5.prev.slice(1).map((t) => t.ref)).toEqual(['model', 2, 1, 0]);
    expect(p5.next.ets).toEqual([1, 2, 'model']);
  });
  it('the state is explicit: a JSON round trip mid-run gives the same result; a missing memory is refused', () => {
    for (const extra of [{}, { skip_prk_steps: false }]) {
      const s = makeSchedule('pndm', { ...SD15, ...extra }, 6);
      let x: Float32Array = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i + 1));
      let st: SchedulerState = initialState();
      for (let i = 0; i < s.numInferenceSteps; i++) {
        const e = Float32Array.from(x, (v, j) => 0.1 * v + Math.cos(i + j));
        const a = step(s, i, e, x, st);
        const b = step(s, i, e, x, stateFromJSON(JSON.parse(JSON.stringify(stateToJSON(st)))));
        expect(Array.from(a.prevSample)).toEqual(Array.from(b.prevSample));
        if (i >= 1) expect(() => step(s, i, e, x, { stepCount: i, prevModelOutput: null })).toThrow(/PNDM step .* the state lacks/);
        x = a.prevSample;
        st = a.state;
      }
    }
  });
  it('v_prediction and does not mutate its inputs', () => {
    const s = makeSchedule('pndm', { ...SD15, prediction_type: 'v_prediction' }, 4);
    const x = Float32Array.from([1, 2, 3]);
    const e = Float32Array.from([0.5, 0.5, 0.5]);
    const r = step(s, 0, e, x, initialState());
    const a = s.alphaProd![0];
    expect(r.predOriginal[0]).toBeCloseTo(Math.sqrt(a) * 1 - Math.sqrt(1 - a) * 0.5, 5);
    step(s, 1, e, r.prevSample, r.state);
    expect(Array.from(x)).toEqual([1, 2, 3]);
    expect(Array.from(e)).toEqual([0.5, 0.5, 0.5]);
  });
});

const SHIPPED_SCHEDULER = fileURLToPath(new URL('../../public/models/shapes-v1/scheduler/scheduler_config.json', import.meta.url));
describe.runIf(existsSync(SHIPPED_SCHEDULER))('shipped shapes-v1 scheduler_config.json', () => {
  it('is read for every scheduler kind (spacing, offset, betas from the file)', () => {
    const json = JSON.parse(readFileSync(SHIPPED_SCHEDULER, 'utf8'));
    for (const kind of ['ddpm', 'ddim', 'euler', 'euler-ancestral', 'dpmpp-2m', 'lcm', 'pndm'] as const) {
      const s = makeSchedule(kind, json, 4);
      expect(s.timesteps.length).toBe(kind === 'pndm' ? 5 : 4); // skip_prk_steps true: PLMS, steps + 1 calls
      expect(s.config.numTrainTimesteps).toBe(json.num_train_timesteps);
      if (json.timestep_spacing) expect(s.config.timestepSpacing).toBe(json.timestep_spacing);
    }
  });
});

describe('API behaviour', () => {
  it('img2img strength keeps the last int(steps * strength) timesteps (diffusers get_timesteps)', () => {
    const s = makeSchedule('ddim', SD15, 20);
    const r = strengthStart(s, 0.3);
    expect(r.numSteps).toBe(6);
    expect(r.startIndex).toBe(14);
    expect(r.timesteps).toEqual(s.timesteps.slice(14));
    expect(strengthStart(s, 1).startIndex).toBe(0);
    expect(strengthStart(s, 0).numSteps).toBe(0);
  });
  it('steps that need noise refuse to run without it; deterministic ones do not need it', () => {
    const x = new Float32Array(4).fill(1);
    const ea = makeSchedule('euler-ancestral', SD15, 5);
    expect(needsNoise(ea, 0)).toBe(true);
    expect(() => step(ea, 0, x, x, initialState())).toThrow(/noise/);
    const eu = makeSchedule('euler', SD15, 5);
    expect(needsNoise(eu, 0)).toBe(false);
    expect(() => step(eu, 0, x, x, initialState())).not.toThrow();
    const lcm = makeSchedule('lcm', SD15, 4);
    expect(needsNoise(lcm, 3)).toBe(false);
    expect(needsNoise(lcm, 0)).toBe(true);
  });
  it('DPM++ 2M state is explicit: same inputs + same state give the same output; JSON round trip', () => {
    const s = makeSchedule('dpmpp-2m', SD15, 8);
    const x = Float32Array.from({ length: 8 }, (_, i) => Math.sin(i));
    const e = Float32Array.from({ length: 8 }, (_, i) => Math.cos(i));
    const r0 = step(s, 0, e, x, initialState());
    // (A constant eps makes x0 constant, where 1st and 2nd order agree; use a different output.)
    const e2 = Float32Array.from({ length: 8 }, (_, i) => Math.cos(2 * i));
    const a = step(s, 1, e2, r0.prevSample, r0.state);
    const b = step(s, 1, e2, r0.prevSample, stateFromJSON(JSON.parse(JSON.stringify(stateToJSON(r0.state)))));
    expect(Array.from(a.prevSample)).toEqual(Array.from(b.prevSample));
    // A fresh state at step 1 means first order (different result), like diffusers after set_begin_index.
    const c = step(s, 1, e2, r0.prevSample, initialState());
    expect(Array.from(c.prevSample)).not.toEqual(Array.from(a.prevSample));
  });
  it('does not mutate its inputs', () => {
    const s = makeSchedule('euler', SD15, 4);
    const x = Float32Array.from([1, 2, 3]);
    const e = Float32Array.from([0.5, 0.5, 0.5]);
    step(s, 0, e, x, initialState());
    scaleModelInput(s, 0, x);
    expect(Array.from(x)).toEqual([1, 2, 3]);
    expect(Array.from(e)).toEqual([0.5, 0.5, 0.5]);
  });
  it('v_prediction: Euler x0 = -sigma/sqrt(s^2+1) v + x/(s^2+1); DDIM x0 = sqrt(a) x - sqrt(1-a) v', () => {
    const cfg = { ...SD15, prediction_type: 'v_prediction' };
    const eu = makeSchedule('euler', cfg, 4);
    const sg = eu.sigmas![0];
    const r = step(eu, 0, Float32Array.from([0.3]), Float32Array.from([2]), initialState());
    expect(r.predOriginal[0]).toBeCloseTo((-sg / Math.sqrt(sg * sg + 1)) * 0.3 + 2 / (sg * sg + 1), 5);
    const dd = makeSchedule('ddim', cfg, 4);
    const a = dd.alphaProd![0];
    const r2 = step(dd, 0, Float32Array.from([0.3]), Float32Array.from([2]), initialState());
    expect(r2.predOriginal[0]).toBeCloseTo(Math.sqrt(a) * 2 - Math.sqrt(1 - a) * 0.3, 5);
  });
  it('rejects unsupported configs clearly', () => {
    expect(() => makeSchedule('euler', { ...SD15, beta_schedule: 'squaredcos_cap_v2' }, 4)).toThrow(/beta_schedule/);
    expect(() => makeSchedule('euler', { ...SD15, timestep_spacing: 'karras' }, 4)).toThrow(/timestep_spacing/);
    expect(() => makeSchedule('ddim', SD15, 0)).toThrow(/steps/);
    expect(() => makeSchedule('lcm', SD15, 60)).toThrow(/LCM/);
    expect(() => makeSchedule('euler', { ...SD15, interpolation_type: 'log_linear' }, 4)).toThrow(/interpolation_type/);
    expect(() => makeSchedule('dpmpp-2m', { ...SD15, algorithm_type: 'sde-dpmsolver++' }, 4)).toThrow(/algorithm_type/);
    expect(() => makeSchedule('ddpm', { ...SD15, thresholding: true }, 4)).toThrow(/thresholding/);
    // Another class's keys do not matter: a DPM config used for Euler, a DDPM variance_type for DDIM.
    expect(() => makeSchedule('euler', { ...SD15, algorithm_type: 'sde-dpmsolver++', variance_type: 'learned_range' }, 4)).not.toThrow();
    const s = makeSchedule('ddim', SD15, 4);
    expect(() => step(s, 4, new Float32Array(1), new Float32Array(1))).toThrow(/range/);
  });
});
