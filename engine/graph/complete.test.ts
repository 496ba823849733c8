import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { History } from '../commands/history';
import { addNode } from '../commands/commands';
import { applyCompletion, planCompletion } from './complete';
import { parseGraphText } from './parse';
import { validateGraph } from './validate';
import { emptyGraph, type Graph } from './document';
import { NODE_DEFINITIONS, registry } from '@/nodes';

function example(name: string): Graph {
  const r = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return structuredClone(r.value);
}

function complete(g: Graph, only?: string[]): { graph: Graph; plan: ReturnType<typeof planCompletion> } {
  const plan = planCompletion(g, registry, only ? { only } : {});
  const h = new History(g);
  h.apply(applyCompletion(plan, registry));
  return { graph: h.graph, plan };
}

const errors = (g: Graph) => validateGraph(g, registry).filter((i) => i.severity === 'error');
const wires = (g: Graph) =>
  g.edges.map((e) => `${g.nodes.find((n) => n.id === e.from.node)!.type}.${e.from.port} -> ${g.nodes.find((n) => n.id === e.to.node)!.type}.${e.to.port}`).sort();

function graphOf(...types: string[]): Graph {
  const h = new History(emptyGraph());
  types.forEach((t, i) => h.apply(addNode(registry.get(t)!, { x: i * 400, y: 0 })));
  return h.graph;
}

