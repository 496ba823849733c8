/**
 * `npm run bench:variants [-- --prompts 48] [-- --repeats 3]`
 *
 * shapes-v1 as shipped (fp32) against its fp16 and int8 copies, made here by `weft quantize`'s own
 * code from the shipped suite. For each variant:
 * - bytes of the UNet, text encoder and VAE decoder files;
 * - session creation of each (wasm: onnxruntime-web in Node, one thread), cold, in a fresh process,
 *   variants alternated, median of --repeats;
 * - one UNet call (batch 2, as guidance runs it) and a whole 20-step text-to-image run on wasm;
 * - the VAE decoder's PSNR against the fp32 decoder on the same latents;
 * - prompt adherence: --prompts single-shape prompts drawn with each variant (onnxruntime-node, 20
 *   Euler steps, guidance 5), the shipped fp32 detector judging whether the prompt's shape and colour
 *   are there. Ratios are to fp32. The last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { produce } from 'immer';
import type { Graph } from '../engine/graph/document';
import type { ImageValue } from '../engine/values';
import type { DetectionsValue } from '../ml/values';
import { median } from './settings';

const VARIANTS = ['fp32', 'fp16', 'int8'] as const;
type Variant = (typeof VARIANTS)[number];
const COMPONENTS = ['unet', 'text_encoder', 'vae_decoder'] as const;

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const suite = path.join(here, '..', 'public', 'models', 'shapes-v1');

/** The file a component runs from in a variant folder (.ort where the folder has one). */
function modelPath(dir: string, component: string): string {
  for (const f of ['model.ort', 'model.onnx']) {
    try {
      statSync(path.join(dir, component, f));
      return `${component}/${f}`;
    } catch {
      /* next */
    }
  }
  throw new Error(`${dir} has no ${component} model`);
}

interface Timing {
  sessionMs: Record<string, number>;
  unetCallMs: number;
  pipelineMs: number;
}

/** In a fresh process: cold sessions of the three models, one UNet call and a whole run, on wasm. */
async function child(dir: string): Promise<Timing> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const { createMlServices } = await import('../ml/runtime/createMlServices');
  const { createNodeFiles } = await import('../bin/nodeFiles');
  const { cpuTensor } = await import('../engine/values');
  const ml = createMlServices({ ort: ort as never, backend: 'wasm', backendReason: 'bench', files: createNodeFiles({}) });
  const sessionMs: Record<string, number> = {};
  const sessions: Record<string, Awaited<ReturnType<typeof ml.session>>> = {};
  for (const c of COMPONENTS) {
    const t = performance.now();
    sessions[c] = await ml.session({ kind: 'model', role: c === 'unet' ? 'unet' : c === 'text_encoder' ? 'textEncoder' : 'vae', source: `dir:${dir}`, path: modelPath(dir, c), name: c });
    sessionMs[c] = performance.now() - t;
  }
  const feeds = {
    sample: cpuTensor('float32', [2, 4, 8, 8], new Float32Array(2 * 4 * 64).fill(0.5)),
    timestep: cpuTensor('float32', [2], Float32Array.of(500, 500)),
    encoder_hidden_states: cpuTensor('float32', [2, 24, 128], new Float32Array(2 * 24 * 128).fill(0.1)),
  };
  await sessions.unet.run(feeds);
  const calls: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await (await sessions.unet.run(feeds)).out_sample.read();
    calls.push(performance.now() - t);
  }
  await ml.dispose();
  const { runGraph, ExecutionCache } = await import('../engine/executor');
  const { registry } = await import('../nodes');
  const { createNodeRuntime } = await import('../bin/nodeRuntime');
  const runtime = await createNodeRuntime({ backend: 'wasm', numThreads: 1 });
  const g = graphFor(dir, 'a large red circle on the left', 42);
  await runGraph(g, { registry, runtime, cache: new ExecutionCache() });
  const t = performance.now();
  const r = await runGraph(g, { registry, runtime, cache: new ExecutionCache() });
  if (r.status !== 'ok') throw new Error(`the run failed on ${dir}`);
  return { sessionMs, unetCallMs: median(calls), pipelineMs: performance.now() - t };
}

