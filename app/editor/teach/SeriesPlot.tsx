'use client';
import { memo } from 'react';
import type { ExplainChart } from '@/engine/nodeDefinition';

const W = 248;
const H = 128;
const PAD = { left: 34, right: 8, top: 8, bottom: 22 };

/** A small line plot of one series over steps (linear or log y), drawn as SVG. */
export const SeriesPlot = memo(function SeriesPlot({ chart }: { chart: ExplainChart }) {
  const values = chart.values.filter((v) => Number.isFinite(v) && (!chart.log || v > 0));
  if (values.length === 0) return <p className="muted small">Nothing to plot.</p>;
  const f = (v: number) => (chart.log ? Math.log10(v) : v);
  const lo = Math.min(...values.map(f));
  const hi = Math.max(...values.map(f));
  const span = hi - lo || 1;
  const n = chart.values.length;
  const x = (i: number) => PAD.left + (n === 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - (f(v) - lo) / span) * (H - PAD.top - PAD.bottom);
  const points = chart.values.map((v, i) => [i, v] as const).filter(([, v]) => Number.isFinite(v) && (!chart.log || v > 0));
  const path = points.map(([i, v], k) => `${k ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const top = chart.log ? 10 ** hi : hi;
  const bottom = chart.log ? 10 ** lo : lo;
  return (
    <svg className="explain-plot" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={chart.title} data-testid="explain-plot">
      <line className="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
      <line className="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
      <text x={PAD.left - 4} y={PAD.top + 7} textAnchor="end">
        {top.toPrecision(3)}
      </text>
      <text x={PAD.left - 4} y={H - PAD.bottom} textAnchor="end">
        {bottom.toPrecision(2)}
      </text>
      <text x={PAD.left} y={H - 8} textAnchor="middle">
        0
      </text>
      <text x={x(n - 1)} y={H - 8} textAnchor="middle">
        {n - 1}
      </text>
      <text x={(PAD.left + W - PAD.right) / 2} y={H - 8} textAnchor="middle">
        {chart.xLabel}
      </text>
      <text x={10} y={(PAD.top + H - PAD.bottom) / 2} textAnchor="middle" transform={`rotate(-90 10 ${(PAD.top + H - PAD.bottom) / 2})`}>
        {chart.yLabel}
      </text>
      <path className="curve" d={path} />
      {n <= 60 ? points.map(([i, v]) => <circle key={i} className="dot" cx={x(i)} cy={y(v)} r={1.8} />) : null}
    </svg>
  );
});
