'use client';
import { memo, useEffect, useRef, useState } from 'react';
import { setMetadata } from '@/engine/commands/commands';
import { useController, useEditor } from '../EditorContext';
import { formatMs } from '../canvas/ValueView';
import { BackendPicker } from './BackendPicker';
import { ModelsButton } from '../dialogs/ModelsDialog';
import { TemplatesButton } from '../dialogs/TemplatesDialog';
import { StepControls } from '../inspect/StepMode';
import { useInspect } from '../inspect/useInspect';
import { TimelineButton } from '../inspect/Timeline';
import { ResultsButton } from '../results/ResultsPanel';
import { GridButton } from '../grid/GridDialog';
import { HistoryButton } from '../history/HistoryPanel';
import { StepsButton } from '../teach/StepsPanel';
import { ShareButton } from '../files/ShareLink';
import { progressEstimate, runFraction } from './progress';

/** The top bar: graph title, file and library actions, undo/redo, Run / Run to selected / Cancel. */
export const RunBar = memo(function RunBar() {
  const ctrl = useController();
  const title = useEditor((s) => s.graph.metadata.title);
  const canUndo = useEditor((s) => s.canUndo);
  const canRedo = useEditor((s) => s.canRedo);
  const undoName = useEditor((s) => s.undoName);
  const redoName = useEditor((s) => s.redoName);
  const run = useEditor((s) => s.run);
  const selected = useEditor((s) => (s.selection.nodes.size === 1 ? [...s.selection.nodes][0] : undefined));
  const saved = useEditor((s) => s.saved);
  const fileInput = useRef<HTMLInputElement>(null);
  const busy = run.status === 'running' || run.status === 'cancelling';
  // A stepped run shows Next and Continue where Run was.
  const stepping = useInspect((s) => s.step.active);

  return (
    <header className="runbar" data-testid="runbar">
      <div className="brand">
        <span className="brand-mark">◇</span> Weft
      </div>
      <input
        className="title-input"
        value={title}
        maxLength={200}
        // The whole title on hover, where the bar has no room for it.
        title={title}
        aria-label="Graph title"
        data-testid="graph-title"
        onChange={(e) => ctrl.apply(setMetadata({ title: e.target.value }))}
      />
      <span className={`save-state save-${saved}`} data-testid="save-state" title="Autosaved in this browser">
        {saved === 'saved' ? 'Saved' : saved === 'saving' ? 'Saving…' : saved === 'unsaved' ? 'Edited' : 'Not saved'}
      </span>
      <div className="bar-group">
        <button type="button" className="btn ghost" onClick={() => ctrl.store.set({ libraryOpen: true })} data-testid="library-button">
          Library
        </button>
        <TemplatesButton />
        <ModelsButton />
        <button type="button" className="btn ghost" onClick={() => fileInput.current?.click()} data-testid="open-button" title="Open a .json graph file or a PNG saved by Weft, or a ComfyUI workflow (JSON or PNG)">
          Open…
        </button>
        <button type="button" className="btn ghost" onClick={ctrl.saveToFile} data-testid="save-button" title="Download the graph as .json">
          Save
        </button>
        <ShareButton />
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json,.png,image/png"
          hidden
          data-testid="open-file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void ctrl.openFile(f);
            e.target.value = '';
          }}
        />
      </div>
      <div className="bar-group">
        <button type="button" className="btn icon" disabled={!canUndo} onClick={ctrl.undo} title={`Undo${undoName ? ` ${undoName}` : ''} (Ctrl+Z)`} data-testid="undo-button">
          ↶
        </button>
        <button type="button" className="btn icon" disabled={!canRedo} onClick={ctrl.redo} title={`Redo${redoName ? ` ${redoName}` : ''} (Ctrl+Shift+Z)`} data-testid="redo-button">
          ↷
        </button>
      </div>
      <div className="spacer" />
      <BackendPicker />
      <RunStatus />
      <TimelineButton />
      <StepsButton />
      <ResultsButton />
      <HistoryButton />
      <GridButton />
      <div className="bar-group">
        {stepping ? null : (
          <button type="button" className="btn primary" disabled={busy} onClick={() => void ctrl.run()} title="Run every output (Ctrl+Enter)" data-testid="run-button">
            ▶ Run
          </button>
        )}
        <StepControls />
        <button type="button" className="btn" disabled={busy || !selected} onClick={() => selected && void ctrl.run([selected])} title="Run only what the selected node needs" data-testid="run-selected-button">
          ▶ Selected
        </button>
        <button type="button" className="btn danger" disabled={!busy} onClick={ctrl.cancel} title="Cancel the run (Escape)" data-testid="cancel-button">
          ■ Cancel
        </button>
      </div>
    </header>
  );
});

function RunStatus() {
  const run = useEditor((s) => s.run);
  const fraction = useEditor((s) => runFraction(s.nodeRuns));
  const step = useInspect((s) => s.step);
  const [now, setNow] = useState(() => Date.now());
  const running = run.status === 'running' || run.status === 'cancelling';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(t);
  }, [running]);
  // In step mode the clock stops while the run waits for Next.
  const paused = step.active ? step.pausedMs + (step.pausedSince !== null ? now - step.pausedSince : 0) : 0;
  const workStart = run.startedAt === undefined ? undefined : run.startedAt + paused;
  const text =
    run.status === 'idle'
      ? 'Ready'
      : running && step.active && step.pausedSince !== null
        ? `Paused · ${formatMs(Math.max(0, now - (workStart ?? now)))} of work · ${Math.round(fraction * 100)}%`
        : running
        ? runningText(run.status === 'cancelling' ? 'Cancelling' : 'Running', fraction, workStart, now)
        : run.status === 'ok'
          ? `Done · ${formatMs(run.ms)}`
          : run.status === 'cancelled'
            ? `Cancelled · ${formatMs(run.ms)}`
            : run.status === 'invalid'
              ? 'Not runnable'
              : `Failed · ${formatMs(run.ms)}`;
  return (
    <div className={`run-status status-${run.status}`} data-testid="run-status" data-status={run.status} title={run.message}>
      {running ? <span className="spinner" /> : null}
      {text}
      {running ? (
        <span className="run-status-progress" data-testid="run-progress" aria-hidden>
          <span style={{ width: `${Math.round(fraction * 100)}%` }} />
        </span>
      ) : null}
    </div>
  );
}

/** "Running · 3.2 s · 60% · ~2.1 s left": the whole run's share of nodes done and a linear estimate. */
function runningText(verb: string, fraction: number, startedAt: number | undefined, now: number): string {
  const { elapsedMs, remainingMs } = progressEstimate(fraction, startedAt, now);
  return [verb, formatMs(elapsedMs), `${Math.round(fraction * 100)}%`, remainingMs !== undefined ? `~${formatMs(remainingMs)} left` : '']
    .filter(Boolean)
    .join(' · ');
}
