'use client';
import { memo, useEffect, useMemo, useRef, type PointerEvent } from 'react';
import { Panel, useReactFlow, useStore, type ReactFlowState } from '@xyflow/react';
import { registry } from '@/nodes';
import { useEditor } from './EditorContext';
import { categoryColour } from './theme';

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
  const graph = useEditor((s) => s.graph);
  const transform = useStore(transformSelector);
  const size = useStore(sizeSelector);
  const rf = useReactFlow();
  const ref = useRef<HTMLCanvasElement>(null);
  const dragging = useRef(false);

  // The nodes' picture and the mapping from flow to minimap coordinates.
  const base = useMemo(() => {
    if (typeof document === 'undefined') return null;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const n of graph.nodes) {
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
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const img = document.createElement('canvas');
    img.width = W * dpr;
    img.height = H * dpr;
    const ctx = img.getContext('2d');
    if (ctx) {
      ctx.scale(dpr, dpr);
      for (const n of graph.nodes) {
        const def = registry.get(n.type);
        ctx.fillStyle = def ? categoryColour(def.category) : '#555b66';
        ctx.globalAlpha = 0.85;
        ctx.fillRect(n.position.x * scale + ox, n.position.y * scale + oy, Math.max(1.5, NODE_W * scale), Math.max(1.5, NODE_H * scale));
      }
    }
    return { img, scale, ox, oy, dpr };
  }, [graph.nodes]);

  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || !base) return;
    const [tx, ty, zoom] = transform;
    const [vw, vh] = size.split('x').map(Number);
    ctx.setTransform(base.dpr, 0, 0, base.dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.drawImage(base.img, 0, 0, W, H);
    // the visible part of the flow
    const x = (-tx / zoom) * base.scale + base.ox;
    const y = (-ty / zoom) * base.scale + base.oy;
    const w = (vw / zoom) * base.scale;
    const h = (vh / zoom) * base.scale;
    // The part out of view is dimmed with the theme's mask colour (dark or light).
    ctx.fillStyle = getComputedStyle(c).getPropertyValue('--minimap-mask').trim() || 'rgba(12,14,18,0.55)';
    ctx.beginPath();
    ctx.rect(0, 0, W, H);
    ctx.rect(x, y, w, h);
    ctx.fill('evenodd');
    ctx.strokeStyle = 'rgba(143,166,216,0.9)';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  }, [base, transform, size]);

  const moveTo = (e: PointerEvent<HTMLCanvasElement>) => {
    if (!base) return;
    const r = e.currentTarget.getBoundingClientRect();
    const fx = (e.clientX - r.left - base.ox) / base.scale;
    const fy = (e.clientY - r.top - base.oy) / base.scale;
    void rf.setCenter(fx, fy, { zoom: rf.getZoom() });
  };

  return (
    <Panel position="bottom-right" className="minimap-canvas">
      <canvas
        ref={ref}
        width={W * (base?.dpr ?? 1)}
        height={H * (base?.dpr ?? 1)}
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
    </Panel>
  );
});
