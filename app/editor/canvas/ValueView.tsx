'use client';
import { memo, useEffect, useRef } from 'react';
import type { TransferValue } from '@/workers/transfer';
import { DetectionBoxes } from './DetectionBoxes';

/** Shows a run result: a scalar, text, a tensor summary, an image or a list. */
export const ValueView = memo(function ValueView({ value, compact = false }: { value: TransferValue; compact?: boolean }) {
  if (value === null) return <span className="value value-null">nothing</span>;
  if (typeof value === 'number') return <span className="value value-number">{formatNumber(value)}</span>;
  if (typeof value === 'boolean') return <span className="value value-bool">{String(value)}</span>;
  if (typeof value === 'string') return <span className={`value value-text${compact ? ' clamp' : ''}`}>{value || '(empty text)'}</span>;
  switch (value.kind) {
    case 'tensor':
      return (
        <span className="value value-tensor">
          <span className="mono">
            {value.dtype} [{value.dims.join('×')}]{value.location === 'gpu' ? ' gpu' : ''}
          </span>
          {value.stats ? (
            <span className="tensor-stats">
              μ {formatNumber(value.stats.mean)} σ {formatNumber(value.stats.std)} · {formatNumber(value.stats.min)}…{formatNumber(value.stats.max)}
              {value.stats.nan ? ` · NaN ${value.stats.nan}` : ''}
            </span>
          ) : null}
          {!compact && value.preview.length ? <span className="tensor-preview mono">{value.preview.map(formatNumber).join(', ')}…</span> : null}
        </span>
      );
    case 'image':
      return <ImageCanvas width={value.width} height={value.height} data={value.data} />;
    case 'list':
      return (
        <span className="value value-list">
          {value.items.slice(0, compact ? 3 : 16).map((v, i) => (
            <ValueView key={i} value={v} compact />
          ))}
          {value.items.length > (compact ? 3 : 16) ? <span className="muted">… {value.items.length} items</span> : null}
        </span>
      );
    case 'detections': {
      const boxes = value.items[0] ?? [];
      return (
        <span className="value value-detections" data-testid="value-detections">
          <DetectionBoxes width={value.width} height={value.height} boxes={boxes} side={compact ? 128 : 200} labels />
          <span className="muted">
            {boxes.length} detection{boxes.length === 1 ? '' : 's'}
            {value.items.length > 1 ? ` in the first of ${value.items.length} images` : ''}
          </span>
        </span>
      );
    }
    case 'other':
      return <span className="value mono clamp">{value.summary}</span>;
  }
});

function ImageCanvas({ width, height, data }: { width: number; height: number; data: Uint8ClampedArray }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || data.length !== width * height * 4) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
  }, [width, height, data]);
  return <canvas ref={ref} className="value-image" width={width} height={height} />;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return n.toExponential(3);
  return String(Number(n.toPrecision(5)));
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
