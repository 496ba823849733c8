import { encodePng, readPngText } from './png';
import type { ImageValue } from '@/engine/values';

/** The PNG text-chunk keyword under which Weft stores the graph that made an image. */
export const GRAPH_PNG_KEY = 'weft-graph';

export function pngWithGraph(image: ImageValue, graphJson: string): Uint8Array {
  return encodePng(image, { [GRAPH_PNG_KEY]: graphJson });
}

/** The graph text embedded in a PNG, if any. */
export function graphTextFromPng(bytes: Uint8Array): string | undefined {
  return readPngText(bytes)?.[GRAPH_PNG_KEY];
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}
