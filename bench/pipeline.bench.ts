/**
 * Weft against a plain script calling ONNX Runtime directly: the shipped models, 20 Euler steps,
 * guidance 5, the same seed, in one process, runs alternated. Node, onnxruntime-web (wasm).
 * Prints per-run times, the median ratio Weft/plain, whether the images agree, and one JSON line.
 * Then the Chromium half (bench/browserBench.ts). Run: npm run build && npm run bench:pipeline
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { parseGraphText } from '../engine/graph/parse';
import { runGraph, ExecutionCache } from '../engine/executor';
import type { ImageValue } from '../engine/values';
import { registry } from '../nodes';
import { createNodeRuntime } from '../bin/nodeRuntime';
import { plainPipeline } from './plainPipeline';
import { browserBench } from './browserBench';
import { BENCH_SETTINGS, maxChannelDifference, median, samplerGraph } from './settings';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
// A Chromium round is ~1 s and swings more (one worker beside the page on 2 cores): more of them for the median.
const CHROMIUM_ROUNDS = Number(process.env.CHROMIUM_ROUNDS ?? 11);
const root = 'public/models/shapes-v1';
ort.env.wasm.numThreads = 1;

async function weftPipeline(preview: boolean) {
  const parsed = parseGraphText(readFileSync('examples/text-to-image-sampler.json', 'utf8'), registry);
  if (!parsed.ok) throw new Error('example does not parse');
  const graph = samplerGraph(parsed.value, BENCH_SETTINGS, preview);
  const runtime = await createNodeRuntime({ backend: 'wasm', numThreads: 1 });
  return async function run(): Promise<ImageValue> {
    // A fresh cache: every node runs, as in the plain script (sessions stay loaded on both sides).
    const r = await runGraph(graph, { registry, runtime, cache: new ExecutionCache() });
    if (r.status !== 'ok') throw new Error(`weft run ${r.status}`);
    return r.outputs.get('image')!.image as ImageValue;
  };
}

async function main() {
  const plain = await plainPipeline(ort, async (p) => readFileSync(`${root}/${p}`), BENCH_SETTINGS, { executionProviders: ['wasm'], logSeverityLevel: 3 });
  const weft = await weftPipeline(false);
  const weftPreview = await weftPipeline(true);
  // Warm-up (session creation, JIT) outside the timings.
  const refImage = await plain();
  const weftImage = await weft();
  await weftPreview();
  const maxDiff = maxChannelDifference(refImage, weftImage);
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
  const node = {
    nodePlainMs: Math.round(median(times.plain)),
    nodeWeftMs: Math.round(median(times.weft)),
    nodeRatio: Number(ratio.toFixed(3)),
    nodeRatioWithPreviews: Number(ratioPreview.toFixed(3)),
    maxPixelDiff: maxDiff,
  };
  const browser = process.env.SKIP_BROWSER ? undefined : await browserBench(BENCH_SETTINGS, CHROMIUM_ROUNDS);
  console.log(JSON.stringify({ bench: 'pipeline', steps: BENCH_SETTINGS.steps, rounds: ROUNDS, chromiumRounds: browser ? CHROMIUM_ROUNDS : 0, ...node, ...(browser ?? {}), targetRatio: 1.05, targetColdMs: 5000 }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
