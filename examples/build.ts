/**
 * Writes the example graphs (examples/*.json) from code, so their wiring stays consistent.
 * Run: npx tsx examples/build.ts   (a test checks the committed files match this output)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Graph, GraphNode } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { defaultParams } from '@/engine/commands/commands';

const here = path.dirname(fileURLToPath(import.meta.url));

class Builder {
  graph: Graph;
  private edgeCount = 0;
  constructor(title: string, description: string) {
    this.graph = { schemaVersion: 1, metadata: { title, description }, nodes: [], edges: [], zones: [], groups: [] };
  }
  node(id: string, type: string, x: number, y: number, params: Record<string, unknown> = {}, extra: Partial<GraphNode> = {}): string {
    const def = registry.get(type);
    if (!def) throw new Error(`unknown type ${type}`);
    this.graph.nodes.push({ id, type, typeVersion: def.version, position: { x, y }, params: { ...defaultParams(def), ...params }, mode: 'normal', ...extra });
    return id;
  }
  wire(from: string, to: string): void {
    const [fn, fp] = from.split('.');
    const [tn, tp] = to.split('.');
    this.graph.edges.push({ id: `e${++this.edgeCount}`, from: { node: fn, port: fp }, to: { node: tn, port: tp } });
  }
}

const PROMPT = 'a large red circle on the left';

/** Pipeline, prompts, tokenizers, encoders, scheduler, noise: the front half every example shares. */
function front(b: Builder, opts: { prompt?: string; batch?: number; strength?: number; seed?: number } = {}): void {
  // Rows 180 apart and a gap under every node at full size (a test checks no node covers another).
  b.node('pipeline', 'models.loadPipeline', 0, 360);
  b.node('prompt', 'conditioning.prompt', 0, 0, { text: opts.prompt ?? PROMPT });
  b.node('negative', 'conditioning.prompt', 0, 180, { text: '' }, { label: 'Negative prompt' });
  b.node('tokenize', 'conditioning.tokenize', 300, 0);
  b.node('tokenize-negative', 'conditioning.tokenize', 300, 180);
  b.node('encode', 'conditioning.encodeText', 560, 0);
  b.node('encode-negative', 'conditioning.encodeText', 560, 180);
  b.node('scheduler', 'sampling.scheduler', 300, 380, { scheduler: 'euler', steps: 20, strength: opts.strength ?? 1 });
  b.node('empty', 'latent.empty', 300, 800, { batch: opts.batch ?? 1 });
  b.node('noise', 'latent.noise', 560, 800, { seed: opts.seed ?? 42 });
  b.node('start', 'sampling.initialLatent', 820, 440);
  b.wire('pipeline.tokenizer', 'tokenize.tokenizer');
  b.wire('prompt.text', 'tokenize.text');
  b.wire('pipeline.tokenizer', 'tokenize-negative.tokenizer');
  b.wire('negative.text', 'tokenize-negative.text');
  b.wire('pipeline.textEncoder', 'encode.textEncoder');
  b.wire('tokenize.tokens', 'encode.tokens');
  b.wire('pipeline.textEncoder', 'encode-negative.textEncoder');
  b.wire('tokenize-negative.tokens', 'encode-negative.tokens');
  b.wire('pipeline.pipeline', 'scheduler.pipeline');
  b.wire('pipeline.vae', 'empty.vae');
  b.wire('empty.latent', 'noise.latent');
  b.wire('scheduler.schedule', 'start.schedule');
  b.wire('noise.noise', 'start.noise');
}

/** The compact sampler and decode, from `start` to an image output. */
function sampleAndDecode(b: Builder, x: number): void {
  b.node('sampler', 'sampling.sampler', x, 200, { guidance: 5 });
  b.node('decode', 'latent.vaeDecode', x + 300, 260);
  b.node('image', 'output.image', x + 560, 260, { name: 'image' });
  b.wire('pipeline.unet', 'sampler.unet');
  b.wire('scheduler.schedule', 'sampler.schedule');
  b.wire('start.latent', 'sampler.latent');
  b.wire('encode.embedding', 'sampler.positive');
  b.wire('encode-negative.embedding', 'sampler.negative');
  b.wire('pipeline.vae', 'sampler.vae');
  b.wire('pipeline.vae', 'decode.vae');
  b.wire('sampler.latent', 'decode.latent');
  b.wire('decode.image', 'image.image');
}

