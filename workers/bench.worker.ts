/// <reference lib="webworker" />
/**
 * The in-browser half of bench:pipeline: one worker runs both the plain ONNX Runtime script and
 * Weft's engine on the same models (wasm), so they can be alternated in the same process.
 */
import { expose } from 'comlink';
import { parseGraph } from '@/engine/graph/parse';
import { ExecutionCache, runGraph } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import type { Runtime } from '@/engine/runtime';
import { registry } from '@/nodes';
import { plainPipeline, type PlainSettings } from '@/bench/plainPipeline';
import { samplerGraph } from '@/bench/settings';
import sampler from '@/examples/text-to-image-sampler.json';
import { loadOrt, tryCreateBrowserMl } from './mlHost';
import { plainTextgen } from '@/bench/plainTextgen';
import { isGenerationValue } from '@/ml/text/values';

let plainRun: (() => Promise<unknown>) | undefined;
let weftRun: (() => Promise<unknown>) | undefined;
let lastNodeMs: Record<string, number> = {};
const textRuns: { plainText?: () => Promise<void>; weftText?: () => Promise<void> } = {};

async function fetchModel(path: string): Promise<Uint8Array> {
  const res = await fetch(`/models/${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function read(path: string): Promise<Uint8Array> {
  const res = await fetch(`/models/shapes-v1/${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

const api = {
  async setup(settings: PlainSettings): Promise<{ threads: number }> {
    const host = await tryCreateBrowserMl({ force: 'wasm' });
    if (!host.ok) throw new Error(host.message);
    const runtime: Runtime = { backend: host.ml.backend, services: { ml: host.ml } };
    // The same ORT build (and module instance) Weft's wasm backend uses.
    const ort = await loadOrt('wasm');
    plainRun = await plainPipeline(ort, read, settings, { executionProviders: ['wasm'], logSeverityLevel: 3 });
    const parsed = parseGraph(sampler, registry);
    if (!parsed.ok) throw new Error('the example graph does not parse');
    const graph: Graph = samplerGraph(parsed.value, settings);
    weftRun = async () => {
      const r = await runGraph(graph, { registry, runtime, cache: new ExecutionCache() });
      if (r.status !== 'ok') throw new Error(`weft run ${r.status}`);
      lastNodeMs = Object.fromEntries([...r.nodes].map(([id, n]) => [id, Math.round(n.ms)]));
    };
    return { threads: Number(ort.env.wasm.numThreads) };
  },
  /** bench:textgen's half: Generate Text (the graph given) against the plain loop, same prompt and token budget. */
  async setupText(graphJson: unknown, newTokens: number): Promise<{ threads: number; promptIds: number[]; ids: number[]; plainIds: number[] }> {
    const host = await tryCreateBrowserMl({ force: 'wasm' });
    if (!host.ok) throw new Error(host.message);
    const runtime: Runtime = { backend: host.ml.backend, services: { ml: host.ml } };
    const ort = await loadOrt('wasm');
    const config = JSON.parse(new TextDecoder().decode(await fetchModel('shapes-lm-v1/config.json')));
    const plain = await plainTextgen(
      ort,
      await fetchModel('shapes-lm-v1/onnx/model.onnx'),
      { layers: config.n_layer, kvHeads: config.n_head, headDim: config.n_embd / config.n_head, vocab: config.vocab_size, eos: [config.eos_token_id], banEos: true },
      { executionProviders: ['wasm'], logSeverityLevel: 3 },
    );
    const parsed = parseGraph(graphJson, registry);
    if (!parsed.ok) throw new Error('the bench graph does not parse');
    const graph = parsed.value;
    let promptIds: number[] = [];
    let ids: number[] = [];
    textRuns.weftText = async () => {
      const cache = new ExecutionCache();
      const r = await runGraph(graph, { registry, runtime, cache });
      if (r.status !== 'ok') throw new Error(`weft run ${r.status}`);
      const trace = cache.get('greedy')?.outputs?.trace;
      if (!isGenerationValue(trace)) throw new Error('no trace');
      promptIds = [...trace.promptIds];
      ids = [...trace.sequences[0]];
    };
    await textRuns.weftText();
    textRuns.plainText = async () => {
      await plain(promptIds, newTokens);
    };
    const plainIds = await plain(promptIds, newTokens);
    return { threads: Number(ort.env.wasm.numThreads), promptIds, ids, plainIds };
  },
  async time(which: 'plain' | 'weft' | 'plainText' | 'weftText'): Promise<number> {
    const fn = which === 'plain' ? plainRun : which === 'weft' ? weftRun : textRuns[which];
    if (!fn) throw new Error('call setup first');
    const t = performance.now();
    await fn();
    return performance.now() - t;
  },
  /** Per-node milliseconds of the last Weft run (where its time went). */
  nodeTimes(): Record<string, number> {
    return lastNodeMs;
  },
};

export type BenchApi = typeof api;
expose(api);
