import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { requireLanguageModel } from '@/ml/text/runtime';

export const decodeTokensNode = defineNode({
  type: 'textgen.decode',
  version: 1,
  title: 'Decode Tokens',
  category: 'Text generation',
  description: 'Turns token ids back into text.',
  inputs: [
    { name: 'model', type: 'model.languageModel' },
    { name: 'tokens', type: 'tokens', supplier: 'textgen.generate' },
  ],
  outputs: [{ name: 'text', type: 'text' }],
  params: z.object({
    skipPrompt: z.boolean().default(false).meta({ label: 'Only the generated part' }),
    skipSpecial: z.boolean().default(true).meta({ label: 'Hide special tokens' }),
  }),
  usesModels: true,
  run: async ({ params, inputs, runtime, signal }) => {
    const ref = requireLanguageModel(inputs);
    const t = inputs.tokens as { kind?: string; ids?: number[]; promptLength?: number; length?: number };
    if (!t || t.kind !== 'tokens' || !Array.isArray(t.ids)) throw new NodeRunError('not_tokens', "input 'tokens' needs tokens");
    const tok = await tokenizerFor(mlServices(runtime), ref.tokenizer, signal);
    const ids = t.ids.slice(0, t.length ?? t.ids.length).slice(params.skipPrompt ? t.promptLength ?? 0 : 0);
    const text = tok.decode(ids, { skipSpecialTokens: params.skipSpecial, trim: false });
    return { text: params.skipPrompt ? text.trimStart() : text };
  },
});
