import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NO_RUNTIME } from '@/engine/runtime';
import { cpuTensor, type TensorValue } from '@/engine/values';
import { toyLoop } from '@/ml/schedulers/toyLoop';
import { stepCoefficients } from '@/ml/linearStep';
import { advance } from '@/ml/denoise';
import { createCpuTensorOps } from '@/ml/runtime/cpuOps';
import type { MlServices, ModelSession, TensorOps } from '@/ml/runtime/types';
import type { ScheduleValue } from '@/ml/values';
import { schedulerNode } from './scheduler';
import { samplerNode } from './sampler';
import { schedulerStepNode } from './schedulerStep';
import { unetStepNode } from './unetStep';

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
  { file: 'pndm.json', scheduler: 'pndm', karras: false },
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

/**
 * The Sampler node and the explicit loop (UNet Step + Scheduler Step, as many times as the Scheduler
 * node's `steps` output says) on the CPU tensor ops with the reference harness's toy model as the UNet:
 * they must call it once per timestep and land where diffusers does. Tensors are tracked, so a read
 * after dispose, a double dispose or a leak fails the test.
 */
describe('PNDM through the Sampler node and the explicit loop (toy UNet, CPU ops)', () => {
  const doc = JSON.parse(readFileSync(FIX + 'pndm.json', 'utf8'));

  function tracked() {
    const base = createCpuTensorOps();
    const live = new Set<TensorValue>();
    const track = (t: TensorValue): TensorValue => {
      const w: TensorValue = {
        ...t,
        read: async () => {
          if (!live.has(w)) throw new Error('read after dispose');
          return t.read();
        },
        dispose: () => {
          if (!live.delete(w)) throw new Error('disposed twice');
        },
      };
      live.add(w);
      return w;
    };
    const ops: TensorOps = {
      ...base,
      linearCombination: async (terms) => track(await base.linearCombination(terms)),
      upload: async (t) => track(await base.upload(t)),
    };
    const calls: number[] = [];
    const unet = {
      key: 'toy',
      inputs: [],
      outputs: [{ name: 'out_sample' }],
      run: async (feeds: Record<string, TensorValue>) => {
        const t = ((await feeds.timestep.read()) as Float32Array)[0];
        calls.push(t);
        const x = (await feeds.sample.read()) as Float32Array;
        return { out_sample: track(cpuTensor('float32', feeds.sample.dims, Float32Array.from(x, (v) => 0.1 * v + 0.05 * Math.cos(t / 100)))) };
      },
    } as unknown as ModelSession;
    const ml = { backend: 'cpu', ops, session: async () => unet } as unknown as MlServices;
    return { ml, live, track, calls, runtime: { backend: 'cpu', services: { ml } } };
  }
  const unetRef = { kind: 'model', role: 'unet', source: 'test:', path: 'unet/model.onnx', name: 'toy' };
  const ctx = (runtime: unknown, params: unknown, inputs: Record<string, unknown>) => ({
    nodeId: 'n',
    params,
    inputs,
    signal: new AbortController().signal,
    progress: () => {},
    runtime,
  });

  for (const spacing of ['leading', 'linspace', 'trailing'] as const) {
    const ref = (doc.loop.runs as Run[]).find((r) => r.spacing === spacing && !r.predictionType)!;
    it(`10 steps, spacing ${spacing}: the Sampler makes 11 UNet calls (the schedule's timesteps) and lands where diffusers does`, async () => {
      const made = await schedulerNode.run(ctx(NO_RUNTIME, schedulerNode.params.parse({ scheduler: 'pndm', steps: 10, spacing }), {}) as never);
      const value = made.schedule as ScheduleValue;
      expect(made.steps).toBe(11);
      const { live, track, calls, runtime } = tracked();
      const latent = track(cpuTensor('float32', [1, 16], Float32Array.from(doc.loop.initNoise)));
      const positive = track(cpuTensor('float32', [1, 1, 4], new Float32Array(4)));
      const out = await samplerNode.run(ctx(runtime, samplerNode.params.parse({ preview: false }), { unet: unetRef, schedule: value, latent, positive }) as never);
      expect(calls).toEqual(value.schedule.timesteps);
      expect(calls.length).toBe(11);
      const final = out.latent as TensorValue;
      expectClose((await final.read()) as Float32Array, ref.final, 'final latent');
      // Everything else the run made was freed once; the inputs were left alone.
      expect(live.size).toBe(3);
      for (const t of [latent, positive, final]) expect(live.has(t)).toBe(true);
    });
  }

  it('the explicit loop: steps output iterations of UNet Step + Scheduler Step, passing the state on', async () => {
    const ref = (doc.loop.runs as Run[]).find((r) => r.spacing === 'leading' && !r.predictionType)!;
    const params = schedulerNode.params.parse({ scheduler: 'pndm', steps: 10 });
    const made = await schedulerNode.run(ctx(NO_RUNTIME, params, {}) as never);
    const { track, calls, runtime } = tracked();
    let latent = track(cpuTensor('float32', [1, 16], Float32Array.from(doc.loop.initNoise)));
    const positive = track(cpuTensor('float32', [1, 1, 4], new Float32Array(4)));
    let state = made.state;
    for (let i = 0; i < (made.steps as number); i++) {
      const u = await unetStepNode.run(ctx(runtime, unetStepNode.params.parse({}), { unet: unetRef, latent, schedule: made.schedule, step: i, positive }) as never);
      const r = await schedulerStepNode.run(ctx(runtime, schedulerStepNode.params.parse({}), { schedule: made.schedule, step: i, latent, noisePrediction: u.noisePrediction, state }) as never);
      latent = r.latent as TensorValue;
      state = r.state as typeof state;
    }
    expect(calls.length).toBe(11);
    expectClose((await latent.read()) as Float32Array, ref.final, 'final latent');
  });
});
