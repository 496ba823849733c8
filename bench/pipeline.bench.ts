/**
 * Weft against a plain script calling ONNX Runtime directly: the shipped models, 20 Euler steps,
 * guidance 5, the same seed, in one process, runs alternated. Node, onnxruntime-web (wasm).
 * Prints per-run times, the median ratio Weft/plain, whether the images agree, and one JSON line.
 * Run: npm run bench:pipeline   (the Chromium half: tests/e2e is the place that drives a browser;
 * see bench/pipelineBrowser.bench.ts)
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { produce } from 'immer';
import { parseGraphText } from '../engine/graph/parse';
import { runGraph, ExecutionCache } from '../engine/executor';
import { gaussianNoise } from '../engine/random';
import type { ImageValue } from '../engine/values';
import { registry } from '../nodes';
import { createNodeRuntime } from '../bin/nodeRuntime';
import { loadTokenizer } from '../ml/tokenizer';
import { makeSchedule, step as schedulerStep } from '../ml/schedulers';
import { tensorToImages } from '../ml/image';

const STEPS = 20;
const GUIDANCE = 5;
const SEED = 42;
const PROMPT = 'a large red circle on the left';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const root = 'public/models/shapes-v1';
ort.env.wasm.numThreads = 1;

async function plainPipeline() {
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['wasm'], logSeverityLevel: 3 };
  const te = await ort.InferenceSession.create(readFileSync(`${root}/text_encoder/model.onnx`), opts);
  const unet = await ort.InferenceSession.create(readFileSync(`${root}/unet/model.onnx`), opts);
  const vae = await ort.InferenceSession.create(readFileSync(`${root}/vae_decoder/model.onnx`), opts);
  const tok = loadTokenizer({
    tokenizerJson: JSON.parse(readFileSync(`${root}/tokenizer/tokenizer.json`, 'utf8')),
    tokenizerConfig: JSON.parse(readFileSync(`${root}/tokenizer/tokenizer_config.json`, 'utf8')),
  });
  const schedulerConfig = JSON.parse(readFileSync(`${root}/scheduler/scheduler_config.json`, 'utf8'));
  const vaeConfig = JSON.parse(readFileSync(`${root}/vae_decoder/config.json`, 'utf8'));
  const factor = vaeConfig.weft_downsampling_factor ?? 8;
  const scaling = vaeConfig.scaling_factor;

  return async function run(): Promise<ImageValue> {
    const embed = async (text: string) => {
      const ids = tok.encode(text, { maxLength: tok.modelMaxLength, padding: 'max_length' }).ids;
      const out = await te.run({ input_ids: new ort.Tensor('int32', ids, [1, ids.length]) });
      return out.last_hidden_state;
    };
    const cond = await embed(PROMPT);
    const uncond = await embed('');
    const [, S, D] = cond.dims;
    const states = new Float32Array(2 * S * D);
    states.set(uncond.data as Float32Array, 0);
    states.set(cond.data as Float32Array, S * D);
    const schedule = makeSchedule('euler', schedulerConfig, STEPS);
    const h = 64 / factor;
    const n = 4 * h * h;
    let x: Float32Array = gaussianNoise(SEED, n).map((v) => v * schedule.initNoiseSigma);
    for (let k = 0; k < STEPS; k++) {
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
      for (let i = 0; i < n; i++) eps[i] = o[i] + GUIDANCE * (o[n + i] - o[i]);
      x = schedulerStep(schedule, k, eps, x).prevSample;
    }
    const latent = x.map((v) => v / scaling);
    const img = await vae.run({ latent_sample: new ort.Tensor('float32', latent, [1, 4, h, h]) });
    return tensorToImages(img.sample.data as Float32Array, img.sample.dims)[0];
  };
}

async function weftPipeline(preview: boolean) {
  const parsed = parseGraphText(readFileSync('examples/text-to-image-sampler.json', 'utf8'), registry);
  if (!parsed.ok) throw new Error('example does not parse');
  const graph = produce(parsed.value, (g) => {
    g.nodes.find((n) => n.id === 'scheduler')!.params.steps = STEPS;
    g.nodes.find((n) => n.id === 'sampler')!.params.preview = preview;
    g.nodes.find((n) => n.id === 'sampler')!.params.guidance = GUIDANCE;
    g.nodes.find((n) => n.id === 'noise')!.params.seed = SEED;
    g.nodes.find((n) => n.id === 'prompt')!.params.text = PROMPT;
  });
  const runtime = await createNodeRuntime({ backend: 'wasm', numThreads: 1 });
  return async function run(): Promise<ImageValue> {
    // A fresh cache: every node runs, as in the plain script (sessions stay loaded on both sides).
    const r = await runGraph(graph, { registry, runtime, cache: new ExecutionCache() });
    if (r.status !== 'ok') throw new Error(`weft run ${r.status}`);
    return r.outputs.image.image as ImageValue;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const plain = await plainPipeline();
  const weft = await weftPipeline(false);
  const weftPreview = await weftPipeline(true);
  // Warm-up (session creation, JIT) outside the timings.
  const refImage = await plain();
  const weftImage = await weft();
  await weftPreview();
  let maxDiff = 0;
  for (let i = 0; i < refImage.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(refImage.data[i] - weftImage.data[i]));
  const times = { plain: [] as number[], weft: [] as number[], weftPreview: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of [['plain', plain], ['weft', weft], ['weftPreview', weftPreview]] as const) {
      const t = performance.now();
      await fn();
      times[name].push(performance.now() - t);
    }
    console.log(`round ${r + 1}: plain ${times.plain[r].toFixed(0)} ms, weft ${times.weft[r].toFixed(0)} ms, weft+previews ${times.weftPreview[r].toFixed(0)} ms`);
  }
  const ratios = times.weft.map((w, i) => w / times.plain[i]);
  const ratio = median(ratios);
  const ratioPreview = median(times.weftPreview.map((w, i) => w / times.plain[i]));
  console.log(`median plain ${median(times.plain).toFixed(0)} ms, weft ${median(times.weft).toFixed(0)} ms: ratio weft/plain ${ratio.toFixed(3)} (target <= 1.05); with previews every step ${ratioPreview.toFixed(3)}`);
  console.log(`images: max channel difference weft vs plain ${maxDiff}/255`);
  console.log(
    JSON.stringify({
      bench: 'pipeline',
      where: 'node-wasm',
      steps: STEPS,
      rounds: ROUNDS,
      plainMs: Math.round(median(times.plain)),
      weftMs: Math.round(median(times.weft)),
      ratio: Number(ratio.toFixed(3)),
      ratioWithPreviews: Number(ratioPreview.toFixed(3)),
      maxPixelDiff: maxDiff,
      target: 1.05,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
