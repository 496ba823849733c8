import { copyFile, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Builder } from './builder';
import { buildTextEncoder, SD15_TEXT, SD21_TEXT, type TextEncoderConfig } from './textEncoder';
import { buildUnet, SD15_UNET, SD21_UNET, type UnetConfig } from './unet';
import { buildVaeDecoder, SD_VAE, type VaeDecoderConfig } from './vaeDecoder';

/**
 * Structure-faithful stand-ins for real Stable Diffusion ONNX exports, for proving Weft on them
 * without downloads: random weights in the real architectures (full size: SD 1.5's UNet has its
 * 859,520,964 parameters), the real tensor names and I/O (`sample`, `timestep` int64 or float,
 * `encoder_hidden_states` → `out_sample`; `input_ids` → `last_hidden_state` without a pooler;
 * `latent_sample` → `sample`), weights as external data (`model.onnx` + `model.onnx_data`), and the
 * diffusers folder layout: model_index.json, scheduler/scheduler_config.json, a tokenizer of
 * vocab.json + merges.txt only (the real CLIP vocabulary). `tiny` keeps every block and name with
 * narrow widths, so a test can run the whole pipeline in seconds. Written at test time, never committed.
 */
export type Variant = 'sd15' | 'sd21' | 'sd-turbo';
export type Scale = 'full' | 'tiny';
/** fp16: weights, float constants and every float input and output in half precision, as `--fp16` exports are. */
export type Precision = 'fp32' | 'fp16';

interface VariantSpec {
  unet: UnetConfig;
  text: TextEncoderConfig;
  vae: VaeDecoderConfig;
  scheduler: Record<string, unknown>;
  predictionType: 'epsilon' | 'v_prediction';
}

const BETAS = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', num_train_timesteps: 1000, steps_offset: 1, clip_sample: false, set_alpha_to_one: false };

function spec(variant: Variant, scale: Scale): VariantSpec {
  const sd15 = variant === 'sd15';
  let unet = sd15 ? SD15_UNET : SD21_UNET;
  let text = sd15 ? SD15_TEXT : SD21_TEXT;
  let vae = SD_VAE;
  if (scale === 'tiny') {
    const width = 64;
    unet = { ...unet, blockOutChannels: [32, 64, 128, 128], attentionHeadDim: sd15 ? 4 : [8, 16, 32, 32], crossAttentionDim: width };
    text = { ...text, width, layers: 2, heads: 4, intermediate: 4 * width };
    vae = { ...vae, blockOutChannels: [32, 32, 64, 64] };
  }
  const scheduler =
    variant === 'sd15'
      ? { _class_name: 'PNDMScheduler', ...BETAS, skip_prk_steps: true, prediction_type: 'epsilon' }
      : variant === 'sd21'
        ? { _class_name: 'DDIMScheduler', ...BETAS, prediction_type: 'v_prediction', timestep_spacing: 'leading' }
        : { _class_name: 'EulerAncestralDiscreteScheduler', ...BETAS, prediction_type: 'epsilon', timestep_spacing: 'trailing' };
  return { unet, text, vae, scheduler, predictionType: variant === 'sd21' ? 'v_prediction' : 'epsilon' };
}

/** Parameters of each component, without building anything. */
export function parameterCounts(variant: Variant, scale: Scale): { unet: number; textEncoder: number; vaeDecoder: number } {
  const s = spec(variant, scale);
  const count = (build: (b: Builder) => void) => {
    const b = new Builder({ countOnly: true });
    build(b);
    return b.params;
  };
  return { unet: count((b) => buildUnet(b, s.unet)), textEncoder: count((b) => buildTextEncoder(b, s.text)), vaeDecoder: count((b) => buildVaeDecoder(b, s.vae)) };
}

async function component(dir: string, folder: string, build: (b: Builder) => void, io: { inputs: Parameters<Builder['finish']>[1]; outputs: Parameters<Builder['finish']>[2] }, config: Record<string, unknown>, seed: number, precision: Precision) {
  const b = new Builder({ seed, dtype: precision === 'fp16' ? 'float16' : 'float32' });
  build(b);
  const { model, chunks, dataBytes } = b.finish(folder, io.inputs, io.outputs);
  await mkdir(path.join(dir, folder), { recursive: true });
  await writeFile(path.join(dir, folder, 'model.onnx'), model);
  const out = await open(path.join(dir, folder, 'model.onnx_data'), 'w');
  try {
    for (const c of chunks) await out.write(c);
  } finally {
    await out.close();
  }
  await writeFile(path.join(dir, folder, 'config.json'), JSON.stringify(config, null, 2));
  return { params: b.params, bytes: model.length + dataBytes };
}

