import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeSchedule, step, SCHEDULER_KINDS, initialState, needsNoise, type SchedulerState } from './schedulers';
import { stepCoefficients } from './linearStep';
import { gaussianNoise } from '@/engine/random';

const config = JSON.parse(readFileSync('public/models/shapes-v1/scheduler/scheduler_config.json', 'utf8'));

describe('stepCoefficients', () => {
  it.each(SCHEDULER_KINDS.filter((k) => k !== 'pndm'))('%s: the linear form equals the reference step on random tensors', (kind) => {
    const s = makeSchedule(kind, config, 8);
    let sample: Float32Array = gaussianNoise(1, 64).map((x) => x * s.initNoiseSigma);
    let state: SchedulerState = initialState();
    let prevX0: Float32Array | null = null;
    for (let i = 0; i < s.numInferenceSteps; i++) {
      const model = gaussianNoise(100 + i, 64);
      const noise = needsNoise(s, i) ? gaussianNoise(200 + i, 64) : undefined;
      const ref = step(s, i, model, sample, state, noise);
      const c = stepCoefficients(s, i, state.stepCount, state.prevModelOutput !== null)!;
      expect(c).toBeDefined();
      const lin = sample.map((x, j) => x * c.prev.sample + model[j] * c.prev.model + (prevX0 ? prevX0[j] * c.prev.prevX0 : 0) + (noise ? noise[j] * c.prev.noise : 0));
      const x0 = sample.map((x, j) => x * c.x0.sample + model[j] * c.x0.model);
      for (let j = 0; j < 64; j++) {
        expect(lin[j]).toBeCloseTo(ref.prevSample[j], 3);
        expect(x0[j]).toBeCloseTo(ref.predOriginal[j], 3);
      }
      sample = ref.prevSample;
      state = ref.state;
      prevX0 = state.prevModelOutput;
      if (prevX0) for (let j = 0; j < 64; j++) expect(prevX0[j]).toBeCloseTo(x0[j], 3);
    }
  });
});