function graphFor(dir: string, prompt: string, seed: number): Graph {
  const example = JSON.parse(readFileSync(path.join(here, '..', 'examples', 'detect-and-score.json'), 'utf8')) as Graph;
  return produce(example, (g) => {
    const set = (id: string, key: string, v: unknown) => (g.nodes.find((n) => n.id === id)!.params[key] = v);
    set('pipeline', 'source', `dir:${dir}`);
    set('prompt', 'text', prompt);
    set('noise', 'seed', seed);
    set('scheduler', 'steps', 20);
    set('sampler', 'guidance', 5);
    set('sampler', 'preview', false);
  });
}

const SHAPES = ['circle', 'square', 'triangle', 'star', 'ring', 'cross'];
const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'white', 'black'];
const PLACES = ['at the top left', 'at the top', 'at the top right', 'on the left', 'in the centre', 'on the right', 'at the bottom left', 'at the bottom', 'at the bottom right'];

/** Single-shape prompts spread over shapes, colours, sizes and places (a fixed, seeded walk). */
function prompts(n: number): { text: string; shape: string; colour: string }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const shape = SHAPES[i % 6];
    const colour = COLOURS[(i * 5 + Math.floor(i / 6)) % 9];
    const size = i % 4 < 2 ? 'large' : 'small';
    out.push({ text: `a ${size} ${colour} ${shape} ${PLACES[(i * 7) % 9]}`, shape, colour });
  }
  return out;
}

function psnr(a: ImageValue, b: ImageValue): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i] - b.data[i]) ** 2;
  const mse = se / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

