import type { TransferEvent } from '@/workers/transfer';
import type { NodeRunView } from './store';

/** Folds a batch of run events into the per-node view (one store update per batch). */
export function applyRunEvents(prev: Readonly<Record<string, NodeRunView>>, events: readonly TransferEvent[]): Record<string, NodeRunView> {
  const next: Record<string, NodeRunView> = { ...prev };
  for (const e of events) {
    switch (e.type) {
      case 'queued':
        next[e.nodeId] = { status: 'queued' };
        break;
      case 'started':
        next[e.nodeId] = { status: 'running', reason: e.reason, fraction: next[e.nodeId]?.status === 'running' ? next[e.nodeId].fraction : 0, ...(next[e.nodeId]?.preview ? { preview: next[e.nodeId].preview } : {}) };
        break;
      case 'progress':
        next[e.nodeId] = { ...next[e.nodeId], status: 'running', fraction: e.fraction, ...(e.preview ? { preview: e.preview } : {}) };
        break;
      case 'cached':
        next[e.nodeId] = { status: 'cached', reason: e.reason, ms: 0 };
        break;
      case 'done':
        next[e.nodeId] = { ...next[e.nodeId], status: 'done', ms: e.ms, fraction: 1, ...(e.backend ? { backend: e.backend } : {}) };
        break;
      case 'error':
        next[e.nodeId] = { status: 'error', message: e.message };
        break;
      case 'skipped':
        next[e.nodeId] = { status: 'skipped', reason: e.reason };
        break;
      default:
        break;
    }
  }
  return next;
}
