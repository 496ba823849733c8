import type { NodeRunView } from '../store';

/**
 * Elapsed time and a linear estimate of what is left, from a fraction done and a start time.
 * No estimate before 5% (too noisy) or once done.
 */
export function progressEstimate(fraction: number, startedAt: number | undefined, now: number): { elapsedMs: number; remainingMs?: number } {
  const elapsedMs = startedAt === undefined ? 0 : Math.max(0, now - startedAt);
  if (startedAt === undefined || !(fraction >= 0.05) || fraction >= 1) return { elapsedMs };
  return { elapsedMs, remainingMs: (elapsedMs / fraction) * (1 - fraction) };
}

const FINISHED = new Set<NodeRunView['status']>(['done', 'cached', 'error', 'skipped', 'cancelled']);

/** The whole run's fraction: finished nodes count 1, running nodes their own fraction, queued 0. */
export function runFraction(nodeRuns: ReadonlyMap<string, NodeRunView>): number {
  let total = 0;
  let done = 0;
  for (const r of nodeRuns.values()) {
    total++;
    if (FINISHED.has(r.status)) done++;
    else if (r.status === 'running') done += Math.min(1, Math.max(0, r.fraction ?? 0));
  }
  return total ? done / total : 0;
}
