import { needsNoise, scaleModelInput, step, type Schedule } from './schedulers';

/**
 * A scheduler step as a linear combination of tensors, so it can run where the tensors are
 * (on the GPU) without reading them back. Every supported step (DDPM, DDIM, Euler, Euler
 * ancestral, DPM++ 2M, LCM; epsilon or v prediction; no sample clipping) is linear in the
 * sample, the model output, DPM++'s previous data prediction and the noise, with coefficients
 * that depend only on the schedule and the step. We read those coefficients off the reference
 * `step` by feeding it unit inputs, so the maths lives in one place (ml/schedulers/step.ts).
 */
export interface StepCoefficients {
  /** prevSample = sample·a + modelOutput·b + prevX0·c + noise·d */
  prev: { sample: number; model: number; prevX0: number; noise: number };
  /** predicted clean sample (x0) = sample·a + modelOutput·b (also DPM++'s next prevX0) */
  x0: { sample: number; model: number };
  usesPrevX0: boolean;
  usesNoise: boolean;
}

/**
 * Coefficients of step `i` when `stepCount` steps have run on this state; undefined if not linear
 * (clipping). `eta` is DDIM's share of fresh noise per step.
 */
export function stepCoefficients(schedule: Schedule, i: number, stepCount: number, hasPrevX0: boolean, eta = 0): StepCoefficients | undefined {
  if (schedule.config.clipSample) return undefined;
  const usesNoise = needsNoise(schedule, i, { eta });
  const run = (sample: number, model: number, prev: number, noise: number) => {
    const r = step(
      schedule,
      i,
      Float32Array.of(model),
      Float32Array.of(sample),
      { stepCount, prevModelOutput: hasPrevX0 ? Float32Array.of(prev) : null },
      usesNoise ? Float32Array.of(noise) : undefined,
      { eta },
    );
    return { prev: r.prevSample[0], x0: r.predOriginal[0] };
  };
  const zero = run(0, 0, 0, 0);
  if (Math.abs(zero.prev) > 0 || Math.abs(zero.x0) > 0) return undefined; // affine, not linear
  const s = run(1, 0, 0, 0);
  const m = run(0, 1, 0, 0);
  const p = hasPrevX0 ? run(0, 0, 1, 0) : { prev: 0, x0: 0 };
  const n = usesNoise ? run(0, 0, 0, 1) : { prev: 0, x0: 0 };
  return {
    prev: { sample: s.prev, model: m.prev, prevX0: p.prev, noise: n.prev },
    x0: { sample: s.x0, model: m.x0 },
    usesPrevX0: hasPrevX0 && p.prev !== 0,
    usesNoise,
  };
}

/** The factor scaleModelInput applies at step i (1 for non-Euler schedulers). */
export function inputScale(schedule: Schedule, i: number): number {
  return scaleModelInput(schedule, i, Float32Array.of(1))[0];
}
