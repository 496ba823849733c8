// The text-generation nodes in graphs, as the CLI and the editor's worker run them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { produce } from 'immer';
import { parseGraphText } from '@/engine/graph/parse';
import { runGraph } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { createNodeRuntime } from '@/bin/nodeRuntime';
import { mlServices } from '@/ml/runtime/services';
import { openLanguageModel, OnnxCausalLM } from '@/ml/text/languageModel';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { generate } from '@/ml/text/generate';
import { probeValue } from '@/ml/probe';
import { isGenerationValue } from '@/ml/text/values';

function example(name: string): Graph {
  const r = parseGraphText(readFileSync(`examples/${name}.json`, 'utf8'), registry);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

async function run(graph: Graph) {
  const runtime = await createNodeRuntime({ backend: 'wasm' });
  const report = await runGraph(graph, { registry, runtime });
  expect(report.status, JSON.stringify([...report.nodes.values()].filter((n) => n.error))).toBe('ok');
  return report;
}

async function lm() {
  const ml = mlServices(await createNodeRuntime({ backend: 'wasm' }));
  const { ref, session } = await openLanguageModel(ml, 'shipped:shapes-lm-v1', '', '');
  return { ref, lm: new OnnxCausalLM(ml, ref, session), tok: await tokenizerFor(ml, ref.tokenizer) };
}

describe('text generation graphs', () => {
  it('the explicit decoding loop (prefill, then one cached step per iteration) writes what Generate Text writes, greedy', async () => {
    const loop = produce(example('decoding-loop'), (g) => {
      for (const n of g.nodes) if (n.type === 'textgen.sampleToken') n.params.strategy = 'greedy';
      g.nodes.find((n) => n.id === 'decode')!.params.skipPrompt = true;
    });
    const looped = (await run(loop)).outputs.get('out')!.value as string;
    const compact = produce(example('decoding-strategies'), (g) => {
      g.nodes.find((n) => n.id === 'prompt')!.params.value = 'Prompt: a large';
      g.nodes.find((n) => n.id === 'greedy')!.params.maxNewTokens = 25;
    });
    const direct = (await run(compact)).outputs.get('out-greedy')!.value as string;
    expect(looped.trim().length).toBeGreaterThan(0);
    // the loop keeps going after the end token (passing it through), Generate Text stops there
    expect(looped.trim()).toBe(direct.trim());
  });

  it('decoding strategies side by side all write text, and a one-beam search is greedy search', async () => {
    const report = await run(example('decoding-strategies'));
    for (const k of ['greedy', 'beam', 'sample']) expect(typeof report.outputs.get(`out-${k}`)!.value).toBe('string');
    const { lm: model, ref } = await lm();
    const prompt = (await lm()).tok.encode('Story: The small red circle', { padding: 'none', truncation: false }).ids;
    const opts = { prompts: [Array.from(prompt)], maxNewTokens: 16, eosTokenIds: ref.eosTokenIds, padTokenId: ref.padTokenId };
    const greedy = await generate(model, { ...opts, mode: 'greedy' });
    const beam1 = await generate(model, { ...opts, mode: 'beam', numBeams: 1 });
    expect(beam1.sequences[0]).toEqual(greedy.sequences[0]);
  });

  it('the prompt writer draws an image from the text the language model wrote', async () => {
    const report = await run(example('prompt-writer'));
    const prompt = report.outputs.get('written')!.value as string;
    expect(prompt.length).toBeGreaterThan(3);
    const image = report.outputs.get('image')!.image as { width: number; height: number };
    expect([image.width, image.height]).toEqual([64, 64]);
    expect(typeof report.outputs.get('score')!.value).toBe('number');
  });
});

describe('Generate Text behaviour', () => {
  it('streams the text onto the node as it grows, with tokens per second', async () => {
    const g = produce(example('decoding-strategies'), (d) => {
      d.nodes = d.nodes.filter((n) => ['lm', 'prompt', 'greedy', 'out-greedy'].includes(n.id));
      d.edges = d.edges.filter((e) => ['greedy', 'out-greedy'].includes(e.to.node));
      // long enough to stream several times (the text streams at most every 40 ms)
      Object.assign(d.nodes.find((n) => n.id === 'greedy')!.params, { maxNewTokens: 220, minNewTokens: 220 });
    });
    const texts: string[] = [];
    const report = await runGraph(g, {
      registry,
      runtime: await createNodeRuntime({ backend: 'wasm' }),
      onEvent: (e) => {
        if (e.type === 'progress' && e.nodeId === 'greedy' && e.text !== undefined) texts.push(e.text);
      },
    });
    expect(report.status).toBe('ok');
    const final = report.outputs.get('out-greedy')!.value as string;
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const t of texts) expect(t).toMatch(/ ▍ [\d.]+ tok\/s$/);
    const streamed = texts.map((t) => t.replace(/ ▍ [\d.]+ tok\/s$/, ''));
    for (let i = 1; i < streamed.length; i++) expect(streamed[i].startsWith(streamed[i - 1])).toBe(true);
    expect(streamed[streamed.length - 1].trim()).toBe(final);
  });

  it('streams every step, and Cancel stops within one step', async () => {
    const { lm: model, ref, tok } = await lm();
    const ids = Array.from(tok.encode('Story:', { padding: 'none', truncation: false }).ids);
    const controller = new AbortController();
    const seen: number[] = [];
    const p = generate(model, {
      prompts: [ids],
      mode: 'sample',
      maxNewTokens: 60,
      eosTokenIds: [],
      padTokenId: ref.padTokenId,
      processors: { temperature: 1.5 },
      seed: 1,
      signal: controller.signal,
      onStep: ({ step }) => {
        seen.push(step);
        if (step === 3) controller.abort(new DOMException('cancelled', 'AbortError'));
      },
    });
    await expect(p).rejects.toThrow(/cancelled/);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(model.counted.calls).toBe(4);
  });

  it('min new tokens bans the end token until that many are written (transformers\' min_new_tokens)', async () => {
    const { lm: model, ref, tok } = await lm();
    const ids = Array.from(tok.encode('Prompt: two small', { padding: 'none', truncation: false }).ids);
    const base = { prompts: [ids], maxNewTokens: 30, eosTokenIds: ref.eosTokenIds, padTokenId: ref.padTokenId };
    const free = await generate(model, { ...base, mode: 'greedy' });
    expect(free.reasons[0]).toBe('eos');
    expect(free.sequences[0].length).toBeLessThan(12);
    const held = await generate(model, { ...base, mode: 'greedy', minNewTokens: 20 });
    const eosAt = held.sequences[0].findIndex((t) => ref.eosTokenIds.includes(t));
    expect(eosAt === -1 || eosAt >= 20).toBe(true);
    expect(held.sequences[0].slice(0, 20).some((t) => ref.eosTokenIds.includes(t))).toBe(false);
    const beam = await generate(model, { ...base, mode: 'beam', numBeams: 3, minNewTokens: 15 });
    expect(beam.sequences[0].length).toBeGreaterThanOrEqual(15);
  });

  it('stops at a stop string, keeping the token that completed it', async () => {
    const { lm: model, ref, tok } = await lm();
    const ids = Array.from(tok.encode('Scene: There is a large', { padding: 'none', truncation: false }).ids);
    const decode = (x: readonly number[]) => tok.decode(x, { trim: false });
    const free = await generate(model, { prompts: [ids], mode: 'greedy', maxNewTokens: 40, eosTokenIds: [], padTokenId: ref.padTokenId, decode });
    const freeText = decode(free.sequences[0]);
    expect(freeText).toContain('.');
    const r = await generate(model, { prompts: [ids], mode: 'greedy', maxNewTokens: 40, eosTokenIds: [], padTokenId: ref.padTokenId, decode, stopStrings: ['.'] });
    const text = decode(r.sequences[0]);
    expect(r.reasons[0]).toBe('stop string');
    expect(text.endsWith('.')).toBe(true);
    expect(freeText.startsWith(text)).toBe(true);
    expect(text.indexOf('.')).toBe(text.length - 1);
  });

  it('a beam trace holds every beam at every step, the fate of each candidate and the finished hypotheses', async () => {
    const g = produce(example('decoding-strategies'), (d) => {
      d.nodes = d.nodes.filter((n) => !['greedy', 'sample', 'out-greedy', 'out-sample', 'sample-trace'].includes(n.id));
      d.edges = d.edges.filter((e) => !['greedy', 'sample', 'out-greedy', 'out-sample'].includes(e.to.node) && !['greedy', 'sample'].includes(e.from.node));
    });
    const runtime = await createNodeRuntime({ backend: 'wasm' });
    const { runGraph: rg, ExecutionCache } = await import('@/engine/executor');
    const cache = new ExecutionCache();
    const report = await rg(g, { registry, runtime, cache });
    expect(report.status).toBe('ok');
    const trace = cache.get('beam')!.outputs!.trace;
    expect(isGenerationValue(trace)).toBe(true);
    if (!isGenerationValue(trace)) return;
    const tree = trace.beams![0];
    expect(tree.steps.length).toBeGreaterThan(1);
    for (const s of tree.steps) {
      expect(s.beams).toHaveLength(4);
      expect(s.candidates).toHaveLength(8);
      expect(s.candidates.filter((c) => c.fate === 'kept')).toHaveLength(4);
    }
    // the returned sequences are the best kept hypotheses, best first
    const kept = tree.finished.filter((f) => f.kept).sort((a, b) => b.score - a.score);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(trace.scores).toEqual(kept.slice(0, 2).map((f) => f.score));
    const probe = await probeValue(trace);
    expect(probe.kind).toBe('generation');
    if (probe.kind !== 'generation') return;
    expect(probe.beams!.steps).toHaveLength(tree.steps.length);
    expect(probe.texts).toHaveLength(2);
  });

  it('says which file is missing when a folder is not a language model', async () => {
    const g = produce(example('decoding-strategies'), (d) => {
      d.nodes.find((n) => n.id === 'lm')!.params.source = 'shipped:shapes-v1';
    });
    const report = await runGraph(g, { registry, runtime: await createNodeRuntime({ backend: 'wasm' }) });
    expect(report.status).toBe('error');
    expect(report.nodes.get('lm')!.error!.message).toMatch(/shipped:shapes-v1 has no config\.json: a language model folder needs config\.json, tokenizer\.json and onnx\/model\.onnx/);
  });
});
