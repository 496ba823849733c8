'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { decodePng } from '@/lib/png';
import { clearRuns, deleteRun, listRuns, loadRun, RUNS_BYTES, RUNS_KEPT, type RunSummary, type StoredRun } from '@/app/storage/runs';
import { useController, useEditor } from '../EditorContext';
import { PixelImage } from '../canvas/PixelImage';
import { useEscape } from '../dialogs/useEscape';
import { formatBytes } from '../files/fileData';
import { RunDiff } from './RunDiff';
import './history.css';

/**
 * Every run kept in this browser, newest first: its thumbnail, when, what graph, how long, the
 * prompt and seed. Reopen a run's graph (as a new library graph), delete one, clear them all, or
 * pick two and see what changed between them.
 */
export function HistoryPanel() {
  const ctrl = useController();
  const open = useEditor((s) => s.historyOpen);
  const version = useEditor((s) => s.historyVersion);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [diff, setDiff] = useState<[StoredRun, StoredRun] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const close = useCallback(() => {
    setDiff(null);
    ctrl.store.set({ historyOpen: false });
  }, [ctrl]);
  useEscape(open ? close : null);

  const refresh = useCallback(() => {
    listRuns()
      .then((r) => {
        setRuns(r);
        setPicked((p) => p.filter((id) => r.some((x) => x.id === id)));
      })
      .catch((e: unknown) => setError(`The run history could not be read: ${e instanceof Error ? e.message : String(e)}`));
  }, []);
  useEffect(() => {
    if (open) refresh();
  }, [open, version, refresh]);

  if (!open) return null;
  const bytes = (runs ?? []).reduce((a, r) => a + r.bytes, 0);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));
  const withRun = async (id: string, then: (run: StoredRun) => Promise<void> | void) => {
    const run = await loadRun(id).catch(() => undefined);
    if (!run) {
      setError('That run is no longer in the history (it was deleted or dropped to keep the history in bounds).');
      refresh();
      return;
    }
    await then(run);
  };
  const reopen = (id: string) =>
    withRun(id, async (run) => {
      const when = new Date(run.summary.at).toLocaleString();
      const blob = new Blob([run.graphJson], { type: 'application/json' });
      close();
      await ctrl.openRequest({ kind: 'blob', name: `${run.summary.title || 'run'}.json`, blob }, `the graph of the run at ${when}`);
    });
  const showDiff = async () => {
    const [a, b] = await Promise.all(picked.map((id) => loadRun(id).catch(() => undefined)));
    if (!a || !b) {
      setError('One of the two runs is no longer in the history.');
      refresh();
      return;
    }
    setDiff(a.summary.at <= b.summary.at ? [a, b] : [b, a]);
  };

  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal modal-wide history-panel" role="dialog" aria-modal="true" aria-labelledby="history-title" data-testid="history-panel">
        <div className="modal-head">
          <h2 id="history-title">{diff ? 'Compare two runs' : 'Run history'}</h2>
          <span className="muted small" data-testid="history-size">
            {runs ? `${runs.length} run${runs.length === 1 ? '' : 's'} · ${formatBytes(bytes)}` : 'reading…'} (keeps the newest {RUNS_KEPT}, at most {formatBytes(RUNS_BYTES)})
          </span>
          <span className="spacer" />
          <button type="button" className="btn ghost" onClick={close} data-testid="history-close" aria-label="Close">
            ×
          </button>
        </div>
        {error ? (
          <p className="models-error" role="alert">
            {error}
          </p>
        ) : null}
        {diff ? (
          <>
            <RunDiff a={diff[0]} b={diff[1]} />
            <div className="modal-actions">
              <button type="button" className="btn" onClick={() => setDiff(null)} data-testid="history-back">
                ← All runs
              </button>
            </div>
          </>
        ) : (
          <>
            {runs && !runs.length ? <p className="muted">No runs yet. Each run you make is kept here, with its graph, so you can reopen it or compare two.</p> : null}
            <ul className="history-list" data-testid="history-list">
              {(runs ?? []).map((r) => (
                <HistoryRow key={r.id} run={r} picked={picked.includes(r.id)} onPick={() => toggle(r.id)} onOpen={() => void reopen(r.id)} onDelete={() => void deleteRun(r.id).then(refresh)} />
              ))}
            </ul>
            <div className="modal-actions">
              <span className="muted small">{picked.length === 2 ? 'Two runs picked.' : `Pick two runs to compare (${picked.length} of 2).`}</span>
              <button type="button" className="btn primary" disabled={picked.length !== 2} onClick={() => void showDiff()} data-testid="history-diff">
                Compare
              </button>
              {confirmClear ? (
                <>
                  <button
                    type="button"
                    className="btn danger"
                    onClick={() => {
                      setConfirmClear(false);
                      void clearRuns().then(refresh);
                    }}
                    data-testid="history-clear-confirm"
                  >
                    Delete all {runs?.length ?? 0} runs
                  </button>
                  <button type="button" className="btn ghost" onClick={() => setConfirmClear(false)}>
                    Keep them
                  </button>
                </>
              ) : (
                <button type="button" className="btn ghost" disabled={!runs?.length} onClick={() => setConfirmClear(true)} data-testid="history-clear">
                  Clear history
                </button>
              )}
            </div>
          </>
        )}
      </div>
    </div>
  );
}

