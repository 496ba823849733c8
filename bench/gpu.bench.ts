/**
 * Weft on a real GPU, in Node: onnxruntime-node's WebGPU provider (Dawn; Vulkan on Linux) against
 * its CPU provider. The five examples run on both and their images are compared; then the
 * text-to-image sampler graph (20 steps) is timed against the plain script on WebGPU, runs
 * alternated. On a machine without a GPU it says so and stops. Ends with one JSON line.
 * Run: npm run bench:gpu
 */
import '../lib/noTelemetry';
import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import { parseGraphText } from '../engine/graph/parse';
import { runGraph, ExecutionCache, type RunReport } from '../engine/executor';
import type { Graph } from '../engine/graph/document';
import { isImageValue, type ImageValue } from '../engine/values';
import type { Runtime } from '../engine/runtime';
import { registry } from '../nodes';
import { BackendUnavailableError, createNodeRuntime } from '../bin/nodeRuntime';
import { plainPipeline } from './plainPipeline';
import { BENCH_SETTINGS, maxChannelDifference, median, samplerGraph } from './settings';

const EXAMPLES = ['text-to-image', 'text-to-image-sampler', 'detect-and-score', 'image-to-image', 'best-of-n'];
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const root = 'public/models/shapes-v1';

function loadExample(name: string): Graph {
  const parsed = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!parsed.ok) throw new Error(`examples/${name}.json does not parse`);
  return parsed.value;
}

/** Every image among a report's output values, in a stable order. */
function images(report: RunReport): ImageValue[] {
  const found: ImageValue[] = [];
  const visit = (v: unknown) => {
    if (isImageValue(v)) found.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v instanceof Map) [...v.keys()].sort().forEach((k) => visit(v.get(k)));
    else if (v && typeof v === 'object' && !('kind' in v)) Object.keys(v).sort().forEach((k) => visit((v as Record<string, unknown>)[k]));
  };
  visit(report.outputs);
  return found;
}

async function timed(graph: Graph, runtime: Runtime, cache = new ExecutionCache()) {
  const t = performance.now();
  const report = await runGraph(graph, { registry, runtime, cache });
  const ms = performance.now() - t;
  if (report.status !== 'ok') {
    const failed = [...report.nodes].find(([, n]) => n.error);
    throw new Error(`run ${report.status}${failed ? `: ${JSON.stringify(failed)}` : ''}`);
  }
  return { report, ms };
}

async function main() {
  let gpu: Runtime;
  const tStart = performance.now();
  try {
    gpu = await createNodeRuntime({ backend: 'webgpu' });
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    console.log(err.message);
    console.log(JSON.stringify({ bench: 'gpu', webgpu: 'unavailable', reason: err.message }));
    return;
  }
  const startMs = performance.now() - tStart;
  const cpu = await createNodeRuntime({ backend: 'cpu' });
  console.log(`WebGPU provider started in ${startMs.toFixed(0)} ms`);

  const examples: Record<string, { cpuMs: number; gpuFirstMs: number; gpuMs: number; images: number; maxPixelDiff: number }> = {};
  for (const name of EXAMPLES) {
    const graph = loadExample(name);
    const c = await timed(graph, cpu);
    const g1 = await timed(graph, gpu); // sessions made here
    const g2 = await timed(graph, gpu); // sessions reused, every node run again
    const ci = images(c.report);
    const gi = images(g2.report);
    if (ci.length === 0 || ci.length !== gi.length) throw new Error(`${name}: ${ci.length} images on cpu, ${gi.length} on webgpu`);
    const diff = Math.max(...ci.map((img, i) => maxChannelDifference(img, gi[i])), ...images(g1.report).map((img, i) => maxChannelDifference(img, gi[i])));
    examples[name] = { cpuMs: Math.round(c.ms), gpuFirstMs: Math.round(g1.ms), gpuMs: Math.round(g2.ms), images: ci.length, maxPixelDiff: diff };
    console.log(`${name}: cpu ${c.ms.toFixed(0)} ms; webgpu first ${g1.ms.toFixed(0)} ms, again ${g2.ms.toFixed(0)} ms; ${ci.length} image(s), max channel difference webgpu vs cpu ${diff}/255`);
  }

  // Weft against the plain script, both on the WebGPU provider, runs alternated.
  const sampler = samplerGraph(loadExample('text-to-image-sampler'), BENCH_SETTINGS);
  const plain = await plainPipeline(ortNode, async (p) => readFileSync(`${root}/${p}`), BENCH_SETTINGS, { executionProviders: ['webgpu'], logSeverityLevel: 3 });
  const refImage = await plain();
  const weftImage = images((await timed(sampler, gpu)).report)[0];
  const times = { plain: [] as number[], weft: [] as number[], cpu: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    await plain();
    times.plain.push(performance.now() - t);
    times.weft.push((await timed(sampler, gpu)).ms);
    times.cpu.push((await timed(sampler, cpu)).ms);
  }
  const ratio = median(times.weft.map((w, i) => w / times.plain[i]));
  console.log(`${BENCH_SETTINGS.steps} steps, ${ROUNDS} rounds: plain script on webgpu ${median(times.plain).toFixed(0)} ms, weft on webgpu ${median(times.weft).toFixed(0)} ms (ratio ${ratio.toFixed(3)}), weft on cpu ${median(times.cpu).toFixed(0)} ms`);
  console.log(`images: max channel difference weft vs plain on webgpu ${maxChannelDifference(refImage, weftImage)}/255`);
  console.log(
    JSON.stringify({
      bench: 'gpu',
      webgpu: 'ok',
      startMs: Math.round(startMs),
      steps: BENCH_SETTINGS.steps,
      rounds: ROUNDS,
      plainWebgpuMs: Math.round(median(times.plain)),
      weftWebgpuMs: Math.round(median(times.weft)),
      weftCpuMs: Math.round(median(times.cpu)),
      ratio: Number(ratio.toFixed(3)),
      weftVsPlainMaxPixelDiff: maxChannelDifference(refImage, weftImage),
      examples,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
