'use client';
import { memo, useMemo, useState } from 'react';
import type { Graph } from '@/engine/graph/document';
import { replaceGraph } from '@/engine/commands/commands';
import { useController } from '../EditorContext';
import { EMPTY_SELECTION } from '../store';
import { TEMPLATES, type Template } from './templates';
import { GraphThumbnail } from './GraphThumbnail';
import '../ml.css';
import '../comfort.css';
import { useEscape } from './useEscape';

/** The "Templates" button and its list of example graphs; opening one is an undoable replace. */
export const TemplatesButton = memo(function TemplatesButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn ghost" onClick={() => setOpen(true)} data-testid="templates-button" title="Open an example graph">
        Templates
      </button>
      {open ? <TemplatesDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
});

function TemplatesDialog({ onClose }: { onClose: () => void }) {
  const ctrl = useController();
  useEscape(onClose);
  const open = (t: Template) => {
    let graph;
    try {
      graph = t.graph();
    } catch (err) {
      ctrl.toast('error', String(err instanceof Error ? err.message : err), 8000);
      return;
    }
    ctrl.apply(replaceGraph(graph, `Open template ${t.title}`));
    ctrl.store.set((s) => ({ selection: EMPTY_SELECTION, viewVersion: s.viewVersion + 1 }));
    ctrl.clearResults();
    ctrl.toast('info', `Opened "${t.title}" (Undo brings your graph back)`);
    onClose();
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal modal-wide" role="dialog" aria-modal="true" aria-labelledby="templates-title" data-testid="templates-dialog">
        <div className="modal-head">
          <h2 id="templates-title">Templates</h2>
          <span className="muted">Opening one replaces the graph on the canvas; Undo brings it back.</span>
        </div>
        <ul className="template-gallery">
          {TEMPLATES.map((t) => (
            <li key={t.id}>
              <button type="button" className="template-card" onClick={() => open(t)} data-testid={`template-${t.id}`}>
                <TemplatePicture template={t} />
                <span className="template-title">{t.title}</span>
                <span className="template-desc">{t.description}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** The template's layout drawn from its own graph; a template that does not parse says so. */
function TemplatePicture({ template }: { template: Template }) {
  const graph = useMemo<Graph | string>(() => {
    try {
      return template.graph();
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }, [template]);
  if (typeof graph === 'string') return <span className="graph-thumb graph-thumb-broken">{graph}</span>;
  return <GraphThumbnail graph={graph} label={`Layout of ${template.title}: ${graph.nodes.length} nodes`} />;
}
