/** Bounds on what a graph file may hold, so a hostile or broken file cannot hang the editor. */
export const LIMITS = {
  fileBytes: 20 * 1024 * 1024,
  nodes: 20_000,
  edges: 40_000,
  zones: 1_000,
  groups: 1_000,
  stringLength: 100_000,
  idLength: 64,
  paramsPerNode: 200,
  depth: 32,
} as const;
