import type { TransferEvent } from '@/workers/transfer';
import type { NodeRunView } from './store';
import { foldStep } from './teach/steps';

/** Folds a batch of run events into the per-node view (one store update per batch). */
export function applyRunEvents(prev: ReadonlyMap<string, NodeRunView>, events: readonly TransferEvent[], now = Date.now()): Map<string, NodeRunView> {
  const next = new Map(prev);
  for (const e of events) {
    switch (e.type) {
      case 'queued':
        next.set(e.nodeId, { status: 'queued' });
        break;
      case 'started': {
        // A node in a repeat zone starts once per iteration; its start is the first.
        const was = next.get(e.nodeId);
        next.set(
          e.nodeId,
          was?.status === 'running'
            ? { ...was, reason: e.reason, startedAt: was.startedAt ?? now }
            : { status: 'running', reason: e.reason, fraction: 0, startedAt: now, ...(was?.preview ? { preview: was.preview } : {}) },
        );
        break;
      }
      case 'progress':
        next.set(e.nodeId, { ...next.get(e.nodeId), status: 'running', fraction: e.fraction, ...(e.preview ? { preview: e.preview } : {}), ...(e.text !== undefined ? { streamText: e.text } : {}) });
        break;
      case 'cached':
        next.set(e.nodeId, { status: 'cached', reason: e.reason, ms: 0, startedAt: now });
        break;
      case 'done':
        next.set(e.nodeId, { ...next.get(e.nodeId), status: 'done', ms: e.ms, fraction: 1, ...(e.backend ? { backend: e.backend } : {}) });
        break;
      case 'error':
        next.set(e.nodeId, { status: 'error', message: e.message });
        break;
      case 'skipped':
        next.set(e.nodeId, { status: 'skipped', reason: e.reason });
        break;
      case 'step':
        next.set(e.nodeId, { ...(next.get(e.nodeId) ?? { status: 'running' }), steps: foldStep(next.get(e.nodeId)?.steps, e) });
        break;
      default:
        break;
    }
  }
  return next;
}
