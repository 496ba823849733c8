/**
 * The one set of bounds on a graph, shared by the editor (edits past them are refused), autosave,
 * the library, files, share links, PNGs and the CLI: anything the editor lets a user make, every
 * one of them opens again. docs/graph-format.md gives the reason for each number.
 */
export const LIMITS = {
  /** A graph's compact JSON, in characters (what autosave, share links and PNGs hold). */
  graphChars: 16 * 1024 * 1024,
  /** A file, PNG or share link read from outside, before parsing (room for indentation and a PNG's pixels). */
  fileBytes: 64 * 1024 * 1024,
  nodes: 5_000,
  edges: 20_000,
  zones: 500,
  groups: 1_000,
  /** Any single string in the document: the largest a node's param takes (a Load Image PNG, a Load Tensor .npy). */
  stringLength: 4_000_000,
  /** Titles, labels and other short text. */
  textLength: 100_000,
  idLength: 64,
  paramsPerNode: 200,
  depth: 32,
} as const;

/** A size in binary megabytes with one decimal (`16.0 MB`), as every message about a limit writes it. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
