import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';

export const promptNode = defineNode({
  type: 'conditioning.prompt',
  version: 1,
  title: 'Prompt',
  category: 'Conditioning',
  description: 'The words describing the picture (or, for a negative prompt, what to steer away from).',
  explain:
    'The prompt is plain text. The tokenizer cuts it into tokens the text encoder knows, and the ' +
    'encoder turns them into vectors the UNet attends to while removing noise. An empty prompt is the ' +
    "'unconditional' input classifier-free guidance compares against.",
  maths: 'prompt ↦ tokens ↦ c = TextEncoder(tokens), one vector per token: c ∈ ℝ^{L×d}.',
  supplies: ['text'],
  inputs: [],
  outputs: [{ name: 'text', type: 'text' }],
  params: z.object({
    text: z.string().max(10_000).default('a large red circle on the left').meta({ widget: 'textarea', label: 'Prompt', key: true }),
  }),
  run: ({ params }) => ({ text: params.text }),
});