async function main() {
  if (process.argv[2] === '--child') {
    process.stdout.write(`${JSON.stringify(await child(process.argv[3]))}\n`);
    return;
  }
  const n = Number(arg('prompts', '48'));
  const repeats = Number(arg('repeats', '3'));
  const root = mkdtempSync(path.join(tmpdir(), 'weft-variants-'));
  const dirs = new Map<Variant, string>();
  try {
    // fp32: the suite as shipped, without the .onnx copies that only the tools read.
    const fp32 = path.join(root, 'fp32');
    cpSync(suite, fp32, { recursive: true, filter: (src) => !(/(unet|vae_decoder)[\\/]model\.onnx$/.test(src) || /[\\/]loras$/.test(src)) });
    dirs.set('fp32', fp32);
    const { quantizeCommand } = await import('../bin/quantizeCommand');
    for (const v of ['fp16', 'int8'] as const) {
      const out = path.join(root, v);
      // Exit code 1 when some model's copy was refused (the distilled student's int8 copy is): the three measured here must be there.
      await quantizeCommand(suite, { to: v, out });
      for (const c of COMPONENTS) if (!modelPath(out, c).endsWith('.onnx')) throw new Error(`weft quantize --to ${v} left ${c} as it was`);
      rmSync(path.join(out, 'loras'), { recursive: true, force: true });
      dirs.set(v, out);
    }
    const bytes = new Map<Variant, Record<string, number>>();
    for (const [v, dir] of dirs) bytes.set(v, Object.fromEntries(COMPONENTS.map((c) => [c, statSync(path.join(dir, modelPath(dir, c))).size])));

    // Timings: a fresh process per measurement, the variants alternated.
    const timings = new Map<Variant, Timing[]>(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < repeats; r++) {
      for (const v of VARIANTS) {
        const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', dirs.get(v)!], { encoding: 'utf8', maxBuffer: 1 << 22 });
        timings.get(v)!.push(JSON.parse(out.trim().split('\n').pop()!) as Timing);
      }
    }

    // Quality, on onnxruntime-node: the same prompts and seeds through each variant.
    const { runGraph, ExecutionCache } = await import('../engine/executor');
    const { registry } = await import('../nodes');
    const { createNodeRuntime } = await import('../bin/nodeRuntime');
    const list = prompts(n);
    const found = new Map<Variant, number>();
    const imagePsnr = new Map<Variant, number[]>();
    const reference: ImageValue[] = [];
    for (const v of VARIANTS) {
      const runtime = await createNodeRuntime({ backend: 'cpu' });
      const cache = new ExecutionCache();
      let hits = 0;
      for (let i = 0; i < list.length; i++) {
        const g = graphFor(dirs.get(v)!, list[i].text, 1000 + i);
        // The detector is always the shipped fp32 one: the judge stays the same.
        const judged = produce(g, (d) => {
          d.nodes.push({ id: 'judge', type: 'models.loadPipeline', typeVersion: 1, position: { x: 0, y: 1200 }, params: { source: 'shipped:shapes-v1' }, mode: 'normal' });
          for (const e of d.edges) if (e.to.node === 'detect' && e.to.port === 'detector') e.from = { node: 'judge', port: 'detector' };
        });
        const r = await runGraph(judged, { registry, runtime, cache });
        if (r.status !== 'ok') throw new Error(`${v}: '${list[i].text}' failed`);
        const det = r.outputs.get('detections')!.value as DetectionsValue;
        if (det.items[0].some((d) => d.shape === list[i].shape && d.colour === list[i].colour)) hits++;
        const image = r.outputs.get('image')!.image as ImageValue;
        if (v === 'fp32') reference.push(image);
        else if (i < 8) (imagePsnr.get(v) ?? imagePsnr.set(v, []).get(v)!).push(psnr(reference[i], image)); // the whole pipeline's image
      }
      found.set(v, hits / list.length);
    }
    // The decoder alone: each variant's VAE decoder on the fp32 UNet's latents (the same run with only
    // the decoder swapped), PSNR against the fp32 image.
    const decoderPsnr = new Map<Variant, number[]>();
    for (const v of ['fp16', 'int8'] as const) {
      const runtime = await createNodeRuntime({ backend: 'cpu' });
      for (let i = 0; i < 8; i++) {
        const g = produce(graphFor(dirs.get('fp32')!, list[i].text, 1000 + i), (d) => {
          d.nodes.push({ id: 'variant', type: 'models.loadPipeline', typeVersion: 1, position: { x: 0, y: 1200 }, params: { source: `dir:${dirs.get(v)}` }, mode: 'normal' });
          for (const e of d.edges) if (e.to.node === 'decode' && e.to.port === 'vae') e.from = { node: 'variant', port: 'vae' };
        });
        const r = await runGraph(g, { registry, runtime, cache: new ExecutionCache() });
        (decoderPsnr.get(v) ?? decoderPsnr.set(v, []).get(v)!).push(psnr(reference[i], r.outputs.get('image')!.image as ImageValue));
      }
    }

    const mean = (xs: number[] | undefined) => (xs && xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const row = (v: Variant) => {
      const t = timings.get(v)!;
      const b = bytes.get(v)!;
      return {
        variant: v,
        unetBytes: b.unet,
        textEncoderBytes: b.text_encoder,
        vaeDecoderBytes: b.vae_decoder,
        unetSessionMs: Math.round(median(t.map((x) => x.sessionMs.unet))),
        textEncoderSessionMs: Math.round(median(t.map((x) => x.sessionMs.text_encoder))),
        vaeDecoderSessionMs: Math.round(median(t.map((x) => x.sessionMs.vae_decoder))),
        unetCallMs: Number(median(t.map((x) => x.unetCallMs)).toFixed(2)),
        pipelineMs: Math.round(median(t.map((x) => x.pipelineMs))),
        adherence: Number(found.get(v)!.toFixed(3)),
        imagePsnrDb: v === 'fp32' ? null : Number(mean(imagePsnr.get(v)).toFixed(1)),
        vaeDecoderPsnrDb: v === 'fp32' ? null : Number(mean(decoderPsnr.get(v)).toFixed(1)),
      };
    };
    const rows = VARIANTS.map(row);
    const base = rows[0];
    console.log(`shapes-v1 variants (wasm timings: median of ${repeats} fresh processes; adherence: ${n} prompts, detector-judged)`);
    console.log('| variant | UNet | text enc. | VAE dec. | UNet session | UNet call (batch 2) | 20-step run | image PSNR vs fp32 | VAE dec. PSNR | adherence |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const ratio = (x: number, y: number) => (r.variant === 'fp32' ? '' : ` (${(x / y).toFixed(2)})`);
      console.log(
        `| ${r.variant} | ${(r.unetBytes / 1e6).toFixed(2)} MB${ratio(r.unetBytes, base.unetBytes)} | ${(r.textEncoderBytes / 1e6).toFixed(2)} MB | ${(r.vaeDecoderBytes / 1e6).toFixed(2)} MB | ${r.unetSessionMs} ms${ratio(r.unetSessionMs, base.unetSessionMs)} | ${r.unetCallMs} ms${ratio(r.unetCallMs, base.unetCallMs)} | ${r.pipelineMs} ms${ratio(r.pipelineMs, base.pipelineMs)} | ${r.imagePsnrDb ?? '—'} dB | ${r.vaeDecoderPsnrDb ?? '—'} dB | ${(r.adherence * 100).toFixed(1)}%${ratio(r.adherence, base.adherence)} |`,
      );
    }
    console.log(JSON.stringify({ prompts: n, repeats, variants: rows }));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
