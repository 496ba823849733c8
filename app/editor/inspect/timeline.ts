import type { Graph } from '@/engine/graph/document';
import type { NodeRunStatus } from '@/engine/executor/types';
import { registry } from '@/nodes';
import type { NodeRunView } from '../store';

export interface TimelineRow {
  id: string;
  label: string;
  status: NodeRunStatus;
  /** Milliseconds from the first node's start; undefined for nodes that never started. */
  start?: number;
  ms: number;
  backend?: string;
  cached: boolean;
  /** Why it ran, was reused or was skipped (the executor's words). */
  reason: string;
}

export interface Timeline {
  rows: TimelineRow[];
  /** From the first start to the last end. */
  total: number;
}

/** One row per node of the last run, in the order they started; `now` ends bars still running. */
export function buildTimeline(graph: Graph, runs: ReadonlyMap<string, NodeRunView>, now = Date.now()): Timeline {
  const entries = [...runs];
  let origin = Infinity;
  for (const [, r] of entries) if (r.startedAt !== undefined && r.startedAt < origin) origin = r.startedAt;
  const labels = new Map(graph.nodes.map((n) => [n.id, n.label || registry.get(n.type)?.title || n.type]));
  const rows: TimelineRow[] = entries.map(([id, r]) => {
    const running = r.status === 'running';
    const ms = running && r.startedAt !== undefined ? Math.max(0, now - r.startedAt) : (r.ms ?? 0);
    return {
      id,
      label: labels.get(id) ?? id,
      status: r.status,
      ...(r.startedAt !== undefined ? { start: r.startedAt - origin } : {}),
      ms,
      ...(r.backend ? { backend: r.backend } : {}),
      cached: r.status === 'cached',
      reason: r.status === 'error' ? (r.message ?? r.reason ?? '') : (r.reason ?? ''),
    };
  });
  // Two nodes of one type (the positive and the negative Tokenizer) are told apart by their ids.
  const uses = new Map<string, number>();
  for (const row of rows) uses.set(row.label, (uses.get(row.label) ?? 0) + 1);
  for (const row of rows) if ((uses.get(row.label) ?? 0) > 1) row.label = `${row.label} · ${row.id}`;
  rows.sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity) || a.id.localeCompare(b.id));
  let total = 0;
  for (const row of rows) if (row.start !== undefined) total = Math.max(total, row.start + row.ms);
  return { rows, total };
}
