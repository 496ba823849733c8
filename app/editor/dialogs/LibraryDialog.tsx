'use client';
import { useCallback, useEffect, useState } from 'react';
import { emptyGraph } from '@/engine/graph/document';
import { setMetadata } from '@/engine/commands/commands';
import * as storage from '@/app/storage/db';
import { useController, useEditor } from '../EditorContext';
import { defaultGraph } from '../defaultGraph';

/** The graph library kept in this browser: open, rename, duplicate, delete, new. */
export function LibraryDialog() {
  const open = useEditor((s) => s.libraryOpen);
  if (!open) return null;
  return <Library />;
}

function Library() {
  const ctrl = useController();
  const docId = useEditor((s) => s.docId);
  const saved = useEditor((s) => s.saved);
  const [items, setItems] = useState<storage.GraphSummary[] | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const list = await ctrl.guardStorage(() => storage.listGraphs());
    setItems(list ?? []);
  }, [ctrl]);

  useEffect(() => {
    void ctrl.saveNow().then(refresh);
  }, [ctrl, refresh]);

  // Keep the current graph's row fresh while the dialog is open.
  useEffect(() => {
    if (saved === 'saved') void refresh();
  }, [saved, refresh]);

  const close = () => ctrl.store.set({ libraryOpen: false });

  const commitRename = async () => {
    if (!renaming) return;
    const title = renaming.title.trim() || 'Untitled graph';
    if (renaming.id === docId) {
      ctrl.apply(setMetadata({ title }));
      await ctrl.saveNow();
    } else {
      await ctrl.guardStorage(() => storage.renameGraph(renaming.id, title));
    }
    setRenaming(null);
    await refresh();
  };

  const remove = async (id: string) => {
    setConfirmDelete(null);
    await ctrl.guardStorage(() => storage.deleteGraph(id));
    if (id === docId) {
      const rest = (await ctrl.guardStorage(() => storage.listGraphs())) ?? [];
      if (rest[0]) await ctrl.openLibraryGraph(rest[0].id);
      else await ctrl.newGraph(defaultGraph());
      ctrl.store.set({ libraryOpen: true });
    }
    await refresh();
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal modal-wide" role="dialog" aria-modal="true" aria-labelledby="library-title" data-testid="library">
        <div className="modal-head">
          <h2 id="library-title">Graph library</h2>
          <span className="muted small">Kept in this browser</span>
          <div className="spacer" />
          <button type="button" className="btn primary" data-testid="library-new" onClick={() => void ctrl.newGraph(emptyGraph('Untitled graph')).then(refresh)}>
            New graph
          </button>
          <button type="button" className="btn ghost" data-testid="library-demo" onClick={() => void ctrl.newGraph(defaultGraph()).then(refresh)}>
            New from demo
          </button>
          <button type="button" className="btn icon" onClick={close} aria-label="Close" data-testid="library-close">
            ×
          </button>
        </div>
        {items === null ? (
          <div className="muted pad">Loading…</div>
        ) : items.length === 0 ? (
          <div className="muted pad">No saved graphs yet.</div>
        ) : (
          <table className="library-table">
            <thead>
              <tr>
                <th>Title</th>
                <th>Modified</th>
                <th className="num">Nodes</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((g) => (
                <tr key={g.id} className={g.id === docId ? 'current' : ''} data-testid="library-row" data-title={g.title}>
                  <td>
                    {renaming?.id === g.id ? (
                      <input
                        autoFocus
                        value={renaming.title}
                        maxLength={200}
                        data-testid="library-rename-input"
                        onChange={(e) => setRenaming({ id: g.id, title: e.target.value })}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter') void commitRename();
                          if (e.key === 'Escape') {
                            e.stopPropagation();
                            setRenaming(null);
                          }
                        }}
                        onBlur={() => void commitRename()}
                      />
                    ) : (
                      <button type="button" className="link" onClick={() => void ctrl.openLibraryGraph(g.id)} data-testid="library-open">
                        {g.title}
                      </button>
                    )}
                    {g.id === docId ? <span className="tag">open</span> : null}
                  </td>
                  <td className="muted">{formatTime(g.modified)}</td>
                  <td className="num">{g.nodeCount}</td>
                  <td className="row-actions">
                    <button type="button" className="btn small ghost" onClick={() => setRenaming({ id: g.id, title: g.title })} data-testid="library-rename">
                      Rename
                    </button>
                    <button
                      type="button"
                      className="btn small ghost"
                      data-testid="library-duplicate"
                      onClick={async () => {
                        if (g.id === docId) await ctrl.saveNow();
                        await ctrl.guardStorage(() => storage.duplicateGraph(g.id));
                        await refresh();
                      }}
                    >
                      Duplicate
                    </button>
                    {confirmDelete === g.id ? (
                      <button type="button" className="btn small danger" onClick={() => void remove(g.id)} data-testid="library-delete-confirm">
                        Really delete
                      </button>
                    ) : (
                      <button type="button" className="btn small ghost" onClick={() => setConfirmDelete(g.id)} data-testid="library-delete">
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' });
}
