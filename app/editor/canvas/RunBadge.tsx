'use client';
import { memo } from 'react';
import type { NodeRunView } from '../store';
import { formatMs } from './ValueView';
import { PixelImage } from './PixelImage';
import { progressEstimate } from '../runbar/progress';

const LABEL: Record<NodeRunView['status'], string> = {
  queued: 'queued',
  running: 'running',
  done: 'done',
  cached: 'cached',
  error: 'error',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** The node's state in the last run: a pill, its time or reason, a progress bar while running. */
export const RunBadge = memo(function RunBadge({ run, scrubberShown = false }: { run: NodeRunView; scrubberShown?: boolean }) {
  const detail =
    run.status === 'done'
      ? [formatMs(run.ms), run.backend].filter(Boolean).join(' · ')
      : run.status === 'running'
        ? runningDetail(run)
        : run.status === 'error'
          ? run.message
          : run.status === 'skipped' || run.status === 'cached'
            ? run.reason
            : undefined;
  return (
    <div className={`run-badge run-${run.status}`} data-testid="node-run-state" data-status={run.status}>
      <span className="run-pill">{LABEL[run.status]}</span>
      {detail ? (
        <span className="run-detail" title={detail}>
          {detail}
        </span>
      ) : null}
      {run.status === 'running' ? (
        <div className="run-progress">
          <div className="run-progress-bar" style={{ width: `${Math.round((run.fraction ?? 0) * 100)}%` }} />
        </div>
      ) : null}
      {run.preview && !scrubberShown ? (
        <div className="run-preview" data-testid="run-preview">
          <PixelImage image={run.preview} minWidth={96} maxWidth={128} />
          <span className="run-preview-note">{run.status === 'running' ? `preview · ${Math.round((run.fraction ?? 0) * 100)}%` : 'last preview'}</span>
        </div>
      ) : null}
      {run.streamText !== undefined && run.status === 'running' ? (
        <div className="run-stream mono" data-testid="run-stream" aria-live="polite">
          {run.streamText}
        </div>
      ) : null}
    </div>
  );
});

/** "45% · 1.2 s · ~1.5 s left": re-rendered with each progress event. */
function runningDetail(run: NodeRunView): string {
  const fraction = run.fraction ?? 0;
  const { elapsedMs, remainingMs } = progressEstimate(fraction, run.startedAt, Date.now());
  return [`${Math.round(fraction * 100)}%`, run.startedAt !== undefined ? formatMs(elapsedMs) : '', remainingMs !== undefined ? `~${formatMs(remainingMs)} left` : '']
    .filter(Boolean)
    .join(' · ');
}
