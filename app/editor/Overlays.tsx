'use client';
import { Component, memo, type ReactNode } from 'react';
import { useController, useEditor } from './EditorContext';
import type { EditorController } from './controller';
import { clearRenderFault } from './devApi';

/** Toasts (short messages, e.g. why a connection was refused) and the storage-error banner. */
export const Toasts = memo(function Toasts() {
  const toasts = useEditor((s) => s.toasts);
  const ctrl = useController();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <span>{t.message}</span>
          <button type="button" className="toast-close" onClick={() => ctrl.dismissToast(t.id)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
});

export const StorageBanner = memo(function StorageBanner() {
  const error = useEditor((s) => s.storageError);
  const ctrl = useController();
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="storage-error">
      <span>{error}</span>
      <button type="button" className="btn small" onClick={ctrl.saveToFile}>
        Save to file
      </button>
      <button type="button" className="btn small ghost" onClick={() => ctrl.store.set({ storageError: null })}>
        Dismiss
      </button>
    </div>
  );
});

/** A modal of one heading and a list of lines, closed by OK (a refused file, an import report). */
function LinesDialog({ id, listId = `${id}-list`, title, intro, lines, mono, onClose }: { id: string; listId?: string; title: string; intro?: string; lines: readonly string[]; mono?: boolean; onClose: () => void }) {
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} data-testid={id}>
        <h2 id={`${id}-title`}>{title}</h2>
        {intro ? <p className="muted">{intro}</p> : null}
        <ul className={mono ? 'error-list' : 'import-list'} data-testid={listId}>
          {lines.slice(0, 200).map((l, i) => (
            <li key={i} className={mono ? 'mono' : undefined}>
              {l}
            </li>
          ))}
          {lines.length > 200 ? <li className="muted">… and {lines.length - 200} more</li> : null}
        </ul>
        <div className="modal-actions">
          <button type="button" className="btn primary" onClick={onClose} autoFocus data-testid={`${id}-close`}>
            OK
          </button>
        </div>
      </div>
    </div>
  );
}

/** The list of reasons a file was refused; the open graph is untouched. */
export const FileErrorDialog = memo(function FileErrorDialog() {
  const errs = useEditor((s) => s.fileErrors);
  const ctrl = useController();
  if (!errs) return null;
  return <LinesDialog id="file-errors" listId="file-error-list" title={errs.title} intro="The file was not opened; your graph is unchanged." lines={errs.lines} mono onClose={() => ctrl.store.set({ fileErrors: null })} />;
});

/** After a ComfyUI workflow opened: what mapped, what Weft does differently, what stayed a placeholder. */
export const ImportReportDialog = memo(function ImportReportDialog() {
  const report = useEditor((s) => s.importReport);
  const ctrl = useController();
  if (!report) return null;
  return <LinesDialog id="import-report" title={report.title} lines={report.lines} onClose={() => ctrl.store.set({ importReport: null })} />;
});

/**
 * A library graph that could not be opened or drawn. The editor carries on with a blank graph;
 * the broken one stays in the library and can be downloaded exactly as it was stored.
 */
export const RecoveryBanner = memo(function RecoveryBanner() {
  const recovery = useEditor((s) => s.recovery);
  const ctrl = useController();
  if (!recovery) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="recovery-banner">
      <span>
        The graph “{recovery.title || 'untitled'}” could not be opened ({recovery.lines.slice(0, 2).join('; ')}
        {recovery.lines.length > 2 ? `; and ${recovery.lines.length - 2} more` : ''}). It is kept in the library, unchanged; a blank graph was started.
      </span>
      {recovery.text !== null ? (
        <button type="button" className="btn small" onClick={ctrl.downloadRecovered} data-testid="recovery-download">
          Download it
        </button>
      ) : null}
      <button type="button" className="btn small" onClick={() => ctrl.store.set({ libraryOpen: true })} data-testid="recovery-library">
        Open library
      </button>
      <button type="button" className="btn small ghost" onClick={() => ctrl.store.set({ recovery: null })}>
        Dismiss
      </button>
    </div>
  );
});

/** While the open worker reads a file, PNG or link: what is opening, and Cancel. */
export const OpeningOverlay = memo(function OpeningOverlay() {
  const opening = useEditor((s) => s.opening);
  const ctrl = useController();
  if (!opening) return null;
  return (
    <div className="opening" role="status" aria-live="polite" data-testid="opening">
      <span className="spinner" aria-hidden="true" />
      <span>Opening {opening.label}…</span>
      <button type="button" className="btn small" onClick={ctrl.cancelOpen} data-testid="opening-cancel">
        Cancel
      </button>
    </div>
  );
});

/**
 * Catches a render error in the canvas (a graph the view cannot draw): the controller keeps the
 * graph in the library, offers it for download and starts a blank one, so the editor never stays
 * broken, not even after a reload.
 */
export class CanvasErrorBoundary extends Component<{ ctrl: EditorController; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  componentDidCatch(error: unknown): void {
    clearRenderFault();
    this.props.ctrl.renderFailed(error);
  }

  render(): ReactNode {
    return this.state.failed ? <div className="loading">This graph could not be drawn.</div> : this.props.children;
  }
}
