import type { GraphIssue } from '@/engine/errors';
import type { Graph } from '@/engine/graph/document';
import type { Opened } from '@/lib/openGraph';

/** What the open worker hands the page for a file, PNG or link: the graph and each node's JSON. */
export type PageOpened = (Extract<Opened, { ok: true }> & { nodeJson: string[] }) | Extract<Opened, { ok: false }>;

/** A library graph as the open worker read it; a broken one comes back with its saved text. */
export type StoredOpened =
  | { ok: true; id: string; graph: Graph; warnings: GraphIssue[]; issues: GraphIssue[]; nodeJson: string[]; modified: number }
  | { ok: false; code: string; id: string; title: string; lines: string[]; text?: string };
