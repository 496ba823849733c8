import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { cpuTensor, isTensorValue, type ImageValue, type TensorValue } from '@/engine/values';
import { mlServices } from '@/ml/runtime/services';
import { advance, predictNoise, stateTensors, type SolverStateValue } from '@/ml/denoise';
import { latentPreview, latentRgbFactorsOf } from '@/ml/preview';
import { isModelRef, requireModel, type ScheduleValue } from '@/ml/values';

export const samplerNode = defineNode({
  type: 'sampling.sampler',
  version: 1,
  title: 'Sampler',
  category: 'Sampling',
  description: 'The whole denoising loop in one node: UNet step then scheduler step, for every step, with a preview each step.',
  explain:
    'The compact form of the loop the teaching graph spells out with a repeat zone: at each step the ' +
    'UNet predicts the noise (with guidance) and the scheduler removes some of it. The preview is a ' +
    'cheap colour projection of the latent, not a full VAE decode.',
  maths: 'for k = 0…N−1: ε̂ = ε_u + g·(ε_c − ε_u) from the UNet at (x_k, t_k); x_{k+1} = step(x_k, ε̂, σ_k → σ_{k+1}). Preview: rgb = b + Σ_c latent_c·F_c.',
  inputs: [
    { name: 'unet', type: 'model.unet', label: 'UNet' },
    { name: 'schedule', type: 'schedule' },
    { name: 'latent', type: 'latent', description: 'The starting latent (from Noisy Start).' },
    { name: 'positive', type: 'embedding' },
    { name: 'negative', type: 'embedding', optional: true },
    { name: 'guidance', type: 'number', optional: true },
    { name: 'seed', type: 'seed', optional: true, description: 'For samplers that add noise each step.' },
    { name: 'vae', type: 'model.vae', optional: true, label: 'VAE (preview colours)' },
  ],
  outputs: [{ name: 'latent', type: 'latent' }],
  params: z.object({
    guidance: z.number().min(0).max(50).default(5).meta({ label: 'Guidance scale', key: true }),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ label: 'Noise seed', widget: 'seed' }),
    preview: z.boolean().default(true).meta({ label: 'Preview every step' }),
  }),
  usesModels: true,
  run: async ({ inputs, params, runtime, signal, progress, steps }) => {
    const ml = mlServices(runtime);
    const unet = await ml.session(requireModel(inputs, 'unet', 'unet'), signal);
    const s = inputs.schedule as ScheduleValue;
    if (s?.kind !== 'schedule') throw new NodeRunError('not_a_schedule', "input 'schedule' needs a schedule from a Scheduler node");
    const guidance = (inputs.guidance as number | undefined) ?? params.guidance;
    const seed = (inputs.seed as number | undefined) ?? params.seed;
    const rgb = latentRgbFactorsOf(isModelRef(inputs.vae) ? inputs.vae.config : undefined);
    const total = s.schedule.numInferenceSteps - s.startIndex;
    // Time travel: a continuation starts from the kept latent and solver state of step `first`.
    const from = steps?.resume;
    if (from && from.step > total) throw new NodeRunError('step_out_of_range', `the schedule has ${total} steps, so the sampler cannot continue from step ${from.step}`);
    const first = from?.step ?? 0;
    let latent = (from ? from.values.latent : inputs.latent) as TensorValue;
    let state = (from ? from.values.state : { kind: 'schedulerState', stepCount: 0, prevX0: null }) as SolverStateValue;
    if (!isTensorValue(latent) || state?.kind !== 'schedulerState') throw new NodeRunError('bad_kept_step', `the kept step ${first} has no latent and solver state to continue from`);
    // Each step's latent is read once: for the preview and for the kept copy.
    // With previews off nothing is read back during the loop (GPU tensors stay on the GPU), so no
    // steps are kept for time travel either.
    const kept = params.preview ? steps : undefined;
    const keep = async (j: number): Promise<ImageValue | undefined> => {
      if (!params.preview) return undefined;
      const data = (await latent.read()) as Float32Array;
      const preview = params.preview ? latentPreview(data, latent.dims, rgb) : undefined;
      await kept?.keep(j, { latent: cpuTensor('float32', latent.dims, data), state }, preview);
      return preview;
    };
    kept?.begin(total);
    if (!from) await keep(0);
    // Tensors this run made and still holds: the latest latent and the solver state's (PNDM's memory
    // holds earlier latents and noise predictions too). The starting latent and state are not ours.
    const held = new Set<TensorValue>();
    const foreign = new Set<TensorValue>([latent, ...stateTensors(state)]);
    const free = (t: TensorValue) => {
      if (held.delete(t)) t.dispose();
    };
    try {
      for (let k = s.startIndex + first; k < s.schedule.numInferenceSteps; k++) {
        signal.throwIfAborted();
        const eps = await predictNoise(ml, {
          unet,
          latent,
          schedule: s.schedule,
          k,
          positive: inputs.positive as TensorValue,
          negative: isTensorValue(inputs.negative) ? inputs.negative : undefined,
          guidance,
          signal,
        });
        held.add(eps);
        const r = await advance(ml, s.schedule, k, latent, eps, state, seed, s.eta);
        for (const t of [r.latent, r.denoised, ...stateTensors(r.state)]) if (!foreign.has(t)) held.add(t);
        const live = new Set([r.latent, ...stateTensors(r.state)]);
        for (const t of [eps, r.denoised, latent, ...stateTensors(state)]) if (!live.has(t)) free(t);
        latent = r.latent;
        state = r.state;
        const j = k - s.startIndex + 1;
        progress((j - first) / (total - first), await keep(j));
      }
      for (const t of [...held]) if (t !== latent) free(t);
      return { latent };
    } catch (e) {
      for (const t of [...held]) free(t);
      throw e;
    }
  },
});
