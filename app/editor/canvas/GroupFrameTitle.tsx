'use client';
import { memo, useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useStoreApi, type NodeChange } from '@xyflow/react';
import { moveNodes, ungroup } from '@/engine/commands/commands';
import { setGroupColour, setGroupTitle } from '@/engine/commands/groupCommands';
import { useController } from '../EditorContext';
import { FRAME_COLOURS, takeRenamePending } from './groupActions';
import { SNAP_GRID, useViewPrefs } from './viewPrefs';
import '../comfort.css';

/**
 * A group frame's title bar: drag it to move the group's nodes (one undo entry), click it to
 * select them, double-click the name to rename, pick a colour, or ungroup.
 */
export const GroupFrameTitle = memo(function GroupFrameTitle({ groupId, title, colour }: { groupId: string; title: string; colour: string }) {
  const ctrl = useController();
  const flow = useStoreApi();
  const { snapToGrid } = useViewPrefs();
  const [editing, setEditing] = useState(() => takeRenamePending(groupId));
  const [colours, setColours] = useState(false);
  const drag = useRef<{ x: number; y: number; start: Map<string, { x: number; y: number }>; moved: boolean; last: { x: number; y: number } } | null>(null);

  const onPointerDown = useCallback(
    (e: ReactPointerEvent) => {
      if (e.button !== 0 || (e.target as HTMLElement).closest('button, input')) return;
      e.stopPropagation();
      const group = ctrl.graph.groups.find((g) => g.id === groupId);
      if (!group) return;
      const start = new Map<string, { x: number; y: number }>();
      for (const n of ctrl.graph.nodes) if (group.nodes.includes(n.id)) start.set(n.id, n.position);
      drag.current = { x: e.clientX, y: e.clientY, start, moved: false, last: { x: 0, y: 0 } };
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    },
    [ctrl, groupId],
  );

  const onPointerMove = useCallback(
    (e: ReactPointerEvent) => {
      const d = drag.current;
      if (!d) return;
      const zoom = flow.getState().transform[2];
      let dx = (e.clientX - d.x) / zoom;
      let dy = (e.clientY - d.y) / zoom;
      if (!d.moved && Math.hypot(e.clientX - d.x, e.clientY - d.y) < 3) return;
      if (snapToGrid) {
        dx = Math.round(dx / SNAP_GRID[0]) * SNAP_GRID[0];
        dy = Math.round(dy / SNAP_GRID[1]) * SNAP_GRID[1];
      }
      d.moved = true;
      d.last = { x: dx, y: dy };
      // The canvas shows these like any drag; the document changes once, at the end.
      const changes: NodeChange[] = [...d.start].map(([id, p]) => ({ type: 'position', id, position: { x: p.x + dx, y: p.y + dy }, dragging: true }));
      flow.getState().triggerNodeChanges(changes);
    },
    [flow, snapToGrid],
  );

  const onPointerUp = useCallback(() => {
    const d = drag.current;
    drag.current = null;
    if (!d) return;
    if (!d.moved) {
      ctrl.selectNodes(d.start.keys());
      return;
    }
    const moves = [...d.start].map(([id, p]) => ({ id, position: { x: Math.round(p.x + d.last.x), y: Math.round(p.y + d.last.y) } }));
    ctrl.apply({ ...moveNodes(moves), name: 'Move group' });
  }, [ctrl]);

  return (
    <div
      className="frame-title group-title nodrag nopan"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      title="Drag to move the group · click to select its nodes · double-click the name to rename"
      data-testid={`group-title-${groupId}`}
    >
      {editing ? (
        <TitleInput initial={title} onDone={(t) => { setEditing(false); if (t !== title) ctrl.apply(setGroupTitle(groupId, t)); }} />
      ) : (
        <span className="group-name" onDoubleClick={() => setEditing(true)} data-testid="group-name">
          {title || 'Group'}
        </span>
      )}
      <span className="group-tools">
        <button type="button" className="group-swatch" style={{ background: colour }} onClick={() => setColours((v) => !v)} aria-label="Group colour" title="Colour" data-testid="group-colour" />
        <button type="button" className="group-tool" onClick={() => setEditing(true)} title="Rename" aria-label="Rename group">
          ✎
        </button>
        <button type="button" className="group-tool" onClick={() => ctrl.apply(ungroup(groupId))} title="Ungroup (Ctrl+Shift+G): the nodes stay" aria-label="Ungroup" data-testid="group-ungroup">
          ⊟
        </button>
      </span>
      {colours ? (
        <span className="group-colours" role="listbox" aria-label="Group colour">
          {FRAME_COLOURS.map((c) => (
            <button
              key={c}
              type="button"
              role="option"
              aria-selected={c === colour}
              className={`group-swatch${c === colour ? ' current' : ''}`}
              style={{ background: c }}
              data-testid={`group-colour-${c.slice(1)}`}
              onClick={() => {
                setColours(false);
                ctrl.apply(setGroupColour(groupId, c));
              }}
            />
          ))}
        </span>
      ) : null}
    </div>
  );
});

function TitleInput({ initial, onDone }: { initial: string; onDone: (title: string) => void }) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLInputElement>(null);
  const done = useRef(false);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  // Enter, Escape and blur can each end the edit; only the first counts.
  const end = (title: string) => {
    if (done.current) return;
    done.current = true;
    onDone(title);
  };
  const finish = () => end(value.trim() || initial);
  return (
    <input
      ref={ref}
      className="group-title-input"
      value={value}
      maxLength={200}
      aria-label="Group title"
      data-testid="group-title-input"
      onChange={(e) => setValue(e.target.value)}
      onBlur={finish}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish();
        if (e.key === 'Escape') end(initial);
      }}
    />
  );
}