describe('Complete graph', () => {
  it('builds the whole text-to-image pipeline behind a lone Image Output, as the example wires it', () => {
    const { graph, plan } = complete(graphOf('output.image'));
    expect(errors(graph)).toEqual([]);
    expect(plan.left).toEqual([]);
    expect(plan.nodes.map((n) => n.type).sort()).toEqual(
      ['latent.vaeDecode', 'sampling.sampler', 'models.loadPipeline', 'sampling.scheduler', 'sampling.initialLatent', 'latent.noise', 'latent.empty', 'conditioning.encodeText', 'conditioning.tokenize', 'conditioning.prompt'].sort(),
    );
    // The shipped example less its negative prompt (an optional input the user chooses).
    const ex = example('text-to-image-sampler');
    const negative = new Set(['negative', 'tokenize-negative', 'encode-negative']);
    const expected = { ...ex, nodes: ex.nodes.filter((n) => !negative.has(n.id)), edges: ex.edges.filter((e) => !negative.has(e.from.node) && !negative.has(e.to.node)) };
    expect(wires(graph)).toEqual(wires(expected));
    expect(plan.summary).toMatch(/^Adds VAE Decode, .* and Prompt and makes 17 connections\.$/);
  });

  it('rewires a cut wire to the node that lost it, adding nothing', () => {
    const ex = example('text-to-image-sampler');
    for (const cut of ['start.latent -> sampler.latent', 'sampler.latent -> decode.latent', 'encode.embedding -> sampler.positive', 'empty.latent -> noise.latent', 'pipeline.unet -> sampler.unet']) {
      const g = structuredClone(ex);
      g.edges = g.edges.filter((e) => `${e.from.node}.${e.from.port} -> ${e.to.node}.${e.to.port}` !== cut);
      const { graph, plan } = complete(g);
      expect(plan.nodes, cut).toEqual([]);
      expect(wires(graph), cut).toEqual(wires(ex));
    }
  });

  it('never takes a value another input already uses (the negative embedding is not the positive one)', () => {
    const g = example('text-to-image-sampler');
    // Positive chain gone: only the negative Text Encoder is left, and it is wired.
    const gone = new Set(['prompt', 'tokenize', 'encode']);
    g.nodes = g.nodes.filter((n) => !gone.has(n.id));
    g.edges = g.edges.filter((e) => !gone.has(e.from.node) && !gone.has(e.to.node));
    const { graph, plan } = complete(g);
    expect(plan.nodes.map((n) => n.type)).toEqual(['conditioning.encodeText', 'conditioning.tokenize', 'conditioning.prompt']);
    expect(errors(graph)).toEqual([]);
    const positive = graph.edges.find((e) => e.to.node === 'sampler' && e.to.port === 'positive')!;
    expect(positive.from.node).toBe(plan.nodes[0].id);
    // The new chain shares the one Load Pipeline.
    expect(graph.nodes.filter((n) => n.type === 'models.loadPipeline')).toHaveLength(1);
  });

  it('wires neither of two possible sources and says which', () => {
    const g = graphOf('models.loadPipeline', 'models.loadPipeline', 'latent.vaeDecode');
    const { plan } = complete(g, ['vaeDecode-1']);
    const vae = plan.left.find((l) => l.port === 'vae')!;
    expect(vae.reason).toBe("2 nodes could feed 'vae' (Load Pipeline.vae, Load Pipeline.vae): wire the one you mean");
    expect(plan.edges.some((e) => e.to.port === 'vae')).toBe(false);
    expect(plan.summary).toContain('left for you');
  });

  it('makes no loop: a node never feeds what feeds it', () => {
    const g = example('text-to-image-sampler');
    // Noisy Start loses its noise; the Sampler's latent output (downstream of it) must not be used.
    g.edges = g.edges.filter((e) => !(e.to.node === 'start' && e.to.port === 'noise'));
    g.edges = g.edges.filter((e) => e.to.node !== 'decode' || e.to.port !== 'latent');
    g.nodes = g.nodes.filter((n) => n.id !== 'decode' && n.id !== 'image');
    g.edges = g.edges.filter((e) => e.to.node !== 'decode' && e.from.node !== 'decode' && e.to.node !== 'image');
    const { graph, plan } = complete(g);
    expect(errors(graph)).toEqual([]);
    expect(plan.edges).toEqual([{ from: { node: 'noise', port: 'noise' }, to: { node: 'start', port: 'noise' } }]);
  });

  it('leaves what has no usual source, naming why, and touches nothing when all is wired', () => {
    const g = graphOf('output.value', 'tensor.stats');
    const { plan } = complete(g);
    expect(plan.left.map((l) => l.reason)).toEqual(["'value' takes any value: wire what you want it to have", 'nothing in the graph gives a tensor, and there is no usual node for one: wire it by hand']);
    const done = complete(example('text-to-image'));
    expect(done.plan.nodes).toEqual([]);
    expect(done.plan.edges).toEqual([]);
    expect(done.plan.summary).toBe('Nothing to complete: every required input that can be filled is connected.');
  });

  it('completes a text generation graph from its output', () => {
    const { graph, plan } = complete(graphOf('textgen.decode'));
    expect(errors(graph)).toEqual([]);
    expect(plan.nodes.map((n) => n.type)).toEqual(['textgen.loadLanguageModel', 'textgen.generate', 'conditioning.prompt']);
    // Generate Text shares Decode Tokens' model.
    expect(graph.nodes.filter((n) => n.type === 'textgen.loadLanguageModel')).toHaveLength(1);
  });

  it('is one undoable edit', () => {
    const g = graphOf('output.image');
    const h = new History(g);
    h.apply(applyCompletion(planCompletion(g, registry), registry));
    expect(h.graph.nodes.length).toBe(11);
    h.undo();
    expect(h.graph).toEqual(g);
  });

  it('at most one node type is the usual source of each port type, and every supplier named exists', () => {
    const seen = new Map<string, string>();
    for (const d of NODE_DEFINITIONS) {
      for (const t of d.supplies ?? []) {
        expect(seen.get(t), `${t}: ${d.type}`).toBeUndefined();
        seen.set(t, d.type);
        expect(d.outputs.some((p) => p.type === t), `${d.type} supplies ${t}`).toBe(true);
      }
      for (const p of d.inputs) if (p.supplier) expect(registry.get(p.supplier)?.outputs.some((o) => o.type === p.type), `${d.type}.${p.name}`).toBe(true);
    }
  });
});
