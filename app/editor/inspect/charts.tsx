'use client';
import { memo } from 'react';
import type { Histogram } from '@/engine/histogram';
import { formatNumber } from '../canvas/ValueView';

/** Bars of a histogram, as SVG, with the range under it. */
export const HistogramChart = memo(function HistogramChart({ histogram, width = 240, height = 48 }: { histogram: Histogram; width?: number; height?: number }) {
  const { counts, min, max } = histogram;
  const most = Math.max(1, ...counts);
  const w = width / counts.length;
  return (
    <figure className="probe-chart" data-testid="probe-histogram">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`histogram of ${counts.length} bins from ${min} to ${max}`}>
        <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} className="axis" />
        {counts.map((c, i) => {
          const h = c ? Math.max(1, (c / most) * (height - 2)) : 0;
          return <rect key={i} x={i * w + 0.5} y={height - 1 - h} width={Math.max(0.5, w - 1)} height={h} className="bar"><title>{c}</title></rect>;
        })}
      </svg>
      <figcaption>
        <span>{formatNumber(min)}</span>
        <span>{formatNumber(max)}</span>
      </figcaption>
    </figure>
  );
});

/** σ over the steps of a schedule: a line with a dot per step. */
export const SigmaPlot = memo(function SigmaPlot({ sigmas, startIndex = 0, width = 240, height = 80 }: { sigmas: readonly number[]; startIndex?: number; width?: number; height?: number }) {
  const pad = 4;
  const top = Math.max(...sigmas.filter(Number.isFinite), 1e-9);
  const n = Math.max(1, sigmas.length - 1);
  const x = (i: number) => pad + (i / n) * (width - 2 * pad);
  const y = (s: number) => pad + (1 - (Number.isFinite(s) ? s : top) / top) * (height - 2 * pad);
  const points = sigmas.map((s, i) => `${x(i).toFixed(1)},${y(s).toFixed(1)}`).join(' ');
  return (
    <figure className="probe-chart" data-testid="probe-sigmas">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`sigma over ${sigmas.length} steps`}>
        <line x1={pad} y1={height - pad} x2={width - pad} y2={height - pad} className="axis" />
        {startIndex > 0 ? <rect x={pad} y={pad} width={x(startIndex) - pad} height={height - 2 * pad} className="skipped" /> : null}
        <polyline points={points} className="line" />
        {sigmas.map((s, i) => (
          <circle key={i} cx={x(i)} cy={y(s)} r={sigmas.length > 60 ? 1 : 2} className="dot">
            <title>{`step ${i}: σ ${formatNumber(s)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>
        <span>σ {formatNumber(sigmas[0] ?? NaN)}</span>
        <span>{sigmas.length} values</span>
        <span>σ {formatNumber(sigmas.at(-1) ?? NaN)}</span>
      </figcaption>
    </figure>
  );
});
