import { z } from 'zod';
import { defineNode } from '@/engine/nodeDefinition';
import { NodeRunError } from '@/engine/errors';
import { mlServices } from '@/ml/runtime/services';
import { generate, type DecodeMode } from '@/ml/text/generate';
import { loadedLanguageModel, requireLanguageModel } from '@/ml/text/runtime';
import { tokenTextOf, type GenerationValue } from '@/ml/text/values';
import type { TokensValue } from '@/ml/values';
import { PROCESSOR_MATHS, processorParams, processorSettings } from './decoding';

const STREAM_MS = 40;

export const generateTextNode = defineNode({
  type: 'textgen.generate',
  version: 1,
  title: 'Generate Text',
  category: 'Text generation',
  description: 'Continues a prompt with a language model: greedy, sampling or beam search, token by token, with the KV cache.',
  explain:
    'Generation repeats one step: score every next token, pick one, append it, until an end token, a stop ' +
    'string or the token limit. Greedy picks the likeliest token; sampling draws one after temperature, top-k, ' +
    'top-p and min-p; beam search keeps the num_beams best partial texts by summed log-probability and ' +
    'finishes with the best complete one (its score divided by length^length_penalty). The semantics are ' +
    'Hugging Face transformers’ generate (4.46). Probe the trace output to see each step’s choices, or the beam tree.',
  maths: `beam score = Σ log p(x_i | x_<i) / |y|^α; ${PROCESSOR_MATHS}`,
  supplies: ['generation'],
  inputs: [
    { name: 'model', type: 'model.languageModel' },
    { name: 'prompt', type: 'text' },
    { name: 'seed', type: 'seed', optional: true, description: 'Overrides the seed parameter.' },
  ],
  outputs: [
    { name: 'text', type: 'text', description: 'The generated text (the best sequence).' },
    { name: 'tokens', type: 'tokens', description: 'Prompt and generated tokens of the best sequence.' },
    { name: 'trace', type: 'generation', description: 'Every step’s choices and, for beam search, the beam tree: probe it.' },
  ],
  params: z.object({
    strategy: z.enum(['greedy', 'sample', 'beam']).default('sample').meta({ label: 'Strategy', key: true }),
    maxNewTokens: z.number().int().min(1).max(2048).default(40).meta({ label: 'Max new tokens' }),
    minNewTokens: z.number().int().min(0).max(2048).default(0).meta({ label: 'Min new tokens (end token banned before)' }),
    ...processorParams,
    temperature: processorParams.temperature.default(0.8),
    numBeams: z.number().int().min(1).max(16).default(4).meta({ label: 'Beams' }),
    lengthPenalty: z.number().min(-5).max(5).default(1).meta({ label: 'Length penalty (beam)' }),
    earlyStopping: z.enum(['false', 'true', 'never']).default('false').meta({ label: 'Early stopping (beam)' }),
    numReturnSequences: z.number().int().min(1).max(16).default(1).meta({ label: 'Sequences kept (beam)' }),
    stopStrings: z.string().max(2000).default('').meta({ label: 'Stop strings (one per line)', widget: 'textarea' }),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).meta({ label: 'Seed', widget: 'seed' }),
    includePrompt: z.boolean().default(false).meta({ label: 'Text includes the prompt' }),
    prefix: z.string().max(20_000).default('').meta({ label: 'Start with (continue from here)', widget: 'textarea' }),
  }),
  usesModels: true,
  run: async ({ params, inputs, runtime, signal, progress, nodeId }) => {
    const ref = requireLanguageModel(inputs);
    const prompt = inputs.prompt;
    if (typeof prompt !== 'string') throw new NodeRunError('not_text', "input 'prompt' needs text");
    const { lm, tokenizer } = await loadedLanguageModel(mlServices(runtime), ref, signal);
    // "Continue from token k": the text kept from an earlier run is read as part of the prompt.
    const promptIds = Array.from(tokenizer.encode(prompt + params.prefix, { padding: 'none', truncation: false, maxLength: Math.max(1, tokenizer.modelMaxLength) }).ids);
    if (promptIds.length === 0) throw new NodeRunError('empty_prompt', "input 'prompt' has no tokens: type a prompt for the model to continue");
    if (params.strategy === 'beam' && params.numReturnSequences > params.numBeams) {
      throw new NodeRunError('bad_param', `sequences kept (${params.numReturnSequences}) cannot be more than beams (${params.numBeams})`);
    }
    const maxNew = Math.min(params.maxNewTokens, Math.max(0, ref.maxPositions - promptIds.length));
    if (maxNew === 0) throw new NodeRunError('too_long', `the prompt is ${promptIds.length} tokens, as long as ${ref.name} can read (${ref.maxPositions})`);
    const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true, trim: false });
    const t0 = performance.now();
    let first = 0;
    let lastStream = -Infinity;
    const seed = (inputs.seed as number | undefined) ?? params.seed;
    const stopStrings = params.stopStrings.split('\n').filter((s) => s.length > 0);
    const mode = params.strategy as DecodeMode;
    const result = await generate(lm, {
      prompts: [promptIds],
      mode,
      maxNewTokens: maxNew,
      eosTokenIds: ref.eosTokenIds,
      padTokenId: ref.padTokenId,
      processors: processorSettings(params),
      minNewTokens: params.minNewTokens,
      seed,
      numBeams: params.numBeams,
      lengthPenalty: params.lengthPenalty,
      earlyStopping: params.earlyStopping === 'never' ? 'never' : params.earlyStopping === 'true',
      numReturnSequences: params.numReturnSequences,
      stopStrings,
      decode,
      trace: true,
      signal,
      onStep: ({ step, generated }) => {
        const now = performance.now();
        if (step === 0) first = now - t0;
        // The text streams at most every 40 ms (decoding the whole text each token cost ~30% of a small model's step).
        if (step > 0 && now - lastStream < STREAM_MS) return;
        lastStream = now;
        const rate = now > t0 ? ((step + 1) * 1000) / (now - t0) : 0;
        progress((step + 1) / maxNew, undefined, `${decode(generated[0])} ▍ ${rate.toFixed(rate < 10 ? 1 : 0)} tok/s`);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    // the whole text, once more at the end (the throttle may have skipped the last tokens)
    progress(1, undefined, `${decode(result.sequences[0])} ▍ ${(result.sequences[0].length / Math.max(1e-9, seconds)).toFixed(0)} tok/s`);
    const best = result.sequences[0];
    const texts = result.sequences.map(decode);
    const tokenText = tokenTextOf(tokenizer);
    const all = [...promptIds, ...best];
    const tokens: TokensValue = {
      kind: 'tokens',
      text: prompt + params.prefix + texts[0],
      ids: all,
      attentionMask: all.map(() => 1),
      pieces: all.map(tokenText),
      length: all.length,
      truncated: false,
      promptLength: promptIds.length,
    };
    const settingsText =
      mode === 'beam'
        ? `beam search · ${params.numBeams} beams · length penalty ${params.lengthPenalty} · early stopping ${params.earlyStopping}`
        : mode === 'greedy'
          ? 'greedy'
          : `sampling · T ${params.temperature}${params.topK ? ` · top-k ${params.topK}` : ''}${params.topP < 1 ? ` · top-p ${params.topP}` : ''}${params.minP ? ` · min-p ${params.minP}` : ''} · seed ${seed}`;
    const trace: GenerationValue = {
      kind: 'generation',
      nodeId,
      prefix: params.prefix,
      model: ref.name,
      mode,
      settingsText,
      promptText: prompt,
      promptIds,
      sequences: result.sequences,
      texts,
      ...(result.scores ? { scores: result.scores } : {}),
      reasons: result.reasons,
      tokens: result.trace?.tokens ?? [],
      ...(result.trace?.beams ? { beams: result.trace.beams } : {}),
      seconds,
      firstTokenSeconds: first / 1000,
      tokenText,
    };
    const text = params.includePrompt ? prompt + params.prefix + texts[0] : (params.prefix + texts[0]).trim();
    return { text, tokens, trace };
  },
});
