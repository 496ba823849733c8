import { z } from 'zod';
import type { ProcessorSettings } from '@/ml/text/processors';

/**
 * The logits-processor parameters Sample Token and Generate Text share (transformers' names in brackets).
 * Not a node: a piece of two node definitions.
 */
export const processorParams = {
  temperature: z.number().min(0.05).max(5).default(1).meta({ label: 'Temperature' }),
  topK: z.number().int().min(0).max(100_000).default(0).meta({ label: 'Top-k (0 = off)' }),
  topP: z.number().min(0.01).max(1).default(1).meta({ label: 'Top-p (1 = off)' }),
  minP: z.number().min(0).max(1).default(0).meta({ label: 'Min-p (0 = off)' }),
  repetitionPenalty: z.number().min(0.5).max(5).default(1).meta({ label: 'Repetition penalty (1 = off)' }),
  noRepeatNgramSize: z.number().int().min(0).max(20).default(0).meta({ label: 'No-repeat n-gram (0 = off)' }),
};

export function processorSettings(p: { temperature: number; topK: number; topP: number; minP: number; repetitionPenalty: number; noRepeatNgramSize: number }): ProcessorSettings {
  return { temperature: p.temperature, topK: p.topK, topP: p.topP, minP: p.minP, repetitionPenalty: p.repetitionPenalty, noRepeatNgramSize: p.noRepeatNgramSize };
}

export const PROCESSOR_MATHS =
  'p = softmax(z / T); top-k keeps the k largest z; top-p keeps the fewest top tokens with Σp ≥ p; min-p keeps p_i ≥ min_p · max p; ' +
  'repetition penalty: z_i ← z_i / θ (z_i > 0) or z_i · θ (z_i < 0) for tokens already present.';
