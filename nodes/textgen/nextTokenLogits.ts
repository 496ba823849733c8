import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import { isKvCacheValue, type KvCacheValue } from '@/ml/text/languageModel';
import { loadedLanguageModel, requireLanguageModel } from '@/ml/text/runtime';
import { tokenTextOf, type LogitsValue } from '@/ml/text/values';
import type { TokensValue } from '@/ml/values';

function isPrefix(a: readonly number[], b: readonly number[]): boolean {
  if (a.length >= b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const nextTokenLogitsNode = defineNode({
  type: 'textgen.nextTokenLogits',
  version: 1,
  title: 'Next-Token Logits',
  category: 'Text generation',
  description: 'One step of the language model: a score for every possible next token, and the KV cache that makes the next step cheap.',
  explain:
    'The model reads the tokens and returns logits, one number per vocabulary entry, for the token that comes ' +
    'next. It also returns its keys and values for every token read so far (the KV cache): given the cache, the ' +
    'next step reads only the newest token instead of the whole text again. In a repeat zone with Sample Token, ' +
    'this is the decoding loop, one token per iteration.',
  maths: 'z = f_θ(x₁…x_t) ∈ ℝ^V; with a cache of x₁…x_{t−1}, only x_t is read: (z, cache_t) = f_θ(x_t, cache_{t−1}).',
  supplies: ['logits'],
  inputs: [
    { name: 'model', type: 'model.languageModel' },
    { name: 'tokens', type: 'tokens', supplier: 'textgen.tokenize' },
    { name: 'cache', type: 'kvCache', optional: true, description: 'The cache of an earlier step of the same sequence; used when it covers a prefix of the tokens.' },
  ],
  outputs: [
    { name: 'logits', type: 'logits' },
    { name: 'cache', type: 'kvCache' },
  ],
  params: z.object({}),
  usesModels: true,
  run: async ({ inputs, runtime, signal }) => {
    const ref = requireLanguageModel(inputs);
    const t = inputs.tokens as TokensValue;
    if (!t || t.kind !== 'tokens') throw new NodeRunError('not_tokens', "input 'tokens' needs tokens from Tokenize Text or Sample Token");
    const ids = t.ids.slice(0, t.length);
    if (ids.length === 0) throw new NodeRunError('empty_prompt', 'there are no tokens to continue');
    const { lm, tokenizer } = await loadedLanguageModel(mlServices(runtime), ref, signal);
    const c = inputs.cache;
    const modelKey = `${ref.model.path}@${ref.source}`;
    const cache = isKvCacheValue(c) && c.model === modelKey && c.ids.length === 1 && isPrefix(c.ids[0], ids) ? (c as KvCacheValue) : null;
    const from = cache ? cache.ids[0].length : 0;
    const mask = [new Array<number>(ids.length).fill(1)];
    const positions = [ids.slice(from).map((_, i) => from + i)];
    const out = await lm.step({ inputIds: [ids.slice(from)], attentionMask: mask, positionIds: positions, past: cache ? cache.tensors : null }, signal);
    const logits: LogitsValue = { kind: 'logits', model: ref.name, vocabSize: ref.vocabSize, data: out.logits, ids: [ids], eosTokenIds: ref.eosTokenIds, tokenText: tokenTextOf(tokenizer) };
    const next: KvCacheValue = { kind: 'kvCache', model: modelKey, ids: [ids], attentionMask: mask, positionIds: [ids.map((_, i) => i)], tensors: out.past };
    return { logits, cache: next };
  },
});
