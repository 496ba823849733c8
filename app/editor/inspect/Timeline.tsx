'use client';
import './inspect.css';
import { memo, useEffect, useMemo, useState } from 'react';
import { useController, useEditor } from '../EditorContext';
import { formatMs } from '../canvas/ValueView';
import { buildTimeline, type TimelineRow } from './timeline';
import { useInspect, useInspectController } from './useInspect';

/** Run bar toggle for the timeline panel. */
export const TimelineButton = memo(function TimelineButton() {
  const inspect = useInspectController();
  const open = useInspect((s) => s.timelineOpen);
  return (
    <button
      type="button"
      className={`btn icon${open ? ' active' : ''}`}
      aria-pressed={open}
      aria-label="Timeline"
      onClick={inspect.toggleTimeline}
      title="Timeline: when each node of the last run ran, for how long, and why"
      data-testid="timeline-button"
    >
      <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden>
        <rect x="0" y="1" width="6" height="2" rx="1" fill="currentColor" />
        <rect x="3" y="5" width="8" height="2" rx="1" fill="currentColor" />
        <rect x="8" y="9" width="6" height="2" rx="1" fill="currentColor" />
      </svg>
    </button>
  );
});

/** One bar per node of the last run on a shared time axis, with why each ran or was reused. */
export const TimelinePanel = memo(function TimelinePanel() {
  const ctrl = useController();
  const inspect = useInspectController();
  const open = useInspect((s) => s.timelineOpen);
  const graph = useEditor((s) => s.graph);
  const runs = useEditor((s) => s.nodeRuns);
  const run = useEditor((s) => s.run);
  const live = run.status === 'running' || run.status === 'cancelling';
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!open || !live) return;
    const t = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(t);
  }, [open, live]);
  const timeline = useMemo(() => buildTimeline(graph, runs, live ? now : undefined), [graph, runs, live, now]);
  if (!open) return null;
  const span = Math.max(timeline.total, 1);
  const ticks = axisTicks(span);
  return (
    <section className="timeline-panel" data-testid="timeline-panel" aria-label="Run timeline">
      <header className="timeline-head">
        <span className="timeline-title">Run timeline</span>
        {timeline.rows.length ? (
          <span className="timeline-sum" data-testid="timeline-total">
            {live ? `running · ${formatMs(now - (run.startedAt ?? now))}` : `total ${formatMs(run.ms ?? timeline.total)}`} · {timeline.rows.length} nodes: {count(timeline.rows, (r) => !r.cached && r.start !== undefined)} ran, {count(timeline.rows, (r) => r.cached)} cached
          </span>
        ) : null}
        <span className="spacer" />
        <Legend />
        <button type="button" className="icon-button" onClick={inspect.toggleTimeline} title="Close the timeline" aria-label="Close the timeline" data-testid="timeline-close">
          ×
        </button>
      </header>
      {timeline.rows.length === 0 ? (
        <div className="timeline-empty">Run the graph to see when each node ran and why.</div>
      ) : (
        <div className="timeline-body">
          <div className="timeline-row timeline-axis" aria-hidden>
            <span className="tl-name" />
            <span className="tl-track">
              {ticks.values.map((t) => (
                <span key={t} className="tl-tick" style={{ left: `${(t / span) * 100}%` }}>
                  {tickLabel(t, ticks.step)}
                </span>
              ))}
            </span>
            <span className="tl-ms" />
            <span className="tl-tags" />
            <span className="tl-reason" />
          </div>
          {timeline.rows.map((row) => (
            <Row key={row.id} row={row} span={span} onSelect={() => ctrl.selectNodes([row.id])} />
          ))}
        </div>
      )}
    </section>
  );
});

function Row({ row, span, onSelect }: { row: TimelineRow; span: number; onSelect: () => void }) {
  const left = row.start !== undefined ? (row.start / span) * 100 : 0;
  const width = row.start !== undefined ? Math.max((row.ms / span) * 100, 0) : 0;
  return (
    <div className={`timeline-row st-${row.status}`} data-testid={`timeline-row-${row.id}`} data-status={row.status} onClick={onSelect} title={`${row.label} (${row.id}): ${row.status}${row.reason ? ` — ${row.reason}` : ''}`}>
      <span className="tl-name">{row.label}</span>
      <span className="tl-track">
        {row.start !== undefined ? <span className="tl-bar" style={{ left: `${left}%`, width: `calc(${width}% + 2px)` }} /> : null}
      </span>
      <span className="tl-ms">{row.start !== undefined && !row.cached ? formatMs(row.ms) : ''}</span>
      <span className="tl-tags">
        {row.cached ? <span className="tl-tag cached">cached</span> : null}
        {row.backend ? <span className="tl-tag backend">{row.backend}</span> : null}
        {!row.cached && (row.status === 'skipped' || row.status === 'cancelled' || row.status === 'error') ? <span className={`tl-tag ${row.status}`}>{row.status}</span> : null}
      </span>
      <span className="tl-reason" data-testid="timeline-reason">
        {row.reason}
      </span>
    </div>
  );
}

function Legend() {
  return (
    <span className="timeline-legend" aria-hidden>
      <span className="lg st-done">ran</span>
      <span className="lg st-cached">cached</span>
      <span className="lg st-running">running</span>
      <span className="lg st-error">failed</span>
    </span>
  );
}

function count<T>(items: readonly T[], test: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (test(item)) n++;
  return n;
}

/** Round tick positions (1, 2 or 5 × 10^k ms) giving about five ticks across `span`. */
function axisTicks(span: number): { values: number[]; step: number } {
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
  const values: number[] = [];
  for (let i = 0; i * step <= span + 1e-9; i++) values.push(i * step);
  return { values, step };
}

/** Tick labels with as many decimals as the step needs (0.2 ms, 1.5 s…). */
function tickLabel(t: number, step: number): string {
  if (t === 0) return '0';
  if (step >= 1000) return `${(t / 1000).toFixed(step >= 10_000 || step % 1000 === 0 ? 0 : 1)} s`;
  return `${t.toFixed(step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step))))} ms`;
}