function HistoryRow({ run, picked, onPick, onOpen, onDelete }: { run: RunSummary; picked: boolean; onPick: () => void; onOpen: () => void; onDelete: () => void }) {
  const thumb = useMemo(() => {
    if (!run.thumb) return null;
    const r = decodePng(run.thumb);
    return r.ok ? r.image : null;
  }, [run.thumb]);
  const images = run.outputs.filter((o) => o.kind === 'image').reduce((a, o) => a + (o.images ?? 0), 0);
  const texts = run.outputs.filter((o) => o.kind === 'text').length;
  return (
    <li className={`history-row${picked ? ' picked' : ''}`} data-testid="history-row">
      <label className="history-pick" title="Pick to compare">
        <input type="checkbox" checked={picked} onChange={onPick} data-testid="history-pick" />
      </label>
      <div className="history-thumb">{thumb ? <PixelImage image={thumb} minWidth={48} maxWidth={48} /> : <span className="muted small">{texts ? 'text' : '—'}</span>}</div>
      <div className="history-info">
        <div>
          <strong>{run.title || 'untitled graph'}</strong> <span className={`history-status ${run.status}`}>{run.status === 'ok' ? 'done' : run.status}</span>
        </div>
        <div className="muted small">
          {new Date(run.at).toLocaleString()} · {(run.ms / 1000).toFixed(run.ms < 10_000 ? 2 : 1)} s · {run.nodeCount} nodes
          {images ? ` · ${images} image${images === 1 ? '' : 's'}` : ''}
          {texts ? ` · ${texts} text${texts === 1 ? '' : 's'}` : ''}
          {run.seed !== null ? ` · seed ${run.seed}` : ''}
        </div>
        {run.prompt ? <div className="history-prompt small">{run.prompt}</div> : null}
        {run.message ? <div className="history-message small">{run.message}</div> : null}
      </div>
      <div className="history-actions">
        <button type="button" className="btn small" onClick={onOpen} data-testid="history-open" title="Open this run's graph as a new library graph (the one open now stays in the library)">
          Open graph
        </button>
        <button type="button" className="btn small ghost" onClick={onDelete} data-testid="history-delete" aria-label="Delete this run">
          Delete
        </button>
      </div>
    </li>
  );
}

/** Run bar button: the stored run history. */
export function HistoryButton() {
  const ctrl = useController();
  return (
    <button type="button" className="btn icon" onClick={ctrl.openHistory} data-testid="history-button" aria-label="Run history" title="Run history: every run kept in this browser; reopen one or compare two">
      <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden>
        <circle cx="7" cy="7" r="5.75" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M7 3.5 V7 L9.5 8.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
    </button>
  );
}
