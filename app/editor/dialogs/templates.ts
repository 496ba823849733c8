import type { Graph } from '@/engine/graph/document';
import { parseGraph } from '@/engine/graph/parse';
import { registry } from '@/nodes';
import textToImage from '@/examples/text-to-image.json';
import textToImageSampler from '@/examples/text-to-image-sampler.json';
import detectAndScore from '@/examples/detect-and-score.json';
import imageToImage from '@/examples/image-to-image.json';
import bestOfN from '@/examples/best-of-n.json';
import promptWriter from '@/examples/prompt-writer.json';
import decodingStrategies from '@/examples/decoding-strategies.json';
import decodingLoop from '@/examples/decoding-loop.json';
import loraHeart from '@/examples/lora-heart.json';
import compareVariants from '@/examples/compare-variants.json';
import fewSteps from '@/examples/few-steps.json';

export interface Template {
  id: string;
  title: string;
  description: string;
  graph: () => Graph;
}

function load(json: unknown, id: string): () => Graph {
  return () => {
    const r = parseGraph(json, registry);
    if (!r.ok) throw new Error(`template ${id} is broken: ${r.errors.map((e) => e.message).join('; ')}`);
    return r.value;
  };
}

/** The example graphs (examples/*.json), in the order the template list shows them. */
export const TEMPLATES: readonly Template[] = [
  { id: 'text-to-image', json: textToImage },
  { id: 'text-to-image-sampler', json: textToImageSampler },
  { id: 'detect-and-score', json: detectAndScore },
  { id: 'image-to-image', json: imageToImage },
  { id: 'best-of-n', json: bestOfN },
  { id: 'prompt-writer', json: promptWriter },
  { id: 'lora-heart', json: loraHeart },
  { id: 'compare-variants', json: compareVariants },
  { id: 'few-steps', json: fewSteps },
  { id: 'decoding-strategies', json: decodingStrategies },
  { id: 'decoding-loop', json: decodingLoop },
].map(({ id, json }) => ({ id, title: json.metadata.title, description: json.metadata.description ?? '', graph: load(json, id) }));
