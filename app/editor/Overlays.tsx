'use client';
import { memo } from 'react';
import { useController, useEditor } from './EditorContext';

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

/** The list of reasons a file was refused; the open graph is untouched. */
export const FileErrorDialog = memo(function FileErrorDialog() {
  const errs = useEditor((s) => s.fileErrors);
  const ctrl = useController();
  if (!errs) return null;
  const close = () => ctrl.store.set({ fileErrors: null });
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="file-errors-title" data-testid="file-errors">
        <h2 id="file-errors-title">{errs.title}</h2>
        <p className="muted">The file was not opened; your graph is unchanged.</p>
        <ul className="error-list" data-testid="file-error-list">
          {errs.lines.slice(0, 200).map((l, i) => (
            <li key={i} className="mono">
              {l}
            </li>
          ))}
          {errs.lines.length > 200 ? <li className="muted">… and {errs.lines.length - 200} more</li> : null}
        </ul>
        <div className="modal-actions">
          <button type="button" className="btn primary" onClick={close} autoFocus data-testid="file-errors-close">
            OK
          </button>
        </div>
      </div>
    </div>
  );
});
