import type { PortSpec } from '../types/portTypes';
import type { Execution } from './execution';
import { keptOutputs, replaySteps, resumedReason, resumedSignature, type Resumed } from './trajectory';

/**
 * A loop that shows a kept step: it runs nothing and hands on the values kept before that step,
 * so the nodes after it (a VAE decode) work on them. Nothing enters the cache: the loop's entry
 * from its full run stays valid, and the kept values are CPU copies the store owns.
 */
export function showKeptStep(ex: Execution, id: string, ports: readonly PortSpec[], r: Extract<Resumed, { ok: true }>, signature: string): void {
  const outputs = keptOutputs(r, ports);
  ex.states.set(id, { status: 'ok', sig: resumedSignature(signature, r), outputs });
  const report = ex.nodeReport(id);
  report.status = 'done';
  report.reason = resumedReason(r);
  report.startedAt = Date.now();
  ex.emit({ type: 'started', runId: ex.runId, nodeId: id, reason: report.reason });
  replaySteps(ex, r.trajectory);
  ex.emit({ type: 'done', runId: ex.runId, nodeId: id, ms: 0 });
  ex.record(id, outputs);
}
