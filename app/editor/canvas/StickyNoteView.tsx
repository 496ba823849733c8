'use client';
import { memo, useEffect, useRef, useState } from 'react';
import { setColour, setParam } from '@/engine/commands/commands';
import type { GraphNode } from '@/engine/graph/document';
import { useController } from '../EditorContext';
import '../comfort.css';

const NOTE_COLOURS = ['#e8c547', '#f29fb8', '#8ec5ff', '#9ad69a', '#c8b6ff'] as const;

/** A node drawn as a sticky note: double-click to write; the text is saved with the graph. */
export const StickyNoteView = memo(function StickyNoteView({ id, node, selected }: { id: string; node: GraphNode; selected: boolean }) {
  const ctrl = useController();
  const text = typeof node.params.text === 'string' ? node.params.text : '';
  const [editing, setEditing] = useState(false);
  return (
    <div
      className={`sticky-note${selected ? ' selected' : ''}`}
      style={{ ['--note' as string]: node.colour ?? NOTE_COLOURS[0] }}
      data-testid={`node-${id}`}
      data-type={node.type}
      onDoubleClick={() => setEditing(true)}
    >
      <div className="sticky-note-bar">
        <span>{node.label || 'Note'}</span>
        {selected ? (
          <span className="sticky-note-colours">
            {NOTE_COLOURS.map((c) => (
              <button key={c} type="button" className="nodrag sticky-note-swatch" style={{ background: c }} aria-label={`Note colour ${c}`} onClick={() => ctrl.apply(setColour(id, c === NOTE_COLOURS[0] ? undefined : c))} />
            ))}
          </span>
        ) : null}
      </div>
      {editing ? (
        <NoteEditor initial={text} onDone={(t) => { setEditing(false); if (t !== text) ctrl.apply({ ...setParam(id, 'text', t), name: 'Edit note' }); }} />
      ) : (
        <div className="sticky-note-text" data-testid="note-text">
          {text || <span className="sticky-note-empty">Double-click to write a note…</span>}
        </div>
      )}
    </div>
  );
});

function NoteEditor({ initial, onDone }: { initial: string; onDone: (text: string) => void }) {
  const [value, setValue] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const done = useRef(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const end = (t: string) => {
    if (done.current) return;
    done.current = true;
    onDone(t);
  };
  return (
    <textarea
      ref={ref}
      className="sticky-note-input nodrag nowheel"
      value={value}
      maxLength={20_000}
      rows={Math.min(14, Math.max(4, value.split('\n').length + 1))}
      aria-label="Note text"
      data-testid="note-input"
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => end(value)}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) end(value);
      }}
    />
  );
}
