import { produce } from 'immer';
import type { Graph } from '../engine/graph/document';
import type { ImageValue } from '../engine/values';
import type { PlainSettings } from './plainPipeline';

/** What bench:pipeline and bench:gpu time: 20 steps of the shipped models, guidance 5, one seed and prompt. */
export const BENCH_SETTINGS: PlainSettings = { steps: 20, guidance: 5, seed: 42, prompt: 'a large red circle on the left' };

/** examples/text-to-image-sampler.json with the bench's settings, with or without a preview every step. */
export function samplerGraph(example: Graph, s: PlainSettings, preview = false): Graph {
  return produce(example, (g) => {
    const set = (id: string, key: string, v: unknown) => (g.nodes.find((n) => n.id === id)!.params[key] = v);
    set('scheduler', 'steps', s.steps);
    set('sampler', 'guidance', s.guidance);
    set('sampler', 'preview', preview);
    set('noise', 'seed', s.seed);
    set('prompt', 'text', s.prompt);
  });
}

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** The largest difference of one channel of one pixel between two images (Infinity if their sizes differ). */
export function maxChannelDifference(a: ImageValue, b: ImageValue): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}
