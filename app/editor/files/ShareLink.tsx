'use client';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import type { Graph } from '@/engine/graph/document';
import { useController, useEditor } from '../EditorContext';
import { defaultGraph } from '../defaultGraph';
import { isShareHash, shareLinkFor } from '@/lib/shareLink';
import type { PageOpened } from '@/workers/openTypes';
import '../comfort.css';
import { useEscape } from '../dialogs/useEscape';

type ShareDialog = { kind: 'too_large'; message: string } | { kind: 'manual'; url: string; reason: string };

/** "Share link": copies a link that carries the whole graph in its fragment (nothing is uploaded). */
export const ShareButton = memo(function ShareButton() {
  const ctrl = useController();
  const [dialog, setDialog] = useState<ShareDialog | null>(null);
  const share = async () => {
    const link = shareLinkFor(ctrl.graph, window.location.href);
    if (!link.ok) {
      setDialog({ kind: 'too_large', message: link.message });
      return;
    }
    try {
      await navigator.clipboard.writeText(link.url);
      ctrl.toast('info', `Share link copied (${(link.length / 1024).toFixed(1)} KB). It carries the whole graph in the link itself; nothing is uploaded.`, 6000);
    } catch (err) {
      setDialog({ kind: 'manual', url: link.url, reason: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <>
      <button type="button" className="btn ghost" onClick={() => void share()} data-testid="share-button" title="Copy a share link: it opens this graph (the graph travels inside the link; nothing is uploaded)">
        Share
      </button>
      {dialog ? <ShareInfoDialog dialog={dialog} onClose={() => setDialog(null)} onSave={ctrl.saveToFile} /> : null}
    </>
  );
});

function ShareInfoDialog({ dialog, onClose, onSave }: { dialog: ShareDialog; onClose: () => void; onSave: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  useEscape(onClose);
  useEffect(() => input.current?.select(), []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="share-title" data-testid="share-dialog">
        <h2 id="share-title">{dialog.kind === 'too_large' ? 'This graph is too big for a link' : 'Copy the share link'}</h2>
        {dialog.kind === 'too_large' ? (
          <p data-testid="share-too-large">{dialog.message}</p>
        ) : (
          <>
            <p className="muted">The browser did not allow copying ({dialog.reason}). Select the link and copy it:</p>
            <input ref={input} type="text" readOnly value={dialog.url} className="share-url" data-testid="share-url" onFocus={(e) => e.target.select()} />
          </>
        )}
        <div className="modal-actions gap">
          {dialog.kind === 'too_large' ? (
            <button type="button" className="btn" onClick={() => { onSave(); onClose(); }} data-testid="share-save-file">
              Save file
            </button>
          ) : null}
          <button type="button" className="btn primary" onClick={onClose} autoFocus>
            OK
          </button>
        </div>
      </div>
    </div>
  );
}

type SharedGraph = Extract<PageOpened, { ok: true }>;
type Incoming = { kind: 'confirm'; opened: SharedGraph } | { kind: 'error'; lines: string[] };

/**
 * Opens a share link (`#g=…`) once the editor is ready, and again when the fragment changes.
 * The shared graph opens as a new graph in the library, so the open one is kept; if the open
 * graph has content (and is not the untouched first-visit demo) it asks first.
 */
export const ShareLinkOpener = memo(function ShareLinkOpener() {
  const ctrl = useController();
  const ready = useEditor((s) => s.ready);
  const [incoming, setIncoming] = useState<Incoming | null>(null);

  const open = useCallback(
    async (opened: SharedGraph) => {
      setIncoming(null);
      await ctrl.openAsNew(opened, `Opened the shared graph "${opened.graph.metadata.title}"`);
    },
    [ctrl],
  );

  useEffect(() => {
    if (!ready) return;
    const check = async () => {
      const hash = window.location.hash;
      if (!isShareHash(hash)) return;
      // The link is read once: reloading the page should not ask again.
      history.replaceState(null, '', window.location.pathname + window.location.search);
      // Decompressing and checking the graph happens in the open worker, never on this thread.
      const result = await ctrl.readInWorker({ kind: 'link', hash }, 'the share link');
      if (!result) return;
      if (!result.ok) {
        if (result.code !== 'cancelled') setIncoming({ kind: 'error', lines: result.lines });
      } else if (hasOwnContent(ctrl.graph)) setIncoming({ kind: 'confirm', opened: result });
      else void open(result);
    };
    const onHash = () => void check();
    onHash();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [ready, ctrl, open]);

  const close = useCallback(() => setIncoming(null), []);
  useEscape(incoming ? close : null);
  if (!incoming) return null;
  const current = ctrl.graph.metadata.title;
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      {incoming.kind === 'error' ? (
        <div className="modal" role="dialog" aria-modal="true" aria-labelledby="share-open-title" data-testid="share-open-error">
          <h2 id="share-open-title">This share link could not be opened</h2>
          <p className="muted">Nothing was opened; your graph is unchanged.</p>
          <ul className="error-list">
            {incoming.lines.slice(0, 50).map((l, i) => (
              <li key={i} className="mono">
                {l}
              </li>
            ))}
          </ul>
          <div className="modal-actions">
            <button type="button" className="btn primary" onClick={close} autoFocus>
              OK
            </button>
          </div>
        </div>
      ) : (
        <div className="modal" role="dialog" aria-modal="true" aria-labelledby="share-open-title" data-testid="share-open-confirm">
          <h2 id="share-open-title">Open the shared graph “{incoming.opened.graph.metadata.title}”?</h2>
          <p>
            It has {incoming.opened.graph.nodes.length} node{incoming.opened.graph.nodes.length === 1 ? '' : 's'} and opens as a new graph in your library. “{current}” stays in the library, unchanged.
          </p>
          <div className="modal-actions gap">
            <button type="button" className="btn" onClick={close} data-testid="share-open-cancel">
              Keep “{current.length > 28 ? `${current.slice(0, 27)}…` : current}”
            </button>
            <button type="button" className="btn primary" onClick={() => void open(incoming.opened)} autoFocus data-testid="share-open-accept">
              Open shared graph
            </button>
          </div>
        </div>
      )}
    </div>
  );
});

/** Whether replacing the graph would lose anything: not when it is empty or the untouched demo. */
function hasOwnContent(graph: Graph): boolean {
  if (!graph.nodes.length) return false;
  return JSON.stringify(graph) !== JSON.stringify(defaultGraph());
}

