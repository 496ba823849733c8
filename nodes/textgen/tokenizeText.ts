import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import { tokenizerFor } from '@/ml/runtime/tokenizers';
import { requireLanguageModel } from '@/ml/text/runtime';
import { tokensValueOf } from '@/ml/values';

export const tokenizeTextNode = defineNode({
  type: 'textgen.tokenize',
  version: 1,
  title: 'Tokenize Text',
  category: 'Text generation',
  description: "Cuts text into the language model's tokens, unpadded, with the special tokens its tokenizer adds.",
  explain:
    'Language models read token ids, not letters. A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen) splits text ' +
    'into pieces it has learned: common words are one token (often with their leading space, shown as Ġ), rare ' +
    'words several. Nothing is padded: the sequence is exactly the text.',
  inputs: [
    { name: 'model', type: 'model.languageModel' },
    { name: 'text', type: 'text' },
  ],
  outputs: [{ name: 'tokens', type: 'tokens' }],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ref = requireLanguageModel(inputs);
    const tok = await tokenizerFor(mlServices(runtime), ref.tokenizer, signal);
    const text = inputs.text;
    if (typeof text !== 'string') throw new NodeRunError('not_text', "input 'text' needs text");
    const r = tok.encode(text, { padding: 'none', truncation: false, maxLength: Math.max(1, tok.modelMaxLength) });
    if (r.length === 0) throw new NodeRunError('empty_prompt', 'the text has no tokens: type a prompt');
    return { tokens: tokensValueOf(text, r) };
  },
});
