import { NodeRunError } from '@/engine/errors';
import type { MlServices } from '../runtime/types';
import { tokenizerFor } from '../runtime/tokenizers';
import type { WeftTokenizer } from '../tokenizer';
import { isLanguageModelRef, OnnxCausalLM, type LanguageModelRef } from './languageModel';
import { describe } from '../values';

export interface LoadedLanguageModel {
  readonly ref: LanguageModelRef;
  readonly lm: OnnxCausalLM;
  readonly tokenizer: WeftTokenizer;
}

/** The language model on an input, checked. */
export function requireLanguageModel(inputs: Readonly<Record<string, unknown>>, port = 'model'): LanguageModelRef {
  const v = inputs[port];
  if (!isLanguageModelRef(v)) throw new NodeRunError('not_a_language_model', `input '${port}' needs a language model from a Load Language Model node, not ${describe(v)}`);
  return v;
}

/** Session and tokenizer of a language model handle (both cached by the runtime). */
export async function loadedLanguageModel(ml: MlServices, ref: LanguageModelRef, signal?: AbortSignal): Promise<LoadedLanguageModel> {
  const [session, tokenizer] = await Promise.all([ml.session(ref.model, signal), tokenizerFor(ml, ref.tokenizer, signal)]);
  return { ref, lm: new OnnxCausalLM(ml, ref, session), tokenizer };
}
