import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { Rng } from '@/engine/random';
import { argmax, drawIndex, processScores, softmax } from '@/ml/text/processors';
import { isLogitsValue, type LogitsValue } from '@/ml/text/values';
import type { TokensValue } from '@/ml/values';
import { PROCESSOR_MATHS, processorParams, processorSettings } from './decoding';

export const sampleTokenNode = defineNode({
  type: 'textgen.sampleToken',
  version: 1,
  title: 'Sample Token',
  category: 'Text generation',
  description: 'Picks the next token from the logits (the likeliest, or a seeded draw after temperature, top-k, top-p, min-p) and appends it.',
  explain:
    'Greedy decoding takes the highest score every time: sure, but dull and prone to loops. Sampling draws ' +
    'from the probabilities instead; temperature flattens (T > 1) or sharpens (T < 1) them, top-k and top-p ' +
    'cut the unlikely tail, min-p cuts tokens far less likely than the best. The repetition penalty and the ' +
    'n-gram ban act in greedy mode too. The order and rules are transformers’ (4.46).',
  maths: PROCESSOR_MATHS,
  inputs: [
    { name: 'logits', type: 'logits' },
    { name: 'tokens', type: 'tokens', description: 'The sequence the logits continue; the token is appended to it.', supplier: 'textgen.tokenize' },
    { name: 'seed', type: 'seed', optional: true, description: 'Overrides the seed parameter.' },
  ],
  outputs: [
    { name: 'tokens', type: 'tokens' },
    { name: 'token', type: 'integer' },
    { name: 'done', type: 'boolean', description: 'Whether the token ends the text (an end-of-sequence token).' },
    { name: 'processed', type: 'logits', description: 'The scores after each processor: probe it to see what each one removed.' },
  ],
  params: z.object({
    strategy: z.enum(['greedy', 'sample']).default('sample').meta({ label: 'Strategy' }),
    ...processorParams,
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ label: 'Seed', widget: 'seed' }),
  }),
  run: ({ params, inputs }) => {
    const l = inputs.logits;
    if (!isLogitsValue(l)) throw new NodeRunError('not_logits', "input 'logits' needs logits from a Next-Token Logits node");
    const t = inputs.tokens as TokensValue;
    if (!t || t.kind !== 'tokens') throw new NodeRunError('not_tokens', "input 'tokens' needs tokens");
    const ids = t.ids.slice(0, t.length);
    const last = ids[ids.length - 1];
    // A finished text stays finished: later iterations of a decoding loop pass it through.
    if (ids.length > (t.promptLength ?? ids.length - 1) && l.eosTokenIds.includes(last)) return { tokens: t, token: last, done: true, processed: l };
    const scores = l.data.subarray(0, l.vocabSize);
    const sampling = params.strategy === 'sample';
    const { scores: processed, stages } = processScores(scores, ids, processorSettings(params), sampling);
    // One draw per position: the same seed and sequence length always draw the same number.
    const seed = (inputs.seed as number | undefined) ?? params.seed;
    const token = sampling ? drawIndex(softmax(processed), new Rng(seed * 4099 + ids.length).nextFloat()) : argmax(processed);
    const piece = l.tokenText(token);
    const tokens: TokensValue = {
      kind: 'tokens',
      text: t.text + piece,
      ids: [...ids, token],
      attentionMask: [...ids.map(() => 1), 1],
      pieces: [...t.pieces, piece],
      length: ids.length + 1,
      truncated: false,
      promptLength: t.promptLength ?? ids.length,
    };
    const processedValue: LogitsValue = {
      ...l,
      data: processed,
      ids: [ids],
      stages: [{ label: 'raw scores', scores: new Float32Array(scores) }, ...stages.map((s) => ({ label: s.label, scores: s.scores }))],
    };
    return { tokens, token, done: l.eosTokenIds.includes(token), processed: processedValue };
  },
});
