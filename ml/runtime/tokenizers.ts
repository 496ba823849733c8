import { NodeRunError } from '@/engine/errors';
import { loadTokenizer, type WeftTokenizer } from '../tokenizer';
import { parseLooseJson } from '../pipeline';
import type { MlServices, TokenizerRef } from './types';
import { sharedOnce, untilAborted } from './shared';

const cache = new WeakMap<MlServices, Map<string, Promise<WeftTokenizer>>>();

/**
 * Loads (once per services object and folder) the tokenizer of a handle: tokenizer.json, or
 * vocab.json + merges.txt. The load is shared, so it reads without any one caller's signal; each
 * caller stops waiting when its own signal aborts.
 */
export function tokenizerFor(ml: MlServices, ref: TokenizerRef, signal?: AbortSignal): Promise<WeftTokenizer> {
  return untilAborted(sharedOnce(cache, ml, `${ref.source}\u0000${ref.path}`, () => load(ml, ref)), signal);
}

async function load(ml: MlServices, ref: TokenizerRef): Promise<WeftTokenizer> {
  const { files } = ml;
  const text = async (name: string) => new TextDecoder().decode(await files.read(ref.source, `${ref.path}/${name}`));
  const json = async (name: string) => parseLooseJson(await text(name), `${ref.path}/${name} in ${ref.source}`);
  const has = (name: string) => files.exists(ref.source, `${ref.path}/${name}`);
  // Both files side by side: on a cold page tokenizer.json waited for the config's request.
  const configP = has('tokenizer_config.json').then((yes) => (yes ? json('tokenizer_config.json') : undefined));
  const fastP = has('tokenizer.json').then((yes) => (yes ? json('tokenizer.json') : undefined));
  fastP.catch(() => undefined);
  const tokenizerConfig = await configP;
  try {
    const tokenizerJson = await fastP;
    if (tokenizerJson) return loadTokenizer({ tokenizerJson, tokenizerConfig });
    if ((await has('vocab.json')) && (await has('merges.txt'))) return loadTokenizer({ vocab: await json('vocab.json'), merges: await text('merges.txt'), tokenizerConfig });
  } catch (e) {
    if (e instanceof NodeRunError) throw e;
    throw new NodeRunError('bad_tokenizer', `the tokenizer in ${ref.source}/${ref.path} could not be loaded: ${(e as Error).message}`);
  }
  throw new NodeRunError('missing_files', `${ref.source}/${ref.path} has neither tokenizer.json nor vocab.json + merges.txt`);
}
