import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { registry } from '@/nodes';
import { validateGraph } from '@/engine/graph/validate';
import type { Graph } from '@/engine/graph/document';
import { openGraph, type Opened } from '../openGraph';
import { encodePng } from '../png';
import { comfyFormatOf, reportLines, weftToComfy, type ImportReport } from './index';

const fixture = (name: string) => readFileSync(`tests/fixtures/comfy/${name}`, 'utf8');
const open = (name: string, text = fixture(name)): Extract<Opened, { ok: true }> => {
  const r = openGraph({ kind: 'text', name, text }, registry);
  if (!r.ok) throw new Error(r.lines.join('\n'));
  return r;
};
const report = (o: Extract<Opened, { ok: true }>): ImportReport => o.imported!.report;
const errors = (g: Graph) => validateGraph(g, registry).filter((i) => i.severity === 'error');
const types = (g: Graph) => g.nodes.map((n) => n.type).sort();
const node = (g: Graph, id: string) => g.nodes.find((n) => n.id === id)!;
const wire = (g: Graph, to: string, port: string) => {
  const e = g.edges.find((x) => x.to.node === to && x.to.port === port);
  return e ? `${e.from.node}.${e.from.port}` : undefined;
};

/** The Weft graph ComfyUI's default workflow becomes, whatever format it came in. */
function expectDefaultGraph(g: Graph) {
  expect(errors(g)).toEqual([]);
  expect(types(g)).toEqual(
    [
      'models.loadPipeline',
      'conditioning.prompt',
      'conditioning.tokenize',
      'conditioning.encodeText',
      'conditioning.prompt',
      'conditioning.tokenize',
      'conditioning.encodeText',
      'latent.empty',
      'sampling.scheduler',
      'latent.noise',
      'sampling.initialLatent',
      'sampling.sampler',
      'latent.vaeDecode',
      'output.image',
    ].sort(),
  );
  expect(node(g, 'comfy-4').params.source).toBe('store:v1-5-pruned-emaonly-fp16.safetensors');
  expect(node(g, 'comfy-6-text').params.text).toBe('beautiful scenery nature glass bottle landscape, , purple galaxy bottle,');
  expect(node(g, 'comfy-6-text').label).toBe('Prompt');
  expect(node(g, 'comfy-7-text').label).toBe('Negative prompt');
  expect(node(g, 'comfy-5').params).toMatchObject({ width: 512, height: 512, batch: 1 });
  expect(node(g, 'comfy-3-scheduler').params).toMatchObject({ scheduler: 'euler', steps: 20, spacing: 'linspace', karras: false, strength: 1 });
  expect(node(g, 'comfy-3-noise').params.seed).toBe(156680208700286);
  expect(node(g, 'comfy-3').params).toMatchObject({ guidance: 8, seed: 156680208700286 });
  expect(node(g, 'comfy-9').params.name).toBe('ComfyUI');
  expect(wire(g, 'comfy-3', 'unet')).toBe('comfy-4.unet');
  expect(wire(g, 'comfy-3', 'positive')).toBe('comfy-6.embedding');
  expect(wire(g, 'comfy-3', 'negative')).toBe('comfy-7.embedding');
  expect(wire(g, 'comfy-3-noise', 'latent')).toBe('comfy-5.latent');
  // From an empty latent at full denoise the start is pure noise: the latent is not mixed in.
  expect(wire(g, 'comfy-3-start', 'latent')).toBeUndefined();
  expect(wire(g, 'comfy-3-scheduler', 'pipeline')).toBe('comfy-4.pipeline');
  expect(wire(g, 'comfy-6-tokens', 'tokenizer')).toBe('comfy-4.tokenizer');
  expect(wire(g, 'comfy-8', 'latent')).toBe('comfy-3.latent');
  expect(wire(g, 'comfy-8', 'vae')).toBe('comfy-4.vae');
  expect(wire(g, 'comfy-9', 'image')).toBe('comfy-8.image');
  // Laid out so no node covers another (estimated sizes).
  const xs = g.nodes.map((n) => `${n.position.x},${n.position.y}`);
  expect(new Set(xs).size).toBe(xs.length);
}

