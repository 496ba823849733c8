import { NodeRunError } from '@/engine/errors';
import { gaussianNoise } from '@/engine/random';
import { cpuTensor, elementCount, type TensorValue } from '@/engine/values';
import { addNoise, pndmPlan, step as referenceStep, type PndmMemory, type PndmRef, type PndmTerm, type Schedule } from './schedulers';
import { inputScale, stepCoefficients } from './linearStep';
import type { MlServices, ModelSession } from './runtime/types';
import type { ScheduleValue, SchedulerStateValue } from './values';

/** The pieces of one denoising step, shared by the UNet Step, Scheduler Step and Sampler nodes. */

export function stepIndex(schedule: ScheduleValue, step: number): number {
  const k = schedule.startIndex + step;
  if (!Number.isInteger(step) || step < 0 || k >= schedule.schedule.numInferenceSteps) {
    throw new NodeRunError('step_out_of_range', `step ${step} is outside the schedule (it has ${schedule.schedule.numInferenceSteps - schedule.startIndex} steps from index ${schedule.startIndex})`);
  }
  return k;
}

/** Tracks tensors made during a step so they are disposed when it ends. */
export class Scratch {
  private made: TensorValue[] = [];
  keep<T extends TensorValue>(t: T): T {
    this.made.push(t);
    return t;
  }
  dispose(except: readonly (TensorValue | null | undefined)[] = []): void {
    for (const t of this.made) if (!except.includes(t)) t.dispose();
    this.made = [];
  }
}

function repeatBatch(ml: MlServices, t: TensorValue, times: number, scratch: Scratch): Promise<TensorValue> | TensorValue {
  if (times === 1) return t;
  return ml.ops.concatBatch(Array.from({ length: times }, () => t)).then((x) => scratch.keep(x));
}

export interface PredictArgs {
  unet: ModelSession;
  latent: TensorValue;
  schedule: Schedule;
  k: number;
  positive: TensorValue;
  negative?: TensorValue;
  guidance: number;
  signal?: AbortSignal;
}

/**
 * The UNet's noise prediction at step k with classifier-free guidance:
 * ε = ε_uncond + g · (ε_cond − ε_uncond), one UNet call on a batch of [uncond…, cond…]. With no
 * negative, or g ≤ 1 (diffusers' `do_classifier_free_guidance` is g > 1), ε = ε_cond from one call.
 */
export async function predictNoise(ml: MlServices, a: PredictArgs): Promise<TensorValue> {
  const scratch = new Scratch();
  try {
    const batch = a.latent.dims[0];
    const scale = inputScale(a.schedule, a.k);
    const x = scale === 1 ? a.latent : scratch.keep(await ml.ops.linearCombination([{ tensor: a.latent, coefficient: scale }]));
    // As diffusers: guidance only above 1. At 1 or below (SD-Turbo runs at 0) the UNet sees the prompt alone, once.
    const guided = a.negative !== undefined && a.guidance > 1;
    const fitBatch = async (e: TensorValue, name: string) => {
      if (e.dims[0] === batch) return e;
      if (e.dims[0] === 1) return repeatBatch(ml, e, batch, scratch);
      throw new NodeRunError('batch_mismatch', `the ${name} embedding has batch ${e.dims[0]} but the latent has batch ${batch}`);
    };
    const pos = await fitBatch(a.positive, 'positive');
    const sample = guided ? scratch.keep(await ml.ops.concatBatch([x, x])) : x;
    const states = guided ? scratch.keep(await ml.ops.concatBatch([await fitBatch(a.negative!, 'negative'), pos])) : pos;
    const n = guided ? 2 * batch : batch;
    const timestep = cpuTensor('float32', [n], new Float32Array(n).fill(a.schedule.timesteps[a.k]));
    const feeds: Record<string, TensorValue> = { sample, timestep, encoder_hidden_states: states };
    const outputs = await a.unet.run(feeds, { signal: a.signal });
    const outName = a.unet.outputs[0]?.name ?? 'out_sample';
    const out = outputs[outName];
    for (const [name, t] of Object.entries(outputs)) if (name !== outName) t.dispose();
    if (!guided) return out;
    scratch.keep(out);
    const uncond = scratch.keep(await ml.ops.sliceBatch(out, 0, batch));
    const cond = scratch.keep(await ml.ops.sliceBatch(out, batch, batch));
    return await ml.ops.linearCombination([
      { tensor: uncond, coefficient: 1 - a.guidance },
      { tensor: cond, coefficient: a.guidance },
    ]);
  } finally {
    scratch.dispose();
  }
}