function textToImage(): Graph {
  const b = new Builder(
    'Text to image, step by step',
    'How text becomes an image: the prompt is tokenized and encoded; a repeat zone runs the denoising loop, ' +
      'one UNet step and one scheduler step per timestep, starting from seeded noise; the VAE turns the final latent into pixels.',
  );
  front(b);
  b.node('loop-in', 'flow.repeatInput', 1100, 300, { iterations: 20 }, { label: 'Denoising loop' });
  b.node('unet-step', 'sampling.unetStep', 1380, 180, { guidance: 5 });
  b.node('scheduler-step', 'sampling.schedulerStep', 1680, 300);
  b.node('loop-out', 'flow.repeatOutput', 1980, 300);
  b.node('decode', 'latent.vaeDecode', 2240, 360);
  b.node('image', 'output.image', 2500, 360, { name: 'image' });
  b.graph.zones.push({
    id: 'denoise',
    kind: 'repeat',
    title: 'Denoising loop: one UNet step and one scheduler step per timestep',
    inputNode: 'loop-in',
    outputNode: 'loop-out',
    nodes: ['unet-step', 'scheduler-step'],
    carried: [
      { name: 'latent', type: 'latent' },
      { name: 'state', type: 'schedulerState' },
    ],
  });
  b.wire('scheduler.steps', 'loop-in.iterations');
  b.wire('start.latent', 'loop-in.latent');
  b.wire('scheduler.state', 'loop-in.state');
  b.wire('pipeline.unet', 'unet-step.unet');
  b.wire('loop-in.latent', 'unet-step.latent');
  b.wire('scheduler.schedule', 'unet-step.schedule');
  b.wire('loop-in.index', 'unet-step.step');
  b.wire('encode.embedding', 'unet-step.positive');
  b.wire('encode-negative.embedding', 'unet-step.negative');
  b.wire('scheduler.schedule', 'scheduler-step.schedule');
  b.wire('loop-in.index', 'scheduler-step.step');
  b.wire('loop-in.latent', 'scheduler-step.latent');
  b.wire('unet-step.noisePrediction', 'scheduler-step.noisePrediction');
  b.wire('loop-in.state', 'scheduler-step.state');
  b.wire('scheduler-step.latent', 'loop-out.latent');
  b.wire('scheduler-step.state', 'loop-out.state');
  b.wire('pipeline.vae', 'decode.vae');
  b.wire('loop-out.latent', 'decode.latent');
  b.wire('decode.image', 'image.image');
  b.graph.groups.push({ id: 'text', title: 'Text → embedding', colour: '#2d4a6b', nodes: ['prompt', 'negative', 'tokenize', 'tokenize-negative', 'encode', 'encode-negative'] });
  return b.graph;
}

function compactSampler(): Graph {
  const b = new Builder('Text to image (sampler)', 'The same pipeline with the whole denoising loop in one Sampler node, previewing every step.');
  front(b);
  sampleAndDecode(b, 1100);
  return b.graph;
}

function detectAndScore(): Graph {
  const b = new Builder('Generate, detect and score', 'Generates an image, then the detector finds its shapes and the reward model scores how well it matches the prompt.');
  front(b, { prompt: 'a small blue star at the top right' });
  sampleAndDecode(b, 1100);
  b.node('detect', 'analysis.detect', 1960, 60);
  b.node('overlay', 'output.image', 2240, 60, { name: 'overlay' });
  b.node('detections', 'output.value', 2240, -320, { name: 'detections' });
  b.node('reward', 'analysis.reward', 1960, 480);
  b.node('score', 'output.value', 2240, 480, { name: 'score' });
  b.wire('pipeline.detector', 'detect.detector');
  b.wire('decode.image', 'detect.image');
  b.wire('detect.overlay', 'overlay.image');
  b.wire('detect.detections', 'detections.value');
  b.wire('pipeline.reward', 'reward.reward');
  b.wire('pipeline.tokenizer', 'reward.tokenizer');
  b.wire('decode.image', 'reward.image');
  b.wire('prompt.text', 'reward.text');
  b.wire('reward.score', 'score.value');
  return b.graph;
}

function imageToImage(): Graph {
  const b = new Builder('Image to image', 'Encodes a picture with the VAE, noises it part way (strength 0.6) and denoises it towards a new prompt.');
  front(b, { prompt: 'a large red square in the centre', strength: 0.6 });
  const png = readFileSync(path.join(here, '../tests/fixtures/images/blue-square.png')).toString('base64');
  b.node('source', 'image.load', 0, 680, { dataUrl: `data:image/png;base64,${png}` }, { label: 'Source image' });
  b.node('encode-image', 'latent.vaeEncode', 300, 800);
  b.wire('source.image', 'encode-image.image');
  b.wire('pipeline.vaeEncoder', 'encode-image.vaeEncoder');
  // The noise takes its shape from the image latent, and the start latent noises that latent.
  b.graph.edges = b.graph.edges.filter((e) => !(e.to.node === 'noise' && e.to.port === 'latent'));
  b.graph.nodes = b.graph.nodes.filter((n) => n.id !== 'empty');
  b.graph.edges = b.graph.edges.filter((e) => e.from.node !== 'empty' && e.to.node !== 'empty');
  b.wire('encode-image.latent', 'noise.latent');
  b.wire('encode-image.latent', 'start.latent');
  sampleAndDecode(b, 1100);
  return b.graph;
}

function bestOfN(): Graph {
  const b = new Builder('Best of 4', 'Generates four seeds at once as a batch; the reward model scores each and the best one is kept.');
  front(b, { prompt: 'two small yellow stars', batch: 4 });
  sampleAndDecode(b, 1100);
  b.graph.nodes.find((n) => n.id === 'image')!.params.name = 'all';
  b.node('reward', 'analysis.reward', 1960, 480);
  b.node('best', 'image.selectBest', 2240, 420);
  b.node('best-image', 'output.image', 2500, 400, { name: 'best' });
  b.node('best-score', 'output.value', 2500, 540, { name: 'best-score' });
  b.wire('pipeline.reward', 'reward.reward');
  b.wire('pipeline.tokenizer', 'reward.tokenizer');
  b.wire('decode.image', 'reward.image');
  b.wire('prompt.text', 'reward.text');
  b.wire('decode.image', 'best.images');
  b.wire('reward.score', 'best.scores');
  b.wire('best.image', 'best-image.image');
  b.wire('best.score', 'best-score.value');
  return b.graph;
}

export const EXAMPLES: Record<string, () => Graph> = {
  'text-to-image': textToImage,
  'text-to-image-sampler': compactSampler,
  'detect-and-score': detectAndScore,
  'image-to-image': imageToImage,
  'best-of-n': bestOfN,
};

export function exampleJson(name: string): string {
  return JSON.stringify(EXAMPLES[name](), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const name of Object.keys(EXAMPLES)) writeFileSync(path.join(here, `${name}.json`), exampleJson(name));
  console.log(`wrote ${Object.keys(EXAMPLES).length} examples`);
}
