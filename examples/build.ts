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

function loraHeart(): Graph {
  const b = new Builder(
    'Teach it a new shape (LoRA)',
    'shapes-v1 was never shown a heart. A LoRA trained on 16 renders (loras/heart.safetensors, 0.5 MB) adds one: the same prompt and seed drawn with the base UNet (bottom) and with the LoRA (top).',
  );
  front(b, { prompt: 'a large red heart in the centre', seed: 2 });
  b.node('lora', 'models.loadLora', 820, 80, { source: 'shipped:shapes-v1', path: 'loras/heart.safetensors', unetStrength: 1, textEncoderStrength: 0 }, { label: 'Load LoRA: heart' });
  b.wire('pipeline.unet', 'lora.unet');
  sampleAndDecode(b, 1100);
  b.graph.edges = b.graph.edges.filter((e) => !(e.to.node === 'sampler' && e.to.port === 'unet'));
  b.wire('lora.unet', 'sampler.unet');
  b.graph.nodes.find((n) => n.id === 'image')!.params.name = 'with-lora';
  sampleRow(b, 'base', 700, 'pipeline.unet', 'pipeline.vae', 'base UNet');
  b.node('lora-info', 'output.value', 1940, 200, { name: 'lora-info' }, { label: 'What the LoRA changes' });
  b.wire('lora.info', 'lora-info.value');
  return b.graph;
}

/**
 * A second sampler row with its own UNet and VAE ports (compare examples): from `start` on the main
 * schedule unless the row brings its own.
 */
function sampleRow(
  b: Builder,
  suffix: string,
  y: number,
  unet: string,
  vae: string,
  label: string,
  row: { schedule?: string; start?: string; guidance?: number; name?: string } = {},
): void {
  b.node(`sampler-${suffix}`, 'sampling.sampler', 1100, y, { guidance: row.guidance ?? 5 }, { label: `Sampler (${label})` });
  b.node(`decode-${suffix}`, 'latent.vaeDecode', 1400, y + 60);
  b.node(`image-${suffix}`, 'output.image', 1660, y + 60, { name: row.name ?? suffix });
  b.wire(unet, `sampler-${suffix}.unet`);
  b.wire(row.schedule ?? 'scheduler.schedule', `sampler-${suffix}.schedule`);
  b.wire(row.start ?? 'start.latent', `sampler-${suffix}.latent`);
  b.wire('encode.embedding', `sampler-${suffix}.positive`);
  b.wire('encode-negative.embedding', `sampler-${suffix}.negative`);
  b.wire(vae, `sampler-${suffix}.vae`);
  b.wire(vae, `decode-${suffix}.vae`);
  b.wire(`sampler-${suffix}.latent`, `decode-${suffix}.latent`);
  b.wire(`decode-${suffix}.image`, `image-${suffix}.image`);
}

function compareVariants(): Graph {
  const b = new Builder(
    'Compare variants: fp32, fp16, int8',
    'One prompt and seed through the shipped UNet and VAE decoder (top), their float16 copy and their int8 copy: Quantize Model says how much smaller each got and how long its session took; the images show what it cost.',
  );
  front(b, { prompt: 'a small blue star at the top right' });
  sampleAndDecode(b, 1100);
  b.graph.nodes.find((n) => n.id === 'image')!.params.name = 'fp32';
  b.node('fp16', 'models.quantize', 820, 680, { to: 'fp16' }, { label: 'Quantize: fp16' });
  b.node('int8', 'models.quantize', 820, 1180, { to: 'int8' }, { label: 'Quantize: int8' });
  for (const q of ['fp16', 'int8']) {
    b.wire('pipeline.unet', `${q}.unet`);
    b.wire('pipeline.vae', `${q}.vae`);
  }
  sampleRow(b, 'fp16', 700, 'fp16.unet', 'fp16.vae', 'fp16');
  sampleRow(b, 'int8', 1200, 'int8.unet', 'int8.vae', 'int8');
  for (const [q, y] of [['fp16', 700], ['int8', 1200]] as const) {
    b.node(`${q}-info`, 'output.value', 1940, y, { name: `${q}-info` }, { label: `${q}: sizes and times` });
    b.wire(`${q}.info`, `${q}-info.value`);
  }
  return b.graph;
}

