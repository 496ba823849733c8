import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { isTokenizerRef, tokensValueOf } from '@/ml/values';

export const tokenizerNode = defineNode({
  type: 'conditioning.tokenize',
  version: 1,
  title: 'Tokenizer',
  category: 'Conditioning',
  description: "Cuts text into the token ids a text encoder reads, padded or cut to the model's length.",
  explain:
    'CLIP-style tokenizers split text into sub-word pieces by byte-pair encoding (BPE), add start and ' +
    'end tokens, and pad to a fixed length (77 for Stable Diffusion). Words the tokenizer knows become ' +
    'one piece; rare words become several.',
  maths: "ids = [BOS] + BPE(lower(text)) + [EOS], cut or padded to the model's length L (77 for SD).",
  supplies: ['tokens'],
  inputs: [
    { name: 'tokenizer', type: 'model.tokenizer' },
    { name: 'text', type: 'text' },
  ],
  outputs: [{ name: 'tokens', type: 'tokens' }],
  params: z.object({
    maxLength: z.number().int().min(0).max(4096).default(0).meta({ label: 'Length (0 = model’s)' }),
  }),
  usesModels: true,
  run: async ({ params, inputs, runtime, signal }) => {
    const ref = inputs.tokenizer;
    if (!isTokenizerRef(ref)) throw new NodeRunError('not_a_tokenizer', "input 'tokenizer' needs a tokenizer from a Load Pipeline node");
    const tok = await tokenizerFor(mlServices(runtime), ref, signal);
    const text = inputs.text as string;
    const r = tok.encode(text, { maxLength: params.maxLength || tok.modelMaxLength, padding: 'max_length', truncation: true });
    return { tokens: tokensValueOf(text, r) };
  },
});
