import { initialState, needsNoise, scaleModelInput, step, type Schedule, type SchedulerState } from './index';

/**
 * The sampling loop of tools/reference/schedulers.py, the reference harness for the scheduler
 * fixtures: a toy model (ε = 0.1·x + 0.05·cos(t/100) on the scaled input) and the fixture's noise
 * for each step that needs some. Tests run a schedule through it and compare with the fixture.
 */
export function toyLoop(s: Schedule, init: readonly number[], stepNoise: readonly (readonly number[])[], eta?: number): Float32Array {
  return toyLoopFrom(s, Float32Array.from(init, (v) => Math.fround(v * s.initNoiseSigma)), 0, stepNoise, eta);
}

/** The same loop from step `startIndex` on a given latent (img2img: the noised image), with a fresh state. */
export function toyLoopFrom(s: Schedule, start: Float32Array, startIndex: number, stepNoise: readonly (readonly number[])[], eta?: number): Float32Array {
  let x = start;
  let state: SchedulerState = initialState();
  for (let i = startIndex; i < s.numInferenceSteps; i++) {
    const t = s.timesteps[i];
    const inp = scaleModelInput(s, i, x);
    const eps = Float32Array.from(inp, (v) => 0.1 * v + 0.05 * Math.cos(t / 100));
    const noise = needsNoise(s, i, { eta }) ? Float32Array.from(stepNoise[i]) : undefined;
    const r = step(s, i, eps, x, state, noise, { eta });
    x = r.prevSample;
    state = r.state;
  }
  return x;
}