function fewSteps(): Graph {
  const b = new Builder(
    '1 step vs 20 steps (distilled student)',
    'The teacher UNet at 20 Euler steps with guidance 5 (top) against unet_lcm, its consistency-distilled student, at 1, 2 and 4 LCM steps with guidance 1 (one UNet call a step: the guidance is in its weights). Same prompt, same noise.',
  );
  front(b, { prompt: 'a large green triangle at the top left' });
  sampleAndDecode(b, 1100);
  b.graph.nodes.find((n) => n.id === 'image')!.params.name = 'teacher-20';
  b.node('student', 'models.loadModel', 0, 1100, { source: 'shipped:shapes-v1', path: 'unet_lcm/model.onnx', role: 'unet' }, { label: 'Load Model: unet_lcm' });
  ([[1, 1100], [2, 1600], [4, 2100]] as const).forEach(([steps, y]) => {
    const s = `lcm${steps}`;
    b.node(`scheduler-${s}`, 'sampling.scheduler', 560, y, { scheduler: 'lcm', steps }, { label: `Scheduler: LCM, ${steps} step${steps > 1 ? 's' : ''}` });
    b.node(`start-${s}`, 'sampling.initialLatent', 820, y + 240);
    b.wire('pipeline.pipeline', `scheduler-${s}.pipeline`);
    b.wire(`scheduler-${s}.schedule`, `start-${s}.schedule`);
    b.wire('noise.noise', `start-${s}.noise`);
    sampleRow(b, s, y, 'student.model', 'pipeline.vae', `student, ${steps}`, { schedule: `scheduler-${s}.schedule`, start: `start-${s}.latent`, guidance: 1, name: `student-${steps}` });
  });
  return b.graph;
}

function promptWriter(): Graph {
  const b = new Builder(
    'Prompt writer → image',
    'A language model writes the prompt: shapes-lm-v1 continues “Prompt:” by sampling (temperature 0.8); shapes-v1 draws what it wrote and the reward model scores the match.',
  );
  front(b);
  // The language model's text takes the place of the typed prompt.
  b.graph.nodes = b.graph.nodes.filter((n) => n.id !== 'prompt');
  b.graph.edges = b.graph.edges.filter((e) => e.from.node !== 'prompt');
  b.node('lm', 'textgen.loadLanguageModel', -620, -200);
  b.node('start-text', 'values.text', -620, 120, { value: 'Prompt:' }, { label: 'Start of the prompt' });
  b.node('writer', 'textgen.generate', -320, -120, { strategy: 'sample', temperature: 0.8, maxNewTokens: 40, seed: 7 }, { label: 'Write a prompt' });
  b.node('written', 'output.value', 0, -320, { name: 'prompt' });
  b.wire('lm.model', 'writer.model');
  b.wire('start-text.text', 'writer.prompt');
  b.wire('writer.text', 'tokenize.text');
  b.wire('writer.text', 'written.value');
  sampleAndDecode(b, 1100);
  b.node('reward', 'analysis.reward', 1960, 480);
  b.node('score', 'output.value', 2240, 480, { name: 'score' });
  b.wire('pipeline.reward', 'reward.reward');
  b.wire('pipeline.tokenizer', 'reward.tokenizer');
  b.wire('decode.image', 'reward.image');
  b.wire('writer.text', 'reward.text');
  b.wire('reward.score', 'score.value');
  b.graph.groups.push({ id: 'writer-group', title: 'The language model writes the prompt', colour: '#4a3d6b', nodes: ['lm', 'start-text', 'writer', 'written'] });
  return b.graph;
}

function decodingStrategies(): Graph {
  const b = new Builder(
    'Decoding strategies side by side',
    'One prompt, three ways to pick tokens: greedy (always the likeliest), beam search (4 beams: probe its trace for the beam tree) and sampling (temperature 0.8, top-p 0.9). Probe each trace to see every choice.',
  );
  b.node('lm', 'textgen.loadLanguageModel', 0, 240);
  b.node('prompt', 'values.text', 0, 0, { value: 'Story: The small red circle' }, { label: 'Prompt' });
  b.node('greedy', 'textgen.generate', 320, -200, { strategy: 'greedy', maxNewTokens: 32 }, { label: 'Greedy' });
  b.node('beam', 'textgen.generate', 620, -200, { strategy: 'beam', numBeams: 4, maxNewTokens: 32, numReturnSequences: 2 }, { label: 'Beam search' });
  b.node('sample', 'textgen.generate', 920, -200, { strategy: 'sample', temperature: 0.8, topP: 0.9, maxNewTokens: 32, seed: 3 }, { label: 'Sampling' });
  b.node('out-greedy', 'output.value', 1240, -200, { name: 'greedy' });
  b.node('out-beam', 'output.value', 1240, 40, { name: 'beam' });
  b.node('out-sample', 'output.value', 1240, 520, { name: 'sample' });
  b.node('beam-trace', 'output.value', 1240, 280, { name: 'beam-trace' }, { label: 'Beam tree (probe the wire)' });
  b.node('sample-trace', 'output.value', 1240, 760, { name: 'sample-trace' }, { label: 'Every sampled token (probe the wire)' });
  for (const n of ['greedy', 'beam', 'sample']) {
    b.wire('lm.model', `${n}.model`);
    b.wire('prompt.text', `${n}.prompt`);
    b.wire(`${n}.text`, `out-${n}.value`);
  }
  b.wire('beam.trace', 'beam-trace.value');
  b.wire('sample.trace', 'sample-trace.value');
  return b.graph;
}

