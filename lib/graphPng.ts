import { encodePng, readPngText } from './png';
import type { ImageValue } from '@/engine/values';

/** The PNG text-chunk keyword under which Weft stores the graph that made an image. */
export const GRAPH_PNG_KEY = 'weft-graph';

export function pngWithGraph(image: ImageValue, graphJson: string): Uint8Array {
  return encodePng(image, [[GRAPH_PNG_KEY, graphJson]]);
}

export type PngGraph =
  | { ok: true; text: string; warnings: string[] }
  | { ok: false; code: 'not_png' | 'no_graph' | 'two_graphs'; message: string };

/**
 * The graph text embedded in a PNG. A PNG with two graph chunks is refused (which one was meant
 * cannot be known); a damaged file (bad checksum, cut off after the graph) opens with warnings.
 */
export function graphFromPng(bytes: Uint8Array): PngGraph {
  const text = readPngText(bytes);
  if (!text) return { ok: false, code: 'not_png', message: 'this is not a PNG file' };
  const graphs = text.chunks.get(GRAPH_PNG_KEY) ?? [];
  if (graphs.length === 0) {
    return { ok: false, code: 'no_graph', message: 'This PNG carries no Weft graph. Only images saved with "Save PNG" on an Image Output node (or by weft run) reopen their pipeline.' };
  }
  if (graphs.length > 1) {
    return {
      ok: false,
      code: 'two_graphs',
      message: `This PNG carries ${graphs.length} Weft graphs (text chunks named "${GRAPH_PNG_KEY}"); Weft writes one, so the file was changed and which graph is meant cannot be told. Nothing was opened.`,
    };
  }
  return { ok: true, text: graphs[0], warnings: text.problems.map((p) => `the PNG is damaged: ${p}; its graph was read anyway`) };
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}
