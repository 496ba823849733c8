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

let plainRun: (() => Promise<unknown>) | undefined;
let weftRun: (() => Promise<unknown>) | undefined;
let lastNodeMs: Record<string, number> = {};

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
  async time(which: 'plain' | 'weft'): Promise<number> {
    const fn = which === 'plain' ? plainRun : weftRun;
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
