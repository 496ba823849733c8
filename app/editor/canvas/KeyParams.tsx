'use client';
import { memo, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { ParamField } from './paramFields';
import { ParamWidget } from './ParamWidget';

/**
 * A compact (zoomed-out) node's key params: each a chip with its value, drawn large enough to read at
 * that zoom; a click opens the ordinary field at screen size beside it, so the prompt, steps or seed
 * can be changed without zooming in.
 */
export const KeyParams = memo(function KeyParams({
  nodeId,
  fields,
  values,
  problems,
  onChange,
}: {
  nodeId: string;
  fields: readonly ParamField[];
  values: Readonly<Record<string, unknown>>;
  problems: Readonly<Record<string, string | undefined>>;
  onChange: (key: string, value: unknown) => void;
}) {
  const [open, setOpen] = useState<{ key: string; rect: DOMRect } | null>(null);
  return (
    <div className="key-params nodrag" data-testid={`key-params-${nodeId}`}>
      {fields.map((f) => (
        <button
          type="button"
          key={f.key}
          className={`key-param${problems[f.key] ? ' param-invalid' : ''}`}
          data-testid={`key-param-${nodeId}-${f.key}`}
          title={`${f.label}: click to change`}
          onClick={(e) => setOpen({ key: f.key, rect: (e.currentTarget as HTMLElement).getBoundingClientRect() })}
        >
          {f.kind === 'text' ? null : <span className="key-param-label">{f.label} </span>}
          <span className="key-param-value">{show(values[f.key] ?? f.default)}</span>
        </button>
      ))}
      {open ? (
        <KeyParamEditor
          rect={open.rect}
          onClose={() => setOpen(null)}
          field={fields.find((f) => f.key === open.key)!}
          nodeId={nodeId}
          value={values[open.key] ?? fields.find((f) => f.key === open.key)?.default}
          problem={problems[open.key]}
          onChange={onChange}
        />
      ) : null}
    </div>
  );
});

function show(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `${v.slice(0, 57)}…` : v || '(empty)';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === undefined ? '' : JSON.stringify(v).slice(0, 40);
}

function KeyParamEditor({
  rect,
  onClose,
  field,
  nodeId,
  value,
  problem,
  onChange,
}: {
  rect: DOMRect;
  onClose: () => void;
  field: ParamField;
  nodeId: string;
  value: unknown;
  problem: string | undefined;
  onChange: (key: string, value: unknown) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const down = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('pointerdown', down, true);
    window.addEventListener('keydown', key);
    ref.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
    return () => {
      window.removeEventListener('pointerdown', down, true);
      window.removeEventListener('keydown', key);
    };
  }, [onClose]);
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - 300));
  const top = Math.min(rect.bottom + 6, window.innerHeight - 180);
  return createPortal(
    <div className="key-param-editor wnode-params" ref={ref} style={{ left, top }} data-testid="key-param-editor" role="dialog" aria-label={field.label}>
      <ParamWidget nodeId={nodeId} field={field} value={value} problem={problem} onChange={onChange} />
      <div className="muted key-param-hint">Esc or a click outside closes it; Undo takes the change back.</div>
    </div>,
    document.body,
  );
}