/** Noise for step k of a run seeded by `seed`: its own stream per step and batch item. */
export function stepNoise(seed: number, k: number, dims: readonly number[]): TensorValue {
  const per = elementCount(dims.slice(1));
  const data = new Float32Array(elementCount(dims));
  for (let b = 0; b < dims[0]; b++) data.set(gaussianNoise(mixSeed(seed + b, k + 1), per), b * per);
  return cpuTensor('float32', dims, data);
}

/** Derives a stream seed from a seed and a step; stays an exact integer. */
export function mixSeed(seed: number, k: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(k, 0x85ebca77) ^ Math.floor(seed / 0x100000000)) >>> 0;
}

/**
 * The solver state as it travels between nodes: SchedulerStateValue plus, for PNDM, its memory
 * (diffusers' ets, cur_sample, cur_model_output) as tensors. The engine walks values for tensors, so
 * kept steps (time travel) and repeat zones carry and free these like prevX0.
 */
export type SolverStateValue = SchedulerStateValue & { readonly pndm?: PndmMemory<TensorValue> | null };

/** Every tensor a solver state holds (prevX0, PNDM's memory). */
export function stateTensors(state: SolverStateValue | undefined): TensorValue[] {
  if (!state) return [];
  const out: TensorValue[] = [];
  if (state.prevX0) out.push(state.prevX0);
  const m = state.pndm;
  if (m) for (const t of [...m.ets, m.curSample, m.curModelOutput]) if (t) out.push(t);
  return out;
}

export interface AdvanceResult {
  latent: TensorValue;
  state: SolverStateValue;
  /** The model's estimate of the clean latent at this step. */
  denoised: TensorValue;
}

/**
 * One scheduler step: the latent at step k → the latent at step k+1, plus the solver state.
 * `eta` is DDIM's share of fresh noise per step (0: deterministic; ignored by other schedulers).
 */
export async function advance(
  ml: MlServices,
  schedule: Schedule,
  k: number,
  latent: TensorValue,
  noisePrediction: TensorValue,
  state: SolverStateValue | undefined,
  seed: number,
  eta = 0,
): Promise<AdvanceResult> {
  const stepCount = state?.stepCount ?? 0;
  const prevX0 = state?.prevX0 ?? null;
  if (noisePrediction.dims.join() !== latent.dims.join()) {
    throw new NodeRunError('shape_mismatch', `the noise prediction [${noisePrediction.dims}] and the latent [${latent.dims}] differ in shape`);
  }
  if (schedule.kind === 'pndm') return advancePndm(ml, schedule, k, latent, noisePrediction, stepCount, state?.pndm ?? null);
  const c = stepCoefficients(schedule, k, stepCount, prevX0 !== null, eta);
  const scratch = new Scratch();
  try {
    if (!c) return await advanceOnCpu(schedule, k, latent, noisePrediction, stepCount, prevX0, seed, eta);
    const terms = [
      { tensor: latent, coefficient: c.prev.sample },
      { tensor: noisePrediction, coefficient: c.prev.model },
    ];
    if (c.usesPrevX0 && prevX0) terms.push({ tensor: prevX0, coefficient: c.prev.prevX0 });
    if (c.usesNoise) terms.push({ tensor: scratch.keep(await ml.ops.upload(stepNoise(seed, k, latent.dims))), coefficient: c.prev.noise });
    const next = await ml.ops.linearCombination(terms);
    const denoised = await ml.ops.linearCombination([
      { tensor: latent, coefficient: c.x0.sample },
      { tensor: noisePrediction, coefficient: c.x0.model },
    ]);
    const keepsX0 = schedule.solverOrder > 1;
    return { latent: next, denoised, state: { kind: 'schedulerState', stepCount: stepCount + 1, prevX0: keepsX0 ? denoised : null } };
  } finally {
    scratch.dispose();
  }
}

