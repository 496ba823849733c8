import { z } from 'zod';

/** Every kind of value a port can carry. Model handles are prefixed `model.`. */
export const PORT_TYPES = [
  'any',
  'text',
  'number',
  'integer',
  'boolean',
  'seed',
  'tokens',
  'embedding',
  'latent',
  'image',
  'tensor',
  'schedule',
  'schedulerState',
  'detections',
  'score',
  'pipeline',
  'model.tokenizer',
  'model.textEncoder',
  'model.unet',
  'model.vae',
  'model.vaeEncoder',
  'model.reward',
  'model.detector',
  'model.languageModel',
  'logits',
  'kvCache',
  'generation',
] as const;

export const PortTypeSchema = z.enum(PORT_TYPES);
export type PortType = z.infer<typeof PortTypeSchema>;

export const DTYPES = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'] as const;
export const DTypeSchema = z.enum(DTYPES);
export type DType = z.infer<typeof DTypeSchema>;

/**
 * A dimension is a number, or a symbol such as `B`, `H/8`, `W/8`, `S`.
 * Symbols with the same text must agree; a number meets any symbol.
 */
export type Dim = number | string;

export interface TensorSpec {
  dtype?: DType;
  shape?: readonly Dim[];
}

/** What a definition says about one of its ports. */
export interface PortSpec {
  name: string;
  type: PortType;
  /** Shown in the UI; defaults to the name. */
  label?: string;
  description?: string;
  /** An optional input may be left unconnected. Outputs ignore this. */
  optional?: boolean;
  /** For tensor-like ports (tensor, latent, embedding, image): expected dtype and shape. */
  tensor?: TensorSpec;
  /**
   * For inputs: the node type that usually feeds this input, where that is not the usual source of
   * its type (a Sampler's latent comes from Noisy Start, not from any latent). "Complete graph"
   * wires an existing node of that type or adds one.
   */
  supplier?: string;
}

/** Human words for each type, used in refusal reasons and the UI. */
export const PORT_TYPE_LABELS: Record<PortType, string> = {
  any: 'any value',
  text: 'text',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  seed: 'seed',
  tokens: 'tokens',
  embedding: 'embedding',
  latent: 'latent',
  image: 'image',
  tensor: 'tensor',
  schedule: 'schedule',
  schedulerState: 'scheduler state',
  detections: 'detections',
  score: 'score',
  pipeline: 'pipeline',
  'model.tokenizer': 'tokenizer model',
  'model.textEncoder': 'text encoder model',
  'model.unet': 'UNet model',
  'model.vae': 'VAE decoder model',
  'model.vaeEncoder': 'VAE encoder model',
  'model.reward': 'reward model',
  'model.detector': 'detector model',
  'model.languageModel': 'language model',
  logits: 'next-token logits',
  kvCache: 'KV cache',
  generation: 'generation trace',
};

/** Colours for wires and handles, one per type (the UI and docs share them). */
export const PORT_TYPE_COLOURS: Record<PortType, string> = {
  any: '#9aa4b2',
  text: '#7ec16e',
  number: '#5aa9e6',
  integer: '#3d7fd9',
  boolean: '#e6a85a',
  seed: '#c792ea',
  tokens: '#a3d977',
  embedding: '#f07178',
  latent: '#ff9ec7',
  image: '#ffcb6b',
  tensor: '#89ddff',
  schedule: '#c3e88d',
  schedulerState: '#a5c26b',
  detections: '#f78c6c',
  score: '#b2ccd6',
  pipeline: '#e0e0e0',
  'model.tokenizer': '#82aaff',
  'model.textEncoder': '#82aaff',
  'model.unet': '#82aaff',
  'model.vae': '#82aaff',
  'model.vaeEncoder': '#82aaff',
  'model.reward': '#82aaff',
  'model.detector': '#82aaff',
  'model.languageModel': '#82aaff',
  logits: '#d4a5ff',
  kvCache: '#8fb8c9',
  generation: '#ffd580',
};

/** Types whose runtime value is a tensor (or wraps one): latent, embedding, tensor. */
export const TENSOR_LIKE: ReadonlySet<PortType> = new Set<PortType>(['tensor', 'latent', 'embedding']);

export function formatShape(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.join(',')}]` : '[?]';
}
