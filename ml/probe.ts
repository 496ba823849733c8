import { histogram, type Histogram } from '@/engine/histogram';
import { tensorStats, type TensorStats } from '@/engine/tensorStats';
import { isImageValue, isTensorValue, type ImageValue, type TensorValue, type TypedArray } from '@/engine/values';
import type { Schedule } from './schedulers';
import { float16ToFloat32 } from './runtime/float16';
import { resizeImage } from './image';
import { latentPreview, type LatentRgbFactors } from './preview';
import type { Detection, DetectionsValue, ScheduleValue, TokensValue } from './values';
import { probeGeneration, probeLogits, type GenerationProbe, type LogitsProbe } from './text/probe';
import { isGenerationValue, isLogitsValue } from './text/values';

/**
 * What the wire probe shows for a value: small enough to cross to the page, computed where the
 * value lives (the engine worker) and only when someone hovers or clicks the wire.
 */
export type ProbeSummary =
  | TensorProbe
  | { kind: 'image'; width: number; height: number; thumbnail: ImageValue }
  | { kind: 'tokens'; text: string; length: number; padded: number; truncated: boolean; pieces: { id: number; piece: string }[] }
  | { kind: 'schedule'; scheduler: string; steps: number; startIndex: number; sigmas: number[]; sigmaFrom: 'sigmas' | 'alphas'; timesteps: number[] }
  | { kind: 'detections'; width: number; height: number; items: (readonly Detection[])[]; image?: ImageValue }
  | { kind: 'scalar'; value: number | string | boolean | null }
  | { kind: 'list'; length: number; items: ProbeSummary[] }
  | LogitsProbe
  | GenerationProbe
  | { kind: 'other'; label: string; text: string };

export interface TensorProbe {
  kind: 'tensor';
  dtype: string;
  dims: number[];
  location: 'cpu' | 'gpu';
  stats: TensorStats;
  histogram: Histogram;
  /** A latent shown as colours (the cheap projection the sampler previews use), first item. */
  picture?: ImageValue;
}

export interface ProbeOptions {
  /** The wire's port type: a `latent` also gets a colour picture. */
  portType?: string;
  /** Latent → RGB factors (from the graph's VAE config, or SD's). */
  latentRgb?: LatentRgbFactors;
  /** The picture detections were found in, drawn under the boxes. */
  image?: unknown;
}

const HISTOGRAM_BINS = 40;
const THUMBNAIL_SIDE = 256;
const LIST_ITEMS = 8;

export async function probeValue(value: unknown, options: ProbeOptions = {}, depth = 0): Promise<ProbeSummary> {
  if (value === undefined || value === null) return { kind: 'scalar', value: null };
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return { kind: 'scalar', value };
  if (typeof value === 'bigint') return { kind: 'scalar', value: Number(value) };
  if (isTensorValue(value)) return probeTensor(value, options);
  if (isImageValue(value)) return { kind: 'image', width: value.width, height: value.height, thumbnail: thumbnail(value) };
  if (Array.isArray(value)) {
    if (depth >= 2) return { kind: 'other', label: 'list', text: `${value.length} items` };
    const items: ProbeSummary[] = [];
    for (const v of value.slice(0, LIST_ITEMS)) items.push(await probeValue(v, { ...options, image: undefined }, depth + 1));
    return { kind: 'list', length: value.length, items };
  }
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'tokens') return probeTokens(value as TokensValue);
  if (isLogitsValue(value)) return probeLogits(value);
  if (isGenerationValue(value)) return probeGeneration(value);
  if (kind === 'schedule') return probeSchedule(value as ScheduleValue);
  if (kind === 'detections') {
    const d = value as DetectionsValue;
    const picture = Array.isArray(options.image) ? options.image[0] : options.image;
    return {
      kind: 'detections',
      width: d.width,
      height: d.height,
      items: d.items.map((list) => [...list]),
      ...(isImageValue(picture) ? { image: thumbnail(picture) } : {}),
    };
  }
  return describeOther(value);
}

/** Statistics and a histogram over the whole tensor (read back from the GPU only now). */
export async function probeTensor(t: TensorValue, options: ProbeOptions = {}): Promise<TensorProbe> {
  const data = numericData(t, await t.read());
  const stats = tensorStats(data);
  const probe: TensorProbe = {
    kind: 'tensor',
    dtype: t.dtype,
    dims: [...t.dims],
    location: t.location,
    stats,
    histogram: histogram(data, stats.min, stats.max, HISTOGRAM_BINS),
  };
  if (options.portType === 'latent' && t.dims.length === 4 && data instanceof Float32Array && options.latentRgb) {
    probe.picture = latentPreview(data, t.dims, options.latentRgb);
  }
  return probe;
}

/** CPU float16 tensors carry bit patterns; everything else reads as its own numbers. */
function numericData(t: TensorValue, data: TypedArray): TypedArray {
  return t.dtype === 'float16' && data instanceof Uint16Array ? float16ToFloat32(data) : data;
}

export function probeTokens(v: TokensValue): ProbeSummary {
  const n = Math.min(v.length, v.ids.length);
  const pieces: { id: number; piece: string }[] = [];
  for (let i = 0; i < n; i++) pieces.push({ id: v.ids[i], piece: v.pieces?.[i] ?? `#${v.ids[i]}` });
  return { kind: 'tokens', text: v.text, length: v.length, padded: v.ids.length, truncated: v.truncated, pieces };
}

export function probeSchedule(v: ScheduleValue): ProbeSummary {
  const { sigmas, from } = scheduleSigmas(v.schedule);
  return {
    kind: 'schedule',
    scheduler: v.scheduler,
    steps: v.schedule.numInferenceSteps,
    startIndex: v.startIndex,
    sigmas,
    sigmaFrom: from,
    timesteps: [...v.schedule.timesteps],
  };
}

/**
 * The noise level σ at each step: the schedule's own sigmas (Euler, DPM++), or for the
 * alpha-based schedulers (DDPM, DDIM, LCM) σ = √((1 − ᾱ) / ᾱ), the same quantity.
 */
export function scheduleSigmas(s: Schedule): { sigmas: number[]; from: 'sigmas' | 'alphas' } {
  if (s.sigmas) return { sigmas: [...s.sigmas], from: 'sigmas' };
  const a = s.alphaProd ?? [];
  return { sigmas: a.map((x) => Math.sqrt((1 - x) / x)), from: 'alphas' };
}

function thumbnail(img: ImageValue): ImageValue {
  const side = Math.max(img.width, img.height);
  if (side <= THUMBNAIL_SIDE) return img;
  const k = THUMBNAIL_SIDE / side;
  return resizeImage(img, Math.max(1, Math.round(img.width * k)), Math.max(1, Math.round(img.height * k)));
}

function describeOther(value: unknown): ProbeSummary {
  const v = value as { kind?: unknown; name?: unknown; role?: unknown };
  const label = typeof v.kind === 'string' ? v.kind : 'value';
  if (label === 'model' || label === 'tokenizer' || label === 'pipeline') {
    const name = typeof v.name === 'string' ? v.name : '';
    return { kind: 'other', label, text: `${name}${typeof v.role === 'string' ? ` (${v.role})` : ''}` };
  }
  let text: string;
  try {
    text = JSON.stringify(value, (_k, x) => (ArrayBuffer.isView(x) ? `[${(x as TypedArray).length} values]` : x))?.slice(0, 1200) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return { kind: 'other', label, text };
}
