import type { Graph } from '@/engine/graph/document';
import { TEMPLATES } from './dialogs/templates';

/**
 * The graph a first visit opens: the teaching graph, text to image with the denoising loop
 * spelled out as a repeat zone (examples/text-to-image.json).
 */
export function defaultGraph(): Graph {
  return TEMPLATES[0].graph();
}
