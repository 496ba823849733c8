'use client';
import { memo, useCallback, useState } from 'react';
import { createPortal } from 'react-dom';
import { Panel, useReactFlow } from '@xyflow/react';
import { addNode } from '@/engine/commands/commands';
import { NODE_DEFINITIONS } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { autoLayoutCommand, type Size } from './autoLayout';
import { groupOfSelection, groupSelection, ungroupSelection } from './groupActions';
import { RepeatZoneDialog, type ZoneDialogTarget } from '../dialogs/RepeatZoneDialog';
import { setViewPrefs, useViewPrefs } from './viewPrefs';
import { isFrameId } from './derive';
import '../comfort.css';

const noteDef = NODE_DEFINITIONS.find((d) => d.appearance === 'note');
const FIT = { padding: 0.15, maxZoom: 1, minZoom: 0.2, duration: 200 };

/** Tools over the canvas: selection actions (group, repeat zone), note, auto-layout, snap, theme. */
export const CanvasToolbar = memo(function CanvasToolbar() {
  const ctrl = useController();
  const rf = useReactFlow();
  const selected = useEditor((s) => s.selection.nodes);
  const graph = useEditor((s) => s.graph);
  const prefs = useViewPrefs();
  const [zoneDialog, setZoneDialog] = useState<ZoneDialogTarget | null>(null);

  const group = groupOfSelection(graph, selected);
  const zonesOfSelection = graph.zones.filter((z) => [...selected].some((id) => id === z.inputNode || id === z.outputNode || z.nodes.includes(id)));
  const selectedBoundary = [...selected].some((id) => graph.zones.some((z) => z.inputNode === id || z.outputNode === id));

  const addNote = useCallback(() => {
    if (!noteDef) return;
    const el = document.querySelector('.canvas');
    const r = el?.getBoundingClientRect();
    const p = r ? rf.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 3 }) : { x: 0, y: 0 };
    const before = new Set(ctrl.graph.nodes.map((n) => n.id));
    ctrl.apply(addNode(noteDef, { x: Math.round(p.x - 110), y: Math.round(p.y - 40) }));
    const added = ctrl.graph.nodes.find((n) => !before.has(n.id));
    if (added) ctrl.selectNodes([added.id]);
  }, [ctrl, rf]);

  const layout = useCallback(() => {
    const sizes = new Map<string, Size>();
    for (const n of rf.getNodes()) {
      if (!isFrameId(n.id) && n.measured?.width && n.measured.height) sizes.set(n.id, { width: n.measured.width, height: n.measured.height });
    }
    if (ctrl.apply(autoLayoutCommand(ctrl.graph, sizes))) {
      setTimeout(() => void rf.fitView({ ...FIT, nodes: ctrl.graph.nodes.map((n) => ({ id: n.id })) }), 60);
    }
  }, [ctrl, rf]);

  return (
    <>
      <Panel position="top-center" className="canvas-toolbar" data-testid="canvas-toolbar">
        {selected.size ? (
          <span className="toolbar-group" data-testid="selection-tools">
            <span className="toolbar-count">{selected.size} selected</span>
            <button type="button" className="btn small" onClick={() => groupSelection(ctrl)} title="Put the selected nodes in a group (Ctrl+G)" data-testid="group-button">
              Group
            </button>
            {group ? (
              <button type="button" className="btn small" onClick={() => ungroupSelection(ctrl)} title="Remove the group; its nodes stay (Ctrl+Shift+G)" data-testid="ungroup-button">
                Ungroup
              </button>
            ) : null}
            <button
              type="button"
              className="btn small"
              disabled={selectedBoundary}
              onClick={() => setZoneDialog({ kind: 'create', nodeIds: [...selected] })}
              title={selectedBoundary ? 'A Repeat Input or Output node cannot go inside another zone' : 'Run the selected nodes once per iteration, carrying values along'}
              data-testid="repeat-button"
            >
              Repeat…
            </button>
            {zonesOfSelection.length === 1 ? (
              <button type="button" className="btn small" onClick={() => setZoneDialog({ kind: 'edit', zoneId: zonesOfSelection[0].id })} title="Iterations and carried values" data-testid="edit-zone-button">
                Edit zone…
              </button>
            ) : null}
          </span>
        ) : null}
        <span className="toolbar-group">
          <button type="button" className="btn small ghost" onClick={addNote} disabled={!noteDef} title="Add a sticky note" data-testid="add-note-button">
            + Note
          </button>
          <button type="button" className="btn small ghost" onClick={layout} disabled={!graph.nodes.length} title="Arrange the graph left to right along its wires (Undo puts it back)" data-testid="auto-layout-button">
            Auto-layout
          </button>
          <button
            type="button"
            className={`btn small ghost${prefs.snapToGrid ? ' toggled' : ''}`}
            aria-pressed={prefs.snapToGrid}
            onClick={() => setViewPrefs({ snapToGrid: !prefs.snapToGrid })}
            title="Snap nodes to the grid while dragging"
            data-testid="snap-button"
          >
            Snap
          </button>
          <button
            type="button"
            className="btn small ghost"
            onClick={() => setViewPrefs({ theme: prefs.theme === 'dark' ? 'light' : 'dark' })}
            title={prefs.theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
            aria-label={prefs.theme === 'dark' ? 'Light theme' : 'Dark theme'}
            data-testid="theme-button"
          >
            {prefs.theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </span>
      </Panel>
      {zoneDialog ? createPortal(<RepeatZoneDialog target={zoneDialog} onClose={() => setZoneDialog(null)} />, document.body) : null}
    </>
  );
});