async function advanceOnCpu(schedule: Schedule, k: number, latent: TensorValue, eps: TensorValue, stepCount: number, prevX0: TensorValue | null, seed: number, eta: number): Promise<AdvanceResult> {
  const x = (await latent.read()) as Float32Array;
  const e = (await eps.read()) as Float32Array;
  const p = prevX0 ? ((await prevX0.read()) as Float32Array) : null;
  const noise = (await stepNoise(seed, k, latent.dims).read()) as Float32Array;
  const r = referenceStep(schedule, k, e, x, { stepCount, prevModelOutput: p }, noise, { eta });
  const denoised = cpuTensor('float32', latent.dims, r.predOriginal);
  return {
    latent: cpuTensor('float32', latent.dims, r.prevSample),
    denoised,
    state: { kind: 'schedulerState', stepCount: stepCount + 1, prevX0: r.state.prevModelOutput ? denoised : null },
  };
}

/**
 * PNDM's step where the tensors are: each part of pndmPlan is one linear combination. The new memory
 * holds the step's own latent and noise prediction (no copies: tensors are not changed in place), so
 * whoever frees tensors after a step keeps those the returned state still holds (see stateTensors).
 */
async function advancePndm(
  ml: MlServices,
  schedule: Schedule,
  k: number,
  latent: TensorValue,
  eps: TensorValue,
  stepCount: number,
  memory: PndmMemory<TensorValue> | null,
): Promise<AdvanceResult> {
  const mem = memory ?? { ets: [], curSample: null, curModelOutput: null };
  for (const t of [...mem.ets, mem.curSample, mem.curModelOutput]) {
    if (t && t.dims.join() !== latent.dims.join()) throw new NodeRunError('shape_mismatch', `the solver state holds a [${t.dims}] tensor but the latent is [${latent.dims}]`);
  }
  let plan;
  try {
    plan = pndmPlan(schedule, k, stepCount, { ets: mem.ets.length, curSample: mem.curSample !== null, curModelOutput: mem.curModelOutput !== null });
  } catch (e) {
    throw new NodeRunError('bad_solver_state', (e as Error).message);
  }
  const pick = (r: PndmRef): TensorValue =>
    r === 'sample' ? latent : r === 'model' ? eps : r === 'curSample' ? mem.curSample! : r === 'curModelOutput' ? mem.curModelOutput! : mem.ets[r];
  const combine = (terms: PndmTerm[]) => ml.ops.linearCombination(terms.map((t) => ({ tensor: pick(t.ref), coefficient: t.coefficient })));
  const next = await combine(plan.prev);
  const denoised = await combine(plan.x0);
  const pndm: PndmMemory<TensorValue> = {
    ets: plan.next.ets.map(pick),
    curSample: plan.next.curSample === null ? null : pick(plan.next.curSample),
    curModelOutput: plan.next.curModelOutput ? await combine(plan.next.curModelOutput) : null,
  };
  return { latent: next, denoised, state: { kind: 'schedulerState', stepCount: stepCount + 1, prevX0: null, pndm } };
}

/** The starting latent: noise·σ_init for text to image, or the image latent noised to the start step. */
export async function startLatent(ml: MlServices, s: ScheduleValue, noise: TensorValue, imageLatent?: TensorValue): Promise<TensorValue> {
  if (!imageLatent) return ml.ops.linearCombination([{ tensor: noise, coefficient: s.schedule.initNoiseSigma }]);
  if (imageLatent.dims.join() !== noise.dims.join()) {
    throw new NodeRunError('shape_mismatch', `the image latent [${imageLatent.dims}] and the noise [${noise.dims}] differ in shape`);
  }
  const a = addNoise(s.schedule, Float32Array.of(1), Float32Array.of(0), s.startIndex)[0];
  const b = addNoise(s.schedule, Float32Array.of(0), Float32Array.of(1), s.startIndex)[0];
  return ml.ops.linearCombination([
    { tensor: imageLatent, coefficient: a },
    { tensor: noise, coefficient: b },
  ]);
}
