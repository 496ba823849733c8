import type { MlServices, SourceUri } from './runtime/types';
import { loadPipeline } from './pipeline';
import { tokenizerFor } from './runtime/tokenizers';

/**
 * Gets a pipeline ready for its first run: reads its folder, loads the tokenizer and creates the
 * sessions of the models every text-to-image run uses (text encoder, UNet, VAE decoder). The
 * session and tokenizer caches are the ones the nodes use, so the run finds them ready.
 */
export async function prewarmPipeline(ml: MlServices, source: SourceUri, signal: AbortSignal): Promise<void> {
  const p = await loadPipeline(ml.files, source, signal);
  const work: Promise<unknown>[] = [];
  if (p.tokenizer) work.push(tokenizerFor(ml, p.tokenizer, signal));
  for (const ref of [p.textEncoder, p.unet, p.vae]) if (ref) work.push(ml.session(ref, signal));
  await Promise.all(work);
}
