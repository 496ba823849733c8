'use client';
import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { placeNode } from '../canvas/placeNode';
import { registry } from '@/nodes';
import { useController } from '../EditorContext';
import { byCategory, searchNodes } from './nodeSearch';
import { categoryColour } from '../canvas/theme';

export const PALETTE_MIME = 'application/x-weft-node';

/** The node library: search, grouped by category; drag onto the canvas or click to add in view. */
export const Palette = memo(function Palette() {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => byCategory(searchNodes(query)), [query]);
  const ctrl = useController();
  const rf = useReactFlow();

  const onDragStart = (e: DragEvent, type: string) => {
    e.dataTransfer.setData(PALETTE_MIME, type);
    e.dataTransfer.effectAllowed = 'move';
  };

  /** Click or Enter: beside the selected node, or else at the view's centre, never on another node. */
  const addInView = (type: string) => {
    const def = registry.get(type);
    if (def) placeNode(ctrl, rf, def);
  };

  // Keyboard: Tab or ArrowDown from the search reaches the list; arrows move, Enter or Space adds.
  const onItemKey = (e: KeyboardEvent<HTMLElement>, type: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      addInView(type);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const items = [...(e.currentTarget.closest('.palette')?.querySelectorAll<HTMLElement>('.palette-item') ?? [])];
      const at = items.indexOf(e.currentTarget) + (e.key === 'ArrowDown' ? 1 : -1);
      if (at < 0) e.currentTarget.closest('.palette')?.querySelector<HTMLElement>('.search')?.focus();
      else items[Math.min(at, items.length - 1)]?.focus();
    }
  };

  return (
    <aside className="palette" data-testid="palette">
      <div className="panel-title">Nodes</div>
      <input
        className="search"
        type="search"
        placeholder="Search nodes…"
        value={query}
        data-testid="palette-search"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && groups[0]?.[1][0]) addInView(groups[0][1][0].type);
          if (e.key === 'Escape') setQuery('');
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            focusItem(e.currentTarget.parentElement, 0);
          }
        }}
      />
      <div className="palette-list">
        {groups.length === 0 ? <div className="muted pad">No node matches “{query}”.</div> : null}
        {groups.map(([category, defs]) => (
          <section key={category} className="palette-group">
            <div className="palette-category" style={{ ['--cat' as string]: categoryColour(category) }}>
              {category}
            </div>
            {defs.map((d) => (
              <div
                key={d.type}
                className="palette-item"
                draggable
                data-testid={`palette-item-${d.type}`}
                title={`${d.description}\n\nDrag onto the canvas, double-click, or press Enter to add.`}
                onDragStart={(e) => onDragStart(e, d.type)}
                onDoubleClick={() => addInView(d.type)}
                tabIndex={0}
                role="button"
                aria-label={`Add ${d.title}`}
                onKeyDown={(e) => onItemKey(e, d.type)}
                style={{ ['--cat' as string]: categoryColour(d.category) }}
              >
                <span className="palette-dot" />
                <span className="palette-name">{d.title}</span>
              </div>
            ))}
          </section>
        ))}
      </div>
      <div className="palette-hint">Drag a node onto the canvas · double-click the canvas to search</div>
    </aside>
  );
});

function focusItem(root: Element | null, index: number): void {
  root?.querySelectorAll<HTMLElement>('.palette-item')[index]?.focus();
}
