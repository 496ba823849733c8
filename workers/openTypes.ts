import type { GraphIssue } from '@/engine/errors';
import type { Graph } from '@/engine/graph/document';
import type { Opened, OpenRequest } from '@/lib/openGraph';

/** What the page asks the open worker to open: anything openGraph takes, or a picked or dropped File. */
export type WorkerOpenRequest = OpenRequest | { kind: 'blob'; name: string; blob: Blob };

/**
 * What the open worker hands the page for a file, PNG or link. `token` names the graph in the
 * worker, which can then write it as a new library graph (saveOpened) without it crossing back.
 */
export type PageOpened = (Extract<Opened, { ok: true }> & { token: number }) | Extract<Opened, { ok: false }>;

/** A library graph as the open worker read it; a broken one comes back with its saved text. */
export type StoredOpened =
  | { ok: true; id: string; graph: Graph; warnings: GraphIssue[]; issues: GraphIssue[]; modified: number }
  | { ok: false; code: string; id: string; title: string; lines: string[]; text?: string };

/**
 * A big graph crosses from the worker in slices: one message of thousands of nodes would keep
 * the page busy while it is unpacked. The first answer holds the graph with empty lists and
 * their lengths; the page asks for the items in slices of `SLICE_ITEMS`.
 */
export interface Sliced {
  token: number;
  nodes: number;
  edges: number;
}

export const SLICE_ITEMS = 1000;
