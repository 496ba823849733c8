import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { produce } from 'immer';
import { parseGraphText } from '@/engine/graph/parse';
import { runGraph, ExecutionCache } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import type { ImageValue } from '@/engine/values';
import { registry } from '@/nodes';
import { createNodeRuntime } from '@/bin/nodeRuntime';
import { applyCompletion, planCompletion } from '@/engine/graph/complete';
import { History } from '@/engine/commands/history';
import { addNode } from '@/engine/commands/commands';
import { emptyGraph } from '@/engine/graph/document';

/** An example graph with fewer steps, so the suite stays quick. */
function example(name: string, steps = 4): Graph {
  const r = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return produce(r.value, (g) => {
    const s = g.nodes.find((n) => n.type === 'sampling.scheduler');
    if (s) s.params.steps = steps;
  });
}

async function imageOf(graph: Graph, backend: 'cpu' | 'wasm', cache = new ExecutionCache()) {
  const runtime = await createNodeRuntime({ backend });
  const report = await runGraph(graph, { registry, runtime, cache });
  expect(report.status, JSON.stringify([...report.nodes.values()].filter((n) => n.error))).toBe('ok');
  return { image: report.outputs.get('image')!.image as ImageValue, report };
}

describe('text to image in Node', () => {
  it("Complete graph behind a lone Image Output draws what the example (less its negative prompt) draws", async () => {
    const h = new History(emptyGraph());
    h.apply(addNode(registry.get('output.image')!, { x: 0, y: 0 }, 'image'));
    h.apply(applyCompletion(planCompletion(h.graph, registry), registry));
    const built = produce(h.graph, (g) => {
      g.nodes.find((n) => n.type === 'sampling.scheduler')!.params.steps = 4;
      g.nodes.find((n) => n.type === 'conditioning.prompt')!.params.text = 'a large red circle on the left';
    });
    const gone = new Set(['negative', 'tokenize-negative', 'encode-negative']);
    const ex = produce(example('text-to-image-sampler'), (g) => {
      g.nodes = g.nodes.filter((n) => !gone.has(n.id));
      g.edges = g.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node));
    });
    const a = await imageOf(built, 'cpu');
    const b = await imageOf(ex, 'cpu');
    expect(a.image.width).toBe(64);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
  });

  it('the explicit loop and the compact sampler draw the same pixels', async () => {
    const loop = await imageOf(example('text-to-image'), 'cpu');
    const sampler = await imageOf(example('text-to-image-sampler'), 'cpu');
    expect(loop.image.width).toBe(64);
    expect(Buffer.from(loop.image.data).equals(Buffer.from(sampler.image.data))).toBe(true);
    expect(loop.report.nodes.get('unet-step')!.backend).toBe('cpu');
  });

  it('guidance at or below 1 runs the prompt alone, as diffusers does (SD-Turbo at 0): a negative prompt changes nothing', async () => {
    const at = (g: number, negative: boolean) =>
      produce(example('text-to-image-sampler', 3), (d) => {
        d.nodes.find((n) => n.id === 'sampler')!.params.guidance = g;
        if (!negative) d.edges = d.edges.filter((e) => !(e.to.node === 'sampler' && e.to.port === 'negative'));
      });
    for (const g of [0, 1]) {
      const withNeg = await imageOf(at(g, true), 'cpu');
      const without = await imageOf(at(g, false), 'cpu');
      expect(Buffer.from(withNeg.image.data).equals(Buffer.from(without.image.data)), `guidance ${g}`).toBe(true);
    }
    const zero = await imageOf(at(0, true), 'cpu');
    const guided = await imageOf(at(3, true), 'cpu');
    expect(Buffer.from(zero.image.data).equals(Buffer.from(guided.image.data))).toBe(false);
  });

  it('same graph, seed and backend give identical bytes; another seed differs', async () => {
    const g = example('text-to-image-sampler');
    const a = await imageOf(g, 'cpu');
    const b = await imageOf(g, 'cpu');
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    const other = produce(g, (d) => {
      d.nodes.find((n) => n.id === 'noise')!.params.seed = 7;
    });
    const c = await imageOf(other, 'cpu');
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
  });

  it('onnxruntime-web (wasm) agrees with onnxruntime-node within 2/255 per channel', async () => {
    const g = example('text-to-image-sampler');
    const cpu = await imageOf(g, 'cpu');
    const wasm = await imageOf(g, 'wasm');
    let worst = 0;
    for (let i = 0; i < cpu.image.data.length; i++) worst = Math.max(worst, Math.abs(cpu.image.data[i] - wasm.image.data[i]));
    expect(worst).toBeLessThanOrEqual(2);
    expect(wasm.report.nodes.get('sampler')!.backend).toBe('wasm');
  });

  it('a re-run after changing the guidance reruns only the sampler and what follows, with the reason', async () => {
    const runtime = await createNodeRuntime({ backend: 'cpu' });
    const cache = new ExecutionCache();
    const g = example('text-to-image-sampler', 2);
    await runGraph(g, { registry, runtime, cache });
    const edited = produce(g, (d) => {
      d.nodes.find((n) => n.id === 'sampler')!.params.guidance = 3;
    });
    const r = await runGraph(edited, { registry, runtime, cache });
    expect(r.nodes.get('encode')!.status).toBe('cached');
    expect(r.nodes.get('sampler')!).toMatchObject({ status: 'done', reason: expect.stringContaining('guidance') });
    expect(r.nodes.get('decode')!.status).toBe('done');
  });

  // On wasm too: image-to-image runs its text encoder for the prompt and the negative at once.
  it.each(['cpu', 'wasm'] as const)('the other examples run on %s', async (backend) => {
    for (const name of ['detect-and-score', 'image-to-image', 'best-of-n']) {
      const runtime = await createNodeRuntime({ backend });
      const report = await runGraph(example(name, 3), { registry, runtime, cache: new ExecutionCache() });
      expect(report.status, `${name}: ${JSON.stringify([...report.nodes.values()].filter((n) => n.error))}`).toBe('ok');
    }
  });
});
