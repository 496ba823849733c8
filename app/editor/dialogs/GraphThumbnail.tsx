'use client';
import { memo, useMemo } from 'react';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { graphThumbnail } from './graphThumbnail';

/** A small SVG picture of a graph's layout: node boxes coloured by category, wires, frames. */
export const GraphThumbnail = memo(function GraphThumbnail({ graph, label }: { graph: Graph; label: string }) {
  const t = useMemo(() => graphThumbnail(graph, registry), [graph]);
  const v = t.viewBox;
  // Strokes stay visible however far the picture is scaled down.
  const stroke = Math.max(v.width, v.height) / 160;
  return (
    <svg className="graph-thumb" viewBox={`${v.x} ${v.y} ${v.width} ${v.height}`} preserveAspectRatio="xMidYMid meet" role="img" aria-label={label} data-testid="graph-thumbnail">
      {t.frames.map((f) => (
        <rect key={f.id} x={f.x} y={f.y} width={f.width} height={f.height} rx={stroke * 4} fill={f.colour} fillOpacity={0.1} stroke={f.colour} strokeOpacity={0.7} strokeWidth={stroke} strokeDasharray={f.kind === 'zone' ? `${stroke * 3} ${stroke * 2}` : undefined} />
      ))}
      {t.wires.map((w) => (
        <path key={w.id} d={w.d} fill="none" stroke={w.colour} strokeOpacity={0.75} strokeWidth={stroke * 1.4} />
      ))}
      {t.boxes.map((b) => (
        <g key={b.id}>
          <rect x={b.x} y={b.y} width={b.width} height={b.height} rx={stroke * 3} className="graph-thumb-node" strokeWidth={stroke} />
          <rect x={b.x} y={b.y} width={b.width} height={Math.min(30, b.height)} rx={stroke * 3} fill={b.colour} fillOpacity={0.85} />
        </g>
      ))}
    </svg>
  );
});