function decodingLoop(): Graph {
  const b = new Builder(
    'The decoding loop, token by token',
    'What Generate Text does inside, as a repeat zone: the prompt is read once (prefill) and its first token picked; then each iteration runs the model on the newest token only, with the KV cache of everything before, and samples one more.',
  );
  b.node('lm', 'textgen.loadLanguageModel', 0, 260);
  b.node('prompt', 'values.text', 0, 0, { value: 'Prompt: a large' }, { label: 'Prompt' });
  b.node('tokenize', 'textgen.tokenize', 300, 0);
  b.node('prefill', 'textgen.nextTokenLogits', 560, 120, {}, { label: 'Read the prompt (prefill)' });
  b.node('first', 'textgen.sampleToken', 840, 0, { strategy: 'sample', temperature: 0.8, topK: 20, topP: 0.9, seed: 5 }, { label: 'First token' });
  b.node('choices', 'output.value', 1140, -200, { name: 'first-choices' }, { label: 'First token: before and after each processor (probe the wire)' });
  b.node('loop-in', 'flow.repeatInput', 1140, 120, { iterations: 24 }, { label: 'Decoding loop' });
  b.node('step', 'textgen.nextTokenLogits', 1420, 200, {}, { label: 'One step (newest token + cache)' });
  b.node('pick', 'textgen.sampleToken', 1720, 80, { strategy: 'sample', temperature: 0.8, seed: 5 }, { label: 'Sample the next token' });
  b.node('loop-out', 'flow.repeatOutput', 2020, 120);
  b.node('decode', 'textgen.decode', 2300, 120);
  b.node('out', 'output.value', 2560, 120, { name: 'text' });
  b.graph.zones.push({
    id: 'decode-loop',
    kind: 'repeat',
    title: 'Decoding loop: one model step and one sampled token per iteration',
    inputNode: 'loop-in',
    outputNode: 'loop-out',
    nodes: ['step', 'pick'],
    carried: [
      { name: 'tokens', type: 'tokens' },
      { name: 'cache', type: 'kvCache' },
    ],
  });
  b.wire('lm.model', 'tokenize.model');
  b.wire('prompt.text', 'tokenize.text');
  b.wire('lm.model', 'prefill.model');
  b.wire('tokenize.tokens', 'prefill.tokens');
  b.wire('prefill.logits', 'first.logits');
  b.wire('tokenize.tokens', 'first.tokens');
  b.wire('first.tokens', 'loop-in.tokens');
  b.wire('prefill.cache', 'loop-in.cache');
  b.wire('first.processed', 'choices.value');
  b.wire('lm.model', 'step.model');
  b.wire('loop-in.tokens', 'step.tokens');
  b.wire('loop-in.cache', 'step.cache');
  b.wire('step.logits', 'pick.logits');
  b.wire('loop-in.tokens', 'pick.tokens');
  b.wire('pick.tokens', 'loop-out.tokens');
  b.wire('step.cache', 'loop-out.cache');
  b.wire('lm.model', 'decode.model');
  b.wire('loop-out.tokens', 'decode.tokens');
  b.wire('decode.text', 'out.value');
  return b.graph;
}

export const EXAMPLES: Record<string, () => Graph> = {
  'text-to-image': textToImage,
  'text-to-image-sampler': compactSampler,
  'detect-and-score': detectAndScore,
  'image-to-image': imageToImage,
  'best-of-n': bestOfN,
  'prompt-writer': promptWriter,
  'lora-heart': loraHeart,
  'compare-variants': compareVariants,
  'few-steps': fewSteps,
  'decoding-strategies': decodingStrategies,
  'decoding-loop': decodingLoop,
};

export function exampleJson(name: string): string {
  return JSON.stringify(EXAMPLES[name](), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const name of Object.keys(EXAMPLES)) writeFileSync(path.join(here, `${name}.json`), exampleJson(name));
  console.log(`wrote ${Object.keys(EXAMPLES).length} examples`);
}
