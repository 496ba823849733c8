import type { Schedule, SchedulerKind } from './schedulers';
import type { TensorValue, ImageValue } from '@/engine/values';
import { isImageValue } from '@/engine/values';
import { NodeRunError } from '@/engine/errors';
import type { ModelRef, ModelRole, TokenizerRef, PipelineValue } from './runtime/types';

/** Values of the ML port types (see engine/types/portTypes.ts). */

export interface TokensValue {
  readonly kind: 'tokens';
  readonly text: string;
  /** Padded ids (length maxLength when padded). */
  readonly ids: readonly number[];
  readonly attentionMask: readonly number[];
  /** Token strings of the real tokens, for the probe: ['<|startoftext|>', 'red</w>', …]. */
  readonly pieces: readonly string[];
  readonly length: number;
  readonly truncated: boolean;
  /** Generated sequences: how many of the ids are the prompt. */
  readonly promptLength?: number;
}

/** The tokens value of one encoded text (what Tokenizer and Tokenize Text output). */
export function tokensValueOf(text: string, r: { ids: ArrayLike<number>; attentionMask: ArrayLike<number>; pieces: readonly string[]; length: number; truncated: boolean }): TokensValue {
  return { kind: 'tokens', text, ids: Array.from(r.ids), attentionMask: Array.from(r.attentionMask), pieces: r.pieces, length: r.length, truncated: r.truncated };
}

export interface ScheduleValue {
  readonly kind: 'schedule';
  readonly scheduler: SchedulerKind;
  readonly schedule: Schedule;
  /** First step index that runs (image-to-image starts later); loops run steps - startIndex times. */
  readonly startIndex: number;
  /** DDIM's eta: the share of fresh noise each step adds (0 = deterministic DDIM). */
  readonly eta?: number;
}

/** The solver's memory between steps; `prevX0` is DPM++ 2M's previous data prediction. */
export interface SchedulerStateValue {
  readonly kind: 'schedulerState';
  readonly stepCount: number;
  readonly prevX0: TensorValue | null;
}

export interface Detection {
  /** Pixels: x0, y0, x1, y1. */
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  readonly shape: string;
  readonly colour: string;
  readonly shapeProb: number;
  readonly colourProb: number;
}

export interface DetectionsValue {
  readonly kind: 'detections';
  readonly width: number;
  readonly height: number;
  /** One list per image of the batch. */
  readonly items: readonly (readonly Detection[])[];
}

export function isModelRef(v: unknown): v is ModelRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'model';
}

export function isTokenizerRef(v: unknown): v is TokenizerRef {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tokenizer';
}

export function isPipelineValue(v: unknown): v is PipelineValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'pipeline';
}

const ROLE_WORDS: Record<ModelRole, string> = {
  tokenizer: 'a tokenizer',
  textEncoder: 'a text encoder',
  unet: 'a UNet',
  vae: 'a VAE decoder',
  vaeEncoder: 'a VAE encoder',
  reward: 'a reward model',
  detector: 'a detector',
  languageModel: 'a language model',
  other: 'a model',
};

/** The model on an input, checked for its role (a Load Model node's output is only checked here). */
export function requireModel(inputs: Readonly<Record<string, unknown>>, port: string, role: ModelRole): ModelRef {
  const v = inputs[port];
  if (v === undefined) throw new NodeRunError('missing_model', `input '${port}' has no model: the pipeline has no ${ROLE_WORDS[role].replace(/^an? /, '')}`);
  if (!isModelRef(v)) throw new NodeRunError('not_a_model', `input '${port}' needs ${ROLE_WORDS[role]}, not ${describe(v)}`);
  if (v.role !== role && v.role !== 'other') throw new NodeRunError('wrong_model_role', `input '${port}' needs ${ROLE_WORDS[role]}, but '${v.name}' is ${ROLE_WORDS[v.role]}`);
  return v;
}

/** The images on an input: one image, or a batch. */
export function imageList(v: unknown, port = 'image'): ImageValue[] {
  if (isImageValue(v)) return [v];
  if (Array.isArray(v) && v.length > 0 && v.every(isImageValue)) return v;
  throw new NodeRunError('not_an_image', `input '${port}' needs an image, not ${describe(v)}`);
}

/** One image stays one image; a batch stays a list. */
export function imageOrBatch(images: ImageValue[]): ImageValue | ImageValue[] {
  return images.length === 1 ? images[0] : images;
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v !== 'object') return `a ${typeof v}`;
  const kind = (v as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `a ${kind}` : Array.isArray(v) ? 'a list' : 'an object';
}
