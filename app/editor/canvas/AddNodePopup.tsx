'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { searchNodes } from '../panels/nodeSearch';
import { categoryColour } from './theme';
import type { NodeDefinition } from '@/engine/nodeDefinition';

/** The quick-add search opened by double-clicking the canvas: type, arrows, Enter. */
export function AddNodePopup({
  at,
  onPick,
  onClose,
  only,
  hint,
  action,
}: {
  at: { x: number; y: number };
  onPick: (type: string) => void;
  onClose: () => void;
  /** Offer only these (a wire let go on the canvas: the nodes that fit it), in this order. */
  only?: readonly NodeDefinition[];
  hint?: string;
  /** A one-click action above the list (a to-do's "Complete graph"). */
  action?: { label: string; detail: string; onRun: () => void };
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const results = useMemo(() => {
    if (!only) return searchNodes(query);
    if (!query.trim()) return [...only];
    const allowed = new Set(only.map((d) => d.type));
    return searchNodes(query).filter((d) => allowed.has(d.type));
  }, [query, only]);
  const ref = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', onDown, true);
    return () => window.removeEventListener('pointerdown', onDown, true);
  }, [onClose]);

  useEffect(() => {
    listRef.current?.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const left = Math.min(at.x, window.innerWidth - 300);
  const top = Math.min(at.y, window.innerHeight - 340);

  return (
    <div className="add-popup" ref={ref} style={{ left, top }} data-testid="add-popup">
      <input
        autoFocus
        className="search"
        placeholder="Add a node…"
        value={query}
        data-testid="add-popup-search"
        aria-label={hint ?? 'Add a node'}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const def = results[active];
            if (def) onPick(def.type);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      />
      {hint ? (
        <div className="add-popup-hint muted" data-testid="add-popup-hint">
          {hint}
        </div>
      ) : null}
      {action ? (
        <button type="button" className="add-popup-action" data-testid="add-popup-action" title={action.detail} onClick={action.onRun}>
          <span className="add-popup-action-label">{action.label}</span>
          <span className="add-popup-action-detail muted">{action.detail}</span>
        </button>
      ) : null}
      <div className="add-popup-list" ref={listRef}>
        {results.length === 0 ? <div className="muted pad">Nothing matches.</div> : null}
        {results.map((d, i) => (
          <div
            key={d.type}
            className={`add-popup-item${i === active ? ' active' : ''}`}
            onMouseEnter={() => setActive(i)}
            onClick={() => onPick(d.type)}
            data-testid={`add-popup-item-${d.type}`}
          >
            <span className="palette-dot" style={{ ['--cat' as string]: categoryColour(d.category) }} />
            <span className="add-popup-title">{d.title}</span>
            <span className="add-popup-cat">{d.category}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
