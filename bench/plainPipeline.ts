/**
 * The baseline for bench:pipeline: text to image written as a plain script straight on ONNX
 * Runtime (no graph, no executor), with the same models, steps, guidance and seed as Weft's
 * example. Shared by the Node bench and the in-browser bench worker.
 */
import type * as Ort from 'onnxruntime-common';
import { gaussianNoise } from '../engine/random';
import type { ImageValue } from '../engine/values';
import { loadTokenizer } from '../ml/tokenizer';
import { makeSchedule, step as schedulerStep } from '../ml/schedulers';
import { tensorToImages } from '../ml/image';

export interface PlainSettings {
  steps: number;
  guidance: number;
  seed: number;
  prompt: string;
}

type OrtLike = { InferenceSession: typeof Ort.InferenceSession; Tensor: typeof Ort.Tensor };

export async function plainPipeline(ort: OrtLike, read: (path: string) => Promise<Uint8Array>, s: PlainSettings, sessionOptions: Ort.InferenceSession.SessionOptions) {
  const text = async (p: string) => new TextDecoder().decode(await read(p));
  const te = await ort.InferenceSession.create(await read('text_encoder/model.onnx'), sessionOptions);
  const unet = await ort.InferenceSession.create(await read('unet/model.ort'), sessionOptions);
  const vae = await ort.InferenceSession.create(await read('vae_decoder/model.ort'), sessionOptions);
  const tok = loadTokenizer({ tokenizerJson: JSON.parse(await text('tokenizer/tokenizer.json')), tokenizerConfig: JSON.parse(await text('tokenizer/tokenizer_config.json')) });
  const schedulerConfig = JSON.parse(await text('scheduler/scheduler_config.json'));
  const vaeConfig = JSON.parse(await text('vae_decoder/config.json'));
  const factor = vaeConfig.weft_downsampling_factor ?? 8;
  const scaling = vaeConfig.scaling_factor;

  return async function run(): Promise<ImageValue> {
    const embed = async (prompt: string) => {
      const ids = tok.encode(prompt, { maxLength: tok.modelMaxLength, padding: 'max_length' }).ids;
      const out = await te.run({ input_ids: new ort.Tensor('int32', ids, [1, ids.length]) });
      return out.last_hidden_state;
    };
    const cond = await embed(s.prompt);
    const uncond = await embed('');
    const [, S, D] = cond.dims;
    const states = new Float32Array(2 * S * D);
    states.set(uncond.data as Float32Array, 0);
    states.set(cond.data as Float32Array, S * D);
    const schedule = makeSchedule('euler', schedulerConfig, s.steps);
    const h = 64 / factor;
    const n = 4 * h * h;
    let x: Float32Array = gaussianNoise(s.seed, n).map((v) => v * schedule.initNoiseSigma);
    for (let k = 0; k < s.steps; k++) {
      const sigma = schedule.sigmas![k];
      const scale = 1 / Math.sqrt(sigma * sigma + 1);
      const sample = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) sample[i] = sample[n + i] = x[i] * scale;
      const t = schedule.timesteps[k];
      const out = await unet.run({
        sample: new ort.Tensor('float32', sample, [2, 4, h, h]),
        timestep: new ort.Tensor('float32', Float32Array.of(t, t), [2]),
        encoder_hidden_states: new ort.Tensor('float32', states, [2, S, D]),
      });
      const o = out.out_sample.data as Float32Array;
      const eps = new Float32Array(n);
      for (let i = 0; i < n; i++) eps[i] = o[i] + s.guidance * (o[n + i] - o[i]);
      x = schedulerStep(schedule, k, eps, x).prevSample;
    }
    const latent = x.map((v) => v / scaling);
    const img = await vae.run({ latent_sample: new ort.Tensor('float32', latent, [1, 4, h, h]) });
    return tensorToImages(img.sample.data as Float32Array, img.sample.dims)[0];
  };
}
