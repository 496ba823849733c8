'use client';
import { memo, useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import type { Graph } from '@/engine/graph/document';
import { Panel, useReactFlow, useStore, type ReactFlowState } from '@xyflow/react';
import { registry } from '@/nodes';
import { useEditor } from '../EditorContext';
import { categoryColour } from './theme';
import { setViewPrefs, useViewPrefs } from './viewPrefs';

const W = 180;
const H = 120;
const NODE_W = 240;
const NODE_H = 140;

const transformSelector = (s: ReactFlowState) => s.transform;
const sizeSelector = (s: ReactFlowState) => `${s.width}x${s.height}`;

/**
 * An overview drawn on a canvas: the nodes are painted once per edit, and each pan only redraws
 * the view rectangle, so the minimap costs almost nothing per frame even with thousands of nodes.
 * Click or drag in it to move the view.
 */
export const MiniMapCanvas = memo(function MiniMapCanvas() {
  const { miniMap } = useViewPrefs();
  if (!miniMap) {
    return (
      <Panel position="bottom-right" className="minimap-canvas folded">
        <button type="button" className="btn small" onClick={() => setViewPrefs({ miniMap: true })} data-testid="minimap-show" title="Show the overview map">
          Map
        </button>
      </Panel>
    );
  }
  return <MiniMapOpen />;
});

const MiniMapOpen = memo(function MiniMapOpen() {
  const graph = useEditor((s) => s.graph);
  const transform = useStore(transformSelector);
  const size = useStore(sizeSelector);
  const rf = useReactFlow();
  const ref = useRef<HTMLCanvasElement>(null);
  const dragging = useRef(false);

  // The mapping from flow to minimap coordinates (cheap), and the nodes' picture, painted in the
  // frame after an edit rather than in the commit that made it (thousands of nodes take a while).
  const layout = useMemo(() => minimapLayout(graph.nodes), [graph.nodes]);
  const [picture, setPicture] = useState<HTMLCanvasElement | null>(null);
  useEffect(() => {
    const frame = requestAnimationFrame(() => setPicture(paintNodes(graph.nodes, layout)));
    return () => cancelAnimationFrame(frame);
  }, [graph.nodes, layout]);

  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const [tx, ty, zoom] = transform;
    const [vw, vh] = size.split('x').map(Number);
    ctx.setTransform(layout.dpr, 0, 0, layout.dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    if (picture) ctx.drawImage(picture, 0, 0, W, H);
    // the visible part of the flow
    const x = (-tx / zoom) * layout.scale + layout.ox;
    const y = (-ty / zoom) * layout.scale + layout.oy;
    const w = (vw / zoom) * layout.scale;
    const h = (vh / zoom) * layout.scale;
    // The part out of view is dimmed with the theme's mask colour (dark or light).
    ctx.fillStyle = getComputedStyle(c).getPropertyValue('--minimap-mask').trim() || 'rgba(12,14,18,0.55)';
    ctx.beginPath();
    ctx.rect(0, 0, W, H);
    ctx.rect(x, y, w, h);
    ctx.fill('evenodd');
    ctx.strokeStyle = 'rgba(143,166,216,0.9)';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }, [layout, picture, transform, size]);

  const moveTo = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const fx = (e.clientX - r.left - layout.ox) / layout.scale;
    const fy = (e.clientY - r.top - layout.oy) / layout.scale;
    void rf.setCenter(fx, fy, { zoom: rf.getZoom() });
  };

  return (
    <Panel position="bottom-right" className="minimap-canvas">
      <div className="minimap-frame">
        <button type="button" className="minimap-fold" onClick={() => setViewPrefs({ miniMap: false })} data-testid="minimap-hide" title="Fold the overview map away" aria-label="Fold the overview map away">
          ×
        </button>
        <canvas
          ref={ref}
          width={W * layout.dpr}
          height={H * layout.dpr}
          style={{ width: W, height: H }}
          data-testid="minimap"
          aria-label="Overview of the graph; click to move the view"
          onPointerDown={(e) => {
            dragging.current = true;
            e.currentTarget.setPointerCapture(e.pointerId);
            moveTo(e);
          }}
          onPointerMove={(e) => dragging.current && moveTo(e)}
          onPointerUp={() => (dragging.current = false)}
        />
      </div>
    </Panel>
  );
});

interface MinimapLayout {
  scale: number;
  ox: number;
  oy: number;
  dpr: number;
}

function minimapLayout(nodes: Graph['nodes']): MinimapLayout {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + NODE_W);
    maxY = Math.max(maxY, n.position.y + NODE_H);
  }
  if (!Number.isFinite(minX)) { minX = 0; minY = 0; maxX = 1000; maxY = 700; }
  const pad = 200;
  minX -= pad; minY -= pad; maxX += pad; maxY += pad;
  const scale = Math.min(W / (maxX - minX), H / (maxY - minY));
  const ox = (W - (maxX - minX) * scale) / 2 - minX * scale;
  const oy = (H - (maxY - minY) * scale) / 2 - minY * scale;
  const dpr = typeof window === 'undefined' ? 1 : Math.min(2, window.devicePixelRatio || 1);
  return { scale, ox, oy, dpr };
}

function paintNodes(nodes: Graph['nodes'], { scale, ox, oy, dpr }: MinimapLayout): HTMLCanvasElement {
  const img = document.createElement('canvas');
  img.width = W * dpr;
  img.height = H * dpr;
  const ctx = img.getContext('2d');
  if (ctx) {
    ctx.scale(dpr, dpr);
    ctx.globalAlpha = 0.85;
    for (const n of nodes) {
      const def = registry.get(n.type);
      ctx.fillStyle = def ? categoryColour(def.category) : '#555b66';
      ctx.fillRect(n.position.x * scale + ox, n.position.y * scale + oy, Math.max(1.5, NODE_W * scale), Math.max(1.5, NODE_H * scale));
    }
  }
  return img;
}
