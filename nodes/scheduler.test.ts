import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NO_RUNTIME } from '@/engine/runtime';
import { cpuTensor } from '@/engine/values';
import { toyLoop } from '@/ml/schedulers/toyLoop';
import { stepCoefficients } from '@/ml/linearStep';
import { advance } from '@/ml/denoise';
import { createCpuTensorOps } from '@/ml/runtime/cpuOps';
import type { MlServices } from '@/ml/runtime/types';
import type { ScheduleValue } from '@/ml/values';
import { schedulerNode } from './scheduler';

/**
 * The Scheduler node with no pipeline connected claims Stable Diffusion 1.x's scheduler config:
 * its schedules, run through the reference harness's sampling loop, must land where diffusers'
 * do (tests/fixtures/schedulers, written by tools/reference/schedulers.py from SD 1.5's config).
 */
const FIX = fileURLToPath(new URL('../tests/fixtures/schedulers/', import.meta.url));
const FILES = [
  { file: 'ddpm.json', scheduler: 'ddpm', karras: false },
  { file: 'ddim.json', scheduler: 'ddim', karras: false },
  { file: 'euler.json', scheduler: 'euler', karras: false },
  { file: 'euler-karras.json', scheduler: 'euler', karras: true },
  { file: 'euler-ancestral.json', scheduler: 'euler-ancestral', karras: false },
  { file: 'dpmpp-2m.json', scheduler: 'dpmpp-2m', karras: false },
  { file: 'dpmpp-2m-karras.json', scheduler: 'dpmpp-2m', karras: true },
] as const;

type Run = { spacing: string | null; steps: number; eta?: number; predictionType?: string; final: number[] };

async function nodeSchedule(params: Record<string, unknown>): Promise<ScheduleValue> {
  const parsed = schedulerNode.params.parse(params);
  const ctx = { nodeId: 'scheduler', params: parsed, inputs: {}, signal: new AbortController().signal, progress: () => {}, runtime: NO_RUNTIME };
  const out = await schedulerNode.run(ctx);
  return out.schedule as ScheduleValue;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-4 * Math.max(Math.abs(expected[i]), 1e-3);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

describe('Scheduler node: its own default config against the reference harness', () => {
  for (const f of FILES) {
    const doc = JSON.parse(readFileSync(FIX + f.file, 'utf8'));
    for (const run of doc.loop.runs as Run[]) {
      if (run.predictionType) continue; // the node always predicts epsilon, as SD 1.x does
      it(`${f.file}: spacing ${run.spacing ?? 'config'}${run.eta ? `, eta ${run.eta}` : ''} lands where diffusers does`, async () => {
        const value = await nodeSchedule({ scheduler: f.scheduler, steps: run.steps, spacing: run.spacing ?? 'config', karras: f.karras, ...(run.eta ? { eta: run.eta } : {}) });
        expect(value.schedule.config.clipSample).toBe(false);
        expect(value.schedule.config.setAlphaToOne).toBe(false);
        expectClose(toyLoop(value.schedule, doc.loop.initNoise, doc.loop.stepNoise, value.eta), run.final, 'final latent');
      });
    }
  }

  it('eta reaches the step the Scheduler Step and Sampler nodes take: DDIM then adds noise', async () => {
    const plain = await nodeSchedule({ scheduler: 'ddim', steps: 10 });
    const noisy = await nodeSchedule({ scheduler: 'ddim', steps: 10, eta: 1 });
    expect(plain.eta).toBeUndefined();
    expect(noisy.eta).toBe(1);
    expect(stepCoefficients(noisy.schedule, 0, 0, false, noisy.eta)?.usesNoise).toBe(true);
    expect(stepCoefficients(plain.schedule, 0, 0, false, plain.eta)?.usesNoise).toBe(false);
    const ml = { ops: createCpuTensorOps() } as unknown as MlServices;
    const latent = cpuTensor('float32', [1, 4], new Float32Array([0.5, -0.2, 0.1, 0.9]));
    const eps = cpuTensor('float32', [1, 4], new Float32Array([0.1, 0.1, -0.3, 0.2]));
    const a = (await (await advance(ml, plain.schedule, 0, latent, eps, undefined, 7, plain.eta)).latent.read()) as Float32Array;
    const b = (await (await advance(ml, noisy.schedule, 0, latent, eps, undefined, 7, noisy.eta)).latent.read()) as Float32Array;
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('eta is said in Explain', () => {
    expect(schedulerNode.explain).toMatch(/eta sets how much fresh noise each DDIM step adds back/);
  });
});