/** Writes a stand-in folder; returns what it wrote. */
export async function writeStandIn(dir: string, variant: Variant, scale: Scale, repoRoot = process.cwd(), precision: Precision = 'fp32'): Promise<{ dir: string; params: Record<string, number>; bytes: number }> {
  const s = spec(variant, scale);
  const f = precision === 'fp16' ? 'float16' : 'float32';
  // A float timestep is exported in the model's precision (diffusers' fp16 script feeds a half tensor); int64 stays.
  const timestepDtype = s.unet.timestepDtype === 'int64' ? 'int64' : f;
  await mkdir(path.join(dir, 'tokenizer'), { recursive: true });
  await mkdir(path.join(dir, 'scheduler'), { recursive: true });
  const modelIndex = {
    _class_name: 'OnnxStableDiffusionPipeline',
    _diffusers_version: '0.30.0',
    _weft_name: `${variant}-standin${scale === 'tiny' ? '-tiny' : ''}${precision === 'fp16' ? '-fp16' : ''}`,
    scheduler: ['diffusers', String(s.scheduler._class_name)],
    text_encoder: ['diffusers', 'OnnxRuntimeModel'],
    tokenizer: ['transformers', 'CLIPTokenizer'],
    unet: ['diffusers', 'OnnxRuntimeModel'],
    vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
    safety_checker: [null, null],
    feature_extractor: [null, null],
    requires_safety_checker: false,
  };
  await writeFile(path.join(dir, 'model_index.json'), JSON.stringify(modelIndex, null, 2));
  await writeFile(path.join(dir, 'scheduler', 'scheduler_config.json'), JSON.stringify(s.scheduler, null, 2));
  // The real CLIP BPE vocabulary, and only vocab.json + merges.txt, as older exports ship it.
  for (const f of ['vocab.json', 'merges.txt', 'tokenizer_config.json']) await copyFile(path.join(repoRoot, 'tests/fixtures/clip-tokenizer', f), path.join(dir, 'tokenizer', f));

  const text = await component(
    dir,
    'text_encoder',
    (b) => buildTextEncoder(b, s.text),
    { inputs: [{ name: 'input_ids', dtype: 'int32', shape: ['batch', s.text.positions] }], outputs: [{ name: 'last_hidden_state', dtype: f, shape: ['batch', s.text.positions, s.text.width] }] },
    { architectures: ['CLIPTextModel'], hidden_size: s.text.width, num_hidden_layers: s.text.layers, max_position_embeddings: s.text.positions, vocab_size: s.text.vocab },
    11,
    precision,
  );
  const unet = await component(
    dir,
    'unet',
    (b) => buildUnet(b, s.unet),
    {
      inputs: [
        { name: 'sample', dtype: f, shape: ['batch', 4, 'height', 'width'] },
        { name: 'timestep', dtype: timestepDtype, shape: ['batch'] },
        { name: 'encoder_hidden_states', dtype: f, shape: ['batch', 'sequence', s.unet.crossAttentionDim] },
      ],
      outputs: [{ name: 'out_sample', dtype: f, shape: ['batch', 4, 'height', 'width'] }],
    },
    { _class_name: 'UNet2DConditionModel', block_out_channels: s.unet.blockOutChannels, cross_attention_dim: s.unet.crossAttentionDim, in_channels: 4, out_channels: 4, layers_per_block: s.unet.layersPerBlock, attention_head_dim: s.unet.attentionHeadDim, use_linear_projection: s.unet.useLinearProjection, sample_size: 64, prediction_type: s.predictionType },
    12,
    precision,
  );
  const vae = await component(
    dir,
    'vae_decoder',
    (b) => buildVaeDecoder(b, s.vae),
    { inputs: [{ name: 'latent_sample', dtype: f, shape: ['batch', 4, 'height', 'width'] }], outputs: [{ name: 'sample', dtype: f, shape: ['batch', 3, 'h', 'w'] }] },
    { _class_name: 'AutoencoderKL', block_out_channels: s.vae.blockOutChannels, latent_channels: 4, scaling_factor: 0.18215, layers_per_block: s.vae.layersPerBlock },
    13,
    precision,
  );
  return { dir, params: { unet: unet.params, textEncoder: text.params, vaeDecoder: vae.params }, bytes: text.bytes + unet.bytes + vae.bytes };
}

// `npx tsx tools/standins/write.ts DIR [sd15|sd21|sd-turbo] [full|tiny] [fp32|fp16]`
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [dir, variant = 'sd-turbo', scale = 'tiny', precision = 'fp32'] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: npx tsx tools/standins/write.ts DIR [sd15|sd21|sd-turbo] [full|tiny] [fp32|fp16]\n');
    process.exit(2);
  }
  const t = performance.now();
  const r = await writeStandIn(dir, variant as Variant, scale as Scale, process.cwd(), precision as Precision);
  process.stderr.write(`wrote ${r.dir}: ${JSON.stringify(r.params)} parameters, ${(r.bytes / 1024 ** 2).toFixed(1)} MB, in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