describe('ComfyUI workflows in', () => {
  it('tells the three formats apart, and a Weft graph from them', () => {
    expect(comfyFormatOf(JSON.parse(fixture('default-api.json')))).toBe('api');
    expect(comfyFormatOf(JSON.parse(fixture('default-ui-0.4.json')))).toBe('ui-0.4');
    expect(comfyFormatOf(JSON.parse(fixture('default-ui-1.json')))).toBe('ui-1');
    expect(comfyFormatOf(JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')))).toBeUndefined();
    expect(comfyFormatOf({ nodes: 'x' })).toBeUndefined();
  });

  it.each(['default-api.json', 'default-ui-0.4.json', 'default-ui-1.json'])('opens the default workflow (%s) as the same Weft graph, with a report', (name) => {
    const o = open(name);
    expectDefaultGraph(o.graph);
    const r = report(o);
    expect(r.mapped.map((m) => m.classType).sort()).toEqual(['CLIPTextEncode', 'CLIPTextEncode', 'CheckpointLoaderSimple', 'EmptyLatentImage', 'KSampler', 'SaveImage', 'VAEDecode']);
    expect(r.unmapped).toEqual([]);
    const lines = reportLines(r);
    expect(lines[0]).toBe(`Imported a ComfyUI ${name.includes('api') ? 'API-format prompt' : `UI workflow (${name.includes('1.json') ? '1' : '0.4'})`}: 7 nodes mapped to 14 Weft nodes.`);
    expect(lines.join(' ')).toContain("ComfyUI's 'normal' takes the same evenly spaced timesteps");
    expect(lines.join(' ')).toContain("The checkpoint 'v1-5-pruned-emaonly-fp16.safetensors' is a model reference");
    expect(o.warnings.some((w) => w.code === 'comfy_import')).toBe(true);
  });

  it('opens a PNG ComfyUI saved (workflow and prompt text chunks), preferring the workflow', () => {
    const image = { kind: 'image' as const, width: 2, height: 2, channels: 4 as const, data: new Uint8ClampedArray(16).fill(200) };
    const both = encodePng(image, [
      ['prompt', fixture('default-api.json')],
      ['workflow', fixture('default-ui-0.4.json')],
    ]);
    const r = openGraph({ kind: 'file', name: 'ComfyUI_00001_.png', bytes: both }, registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expectDefaultGraph(r.graph);
    expect(r.imported!.report.format).toBe('ui-0.4');
    expect(r.graph.metadata.title).toBe('ComfyUI_00001_');
    const promptOnly = openGraph({ kind: 'file', name: 'p.png', bytes: encodePng(image, [['prompt', fixture('default-api.json')]]) }, registry);
    expect(promptOnly.ok && promptOnly.imported!.report.format).toBe('api');
    const none = openGraph({ kind: 'file', name: 'n.png', bytes: encodePng(image, [['parameters', 'a1111 text']]) }, registry);
    expect(none.ok).toBe(false);
    expect(!none.ok && none.lines[0]).toContain("Nor does it carry a ComfyUI workflow (text chunks 'workflow' or 'prompt')");
    const two = openGraph({ kind: 'file', name: 't.png', bytes: encodePng(image, [['workflow', '{}'], ['workflow', '{}']]) }, registry);
    expect(!two.ok && two.lines[0]).toContain("2 ComfyUI 'workflow' text chunks");
  });

  it('maps LoRA, reroutes, primitives, notes, groups, modes, KSamplerAdvanced img2img; keeps the rest as placeholders; says what differs', () => {
    const o = open('features-ui-0.4.json');
    const g = o.graph;
    const r = report(o);
    expect(g.metadata.title).toBe('Fox img2img');
    expect(r.unmapped.map((u) => `${u.classType}: ${u.reason}`)).toEqual(['UltimateSDUpscale: Weft has no node like it']);
    expect(r.folded).toEqual({ reroutes: 1, primitives: 1 });
    const lora = node(g, 'comfy-2');
    expect(lora.type).toBe('models.loadLora');
    expect(lora.params).toEqual({ source: 'store:pixel-art.safetensors', path: 'pixel-art.safetensors', unetStrength: 0.8, textEncoderStrength: 0.6 });
    expect(r.notes).toContain("The LoRA 'pixel-art.safetensors' is a file reference: import it in Models, or run with --set comfy-2.source=dir:/folder in the CLI");
    // The LoRA changes the UNet and the text encoder; the tokenizer and the scheduler's config still come from the checkpoint.
    expect(wire(g, 'comfy-2', 'unet')).toBe('comfy-1.unet');
    expect(wire(g, 'comfy-2', 'textEncoder')).toBe('comfy-1.textEncoder');
    expect(wire(g, 'comfy-9', 'unet')).toBe('comfy-2.unet');
    expect(wire(g, 'comfy-3', 'textEncoder')).toBe('comfy-2.textEncoder');
    expect(wire(g, 'comfy-3-tokens', 'tokenizer')).toBe('comfy-1.tokenizer');
    expect(wire(g, 'comfy-9-scheduler', 'pipeline')).toBe('comfy-1.pipeline');
    // The reroute folded: Noisy Start takes the encoded image; the primitive's seed became the sampler's.
    expect(wire(g, 'comfy-9-noise', 'latent')).toBe('comfy-6.latent');
    expect(wire(g, 'comfy-9-start', 'latent')).toBe('comfy-6.latent');
    expect(node(g, 'comfy-9-noise').params.seed).toBe(1234);
    expect(node(g, 'comfy-9-scheduler').params).toMatchObject({ steps: 30, strength: 0.6, scheduler: 'euler', spacing: 'trailing' });
    expect(node(g, 'comfy-9').params.guidance).toBe(6.5);
    expect(node(g, 'comfy-3').label).toBe('Positive');
    expect(node(g, 'comfy-11').mode).toBe('muted');
    expect(node(g, 'comfy-12').mode).toBe('bypassed');
    expect(node(g, 'comfy-13').params.text).toBe('Image to image with a LoRA.\nSeed fixed.');
    expect(node(g, 'comfy-5').label).toBe('Load Image: fox.png');
    expect(g.groups).toEqual([{ id: 'comfy-group-1', title: 'Prompts', colour: '#3f789e', nodes: expect.arrayContaining(['comfy-3', 'comfy-3-text', 'comfy-4']) }]);
    const text = reportLines(r).join('\n');
    expect(text).toContain("Weft has no 'heun' sampler; it runs Euler instead, so the image will differ");
    expect(text).toContain("'sgm_uniform'");
    expect(text).toContain("the image 'fox.png' is on the ComfyUI server");
    expect(text).toContain('1 reroute folded into wires; 1 primitive folded into the values they fed.');
    // The only errors are the ones a user must fix: the image to pick, nothing structural.
    expect(errors(g).map((e) => e.code)).toEqual([]);
  });

  it('treats ids and class names that are Object.prototype members as plain data', () => {
    const api = JSON.parse(fixture('default-api.json').replaceAll('"4"', '"isPrototypeOf"').replaceAll('"3"', '"toString"').replaceAll('"8"', '"hasOwnProperty"')) as Record<string, unknown>;
    (api as Record<string, unknown>)['valueOf'] = { class_type: '__proto__', inputs: { x: ['isPrototypeOf', 0], toString: 1 } };
    const o = open('proto.json', JSON.stringify(api));
    expect(errors(o.graph)).toEqual([]);
    expect(wire(o.graph, 'comfy-toString', 'unet')).toBe('comfy-isPrototypeOf.unet');
    expect(wire(o.graph, 'comfy-hasOwnProperty', 'latent')).toBe('comfy-toString.latent');
    expect(node(o.graph, 'comfy-valueOf')).toMatchObject({ type: 'comfy.__proto__', params: { class_type: '__proto__', inputs: { toString: 1 } } });
    const back = weftToComfy(o.graph).prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    expect(back['toString'].inputs.model).toEqual(['isPrototypeOf', 0]);
    expect(back['valueOf']).toMatchObject({ class_type: '__proto__', inputs: { x: ['isPrototypeOf', 0], toString: 1 } });
    // Keys a JSON object must never carry are refused as in a Weft file, with their path.
    const refused = openGraph({ kind: 'text', name: 'c.json', text: JSON.stringify({ constructor: { class_type: 'KSampler', inputs: {} } }) }, registry);
    expect(!refused.ok && refused.lines).toEqual(["constructor: the key 'constructor' is not allowed in a graph file"]);
  });

  it('keeps a subgraph instance as a placeholder, named', () => {
    const r = report(open('subgraph-ui-1.json'));
    expect(r.unmapped).toEqual([{ comfyId: '10', classType: 'a1b2c3d4-0000-4000-8000-000000000001', reason: "a subgraph ('Upscale twice'); Weft has no subgraphs" }]);
  });

  it('refuses malformed workflows with the path of the problem', () => {
    const bad = (value: unknown) => {
      const r = openGraph({ kind: 'text', name: 'bad.json', text: JSON.stringify(value) }, registry);
      expect(r.ok).toBe(false);
      return r.ok ? [] : r.lines;
    };
    expect(bad({ '3': { class_type: 'KSampler', inputs: { model: ['4', 0] } } })).toEqual(['["3"].inputs.model: links to node \'4\', which is not in the workflow']);
    expect(bad({ '3': { class_type: 'KSampler', inputs: 5 } })).toEqual(['["3"].inputs: inputs must be an object of input names']);
    expect(bad({ nodes: [{ id: 1, type: 'KSampler' }, { id: 1, type: 'VAEDecode' }], links: [] })).toEqual(['nodes[1].id: node id 1 is used twice']);
    expect(bad({ nodes: [{ id: 1, type: 'VAEDecode', inputs: [{ name: 'samples', link: 7 }] }], links: [[7, 9, 0, 1, 0, 'LATENT']] })).toEqual(['nodes[0].inputs[0].link: links to node 9, which is not in the workflow']);
    expect(bad({ nodes: [], links: [['x']] })[0]).toMatch(/^links\[0\]: a link is/);
    const deep: Record<string, unknown> = { class_type: 'X', inputs: {} };
    let d = deep.inputs as Record<string, unknown>;
    for (let i = 0; i < 40; i++) d = (d.a = {}) as Record<string, unknown>;
    expect(bad({ '1': deep })[0]).toMatch(/nested more than 32 levels deep/);
    expect(openGraph({ kind: 'text', name: 'p.json', text: '{"__proto__": {"class_type": "KSampler", "inputs": {}}}' }, registry).ok).toBe(false);
  });
});

describe('ComfyUI workflows out', () => {
  it('exports the imported default workflow back to the same API prompt, value for value', () => {
    const original = JSON.parse(fixture('default-api.json')) as Record<string, unknown>;
    for (const name of ['default-api.json', 'default-ui-0.4.json', 'default-ui-1.json']) {
      const { prompt, skipped } = weftToComfy(open(name).graph);
      expect(JSON.parse(JSON.stringify(prompt)), name).toEqual(original);
      expect(skipped, name).toEqual([]);
    }
  });

  it('keeps placeholders, mapped values and links through a round trip of the feature workflow', () => {
    const g = open('features-ui-0.4.json').graph;
    const { prompt } = weftToComfy(g);
    expect(prompt['2']).toEqual({ class_type: 'LoraLoader', inputs: { model: ['1', 0], clip: ['1', 1], lora_name: 'pixel-art.safetensors', strength_model: 0.8, strength_clip: 0.6 }, _meta: { title: 'Load LoRA' } });
    expect(prompt['9'].inputs).toMatchObject({ model: ['2', 0], positive: ['3', 0], negative: ['4', 0], latent_image: ['6', 0], seed: 1234, steps: 30, cfg: 6.5, denoise: 0.6 });
    expect(prompt['3']).toEqual({ class_type: 'CLIPTextEncode', inputs: { text: 'a red fox, pixel art', clip: ['2', 1] }, _meta: { title: 'Positive' } });
    expect(prompt['6'].inputs).toEqual({ pixels: ['5', 0], vae: ['1', 2] });
    // The muted custom node stays out (ComfyUI leaves muted nodes out of a prompt too).
    expect(prompt['11']).toBeUndefined();
    // Read again, the export is the same Weft graph (ids, values and wires).
    const again = open('again.json', JSON.stringify(prompt)).graph;
    for (const n of again.nodes) {
      const before = node(g, n.id);
      expect(before, n.id).toBeDefined();
      // An API prompt has no widget order: a placeholder keeps its values by name.
      const { widgets_values: _w, inputOrder: _o, ...kept } = before.params;
      const { inputOrder: _o2, ...now } = n.params;
      expect(now, n.id).toEqual(n.type.startsWith('comfy.') ? kept : before.params);
    }
  });

  it('exports a graph built in Weft, naming what ComfyUI cannot take', () => {
    const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')) as Graph;
    const { prompt, skipped } = weftToComfy(g);
    const classes = Object.values(prompt).map((n) => n.class_type).sort();
    expect(classes).toEqual(['CLIPTextEncode', 'CLIPTextEncode', 'CheckpointLoaderSimple', 'EmptyLatentImage', 'KSampler', 'SaveImage', 'VAEDecode']);
    const ks = Object.values(prompt).find((n) => n.class_type === 'KSampler')!;
    expect(ks.inputs).toMatchObject({ seed: 42, steps: 20, cfg: 5, sampler_name: 'euler', scheduler: 'normal', denoise: 1 });
    expect(skipped).toEqual([]);
    const reward = weftToComfy(JSON.parse(readFileSync('examples/best-of-n.json', 'utf8')) as Graph);
    expect(reward.skipped.some((s) => s.includes('analysis.reward') && s.includes('ComfyUI has no node like it'))).toBe(true);
  });
});
