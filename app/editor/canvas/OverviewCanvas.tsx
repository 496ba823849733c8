'use client';
import { memo, useEffect, useRef } from 'react';
import { useStoreApi } from '@xyflow/react';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import { categoryColour } from './theme';
import type { WeftFlowNode } from './GraphNodeView';
import type { Selection } from '../store';

/** Below this zoom a big graph is drawn as an overview: titles would be under 5 px anyway. */
export const OVERVIEW_ZOOM = 0.35;
/** Graphs with more nodes than this switch to the overview when zoomed out. */
export const OVERVIEW_MIN_NODES = 300;

interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  colour: string;
  title: string;
  outs: readonly string[];
  ins: readonly string[];
}

const HEADER = 32;
const ROW = 22;

function boxesOf(graph: Graph, nodes: readonly WeftFlowNode[]): Map<string, Box> {
  const local = new Map<string, WeftFlowNode>();
  for (const n of nodes) local.set(n.id, n);
  const out = new Map<string, Box>();
  for (const gn of graph.nodes) {
    const def = registry.get(gn.type);
    const n = local.get(gn.id);
    const pos = n?.position ?? gn.position;
    out.set(gn.id, {
      id: gn.id,
      x: pos.x,
      y: pos.y,
      w: n?.measured?.width ?? 240,
      h: n?.measured?.height ?? 120,
      colour: def ? categoryColour(def.category) : '#8b8f98',
      title: gn.label || def?.title || gn.type,
      outs: def?.outputs.map((p) => p.name) ?? [],
      ins: def?.inputs.map((p) => p.name) ?? [],
    });
  }
  return out;
}

/** The node under a flow-space point, for click-to-zoom in the overview. */
export function nodeAt(graph: Graph, nodes: readonly WeftFlowNode[], p: { x: number; y: number }): { id: string; x: number; y: number; w: number; h: number } | undefined {
  let hit: Box | undefined;
  for (const b of boxesOf(graph, nodes).values()) if (p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h) hit = b;
  return hit;
}

function portY(box: Box, side: 'out' | 'in', port: string): number {
  const list = side === 'out' ? box.outs : box.ins;
  const i = Math.max(0, list.indexOf(port));
  const row = side === 'out' ? i : box.outs.length + i;
  return box.y + Math.min(box.h - 6, HEADER + ROW * row + ROW / 2);
}

/**
 * A zoomed-out big graph drawn on one canvas instead of a thousand DOM nodes: panning repaints
 * a few thousand rectangles and curves (a millisecond or two) rather than re-laying out and
 * re-rasterising the DOM. It follows React Flow's viewport through the store, without React
 * re-rendering; clicking a node zooms in to it (handled by the canvas' pane click).
 */
export const OverviewCanvas = memo(function OverviewCanvas({ graph, nodes, selection }: { graph: Graph; nodes: readonly WeftFlowNode[]; selection: Selection }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    let boxes: Map<string, Box> | undefined;
    const css = getComputedStyle(canvas);
    const body = css.getPropertyValue('--bg-3').trim() || '#252a31';
    const edgeColour = css.getPropertyValue('--text-3').trim() || '#737c89';
    const accent = css.getPropertyValue('--accent').trim() || '#5b8cff';
    let frame = 0;
    let drawn = '';

    const draw = () => {
      frame = 0;
      boxes ??= boxesOf(graph, nodes);
      const [tx, ty, zoom] = store.getState().transform;
      const dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const key = `${tx},${ty},${zoom},${w},${h}`;
      if (key === drawn) return;
      drawn = key;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
      // Only what is in view (with a margin for curves that enter from outside).
      const x0 = -tx / zoom - 400, y0 = -ty / zoom - 400, x1 = (w - tx) / zoom + 400, y1 = (h - ty) / zoom + 400;
      const inView = (b: Box) => b.x + b.w >= x0 && b.x <= x1 && b.y + b.h >= y0 && b.y <= y1;

      // Edges: one path for all of them, one for the selected.
      const plain = new Path2D();
      const chosen = new Path2D();
      for (const e of graph.edges) {
        const a = boxes.get(e.from.node);
        const b = boxes.get(e.to.node);
        if (!a || !b || (!inView(a) && !inView(b))) continue;
        const sx = a.x + a.w, sy = portY(a, 'out', e.from.port);
        const ex = b.x, ey = portY(b, 'in', e.to.port);
        const dx = Math.max(40, Math.abs(ex - sx) / 2);
        const p = selection.edges.has(e.id) ? chosen : plain;
        p.moveTo(sx, sy);
        p.bezierCurveTo(sx + dx, sy, ex - dx, ey, ex, ey);
      }
      ctx.lineWidth = 2 / Math.max(zoom, 0.1) > 8 ? 8 : 2 / Math.max(zoom, 0.1);
      ctx.strokeStyle = edgeColour;
      ctx.globalAlpha = 0.55;
      ctx.stroke(plain);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = accent;
      ctx.stroke(chosen);

      // Nodes: body, category header, selection ring; titles once they are legible.
      const showTitles = zoom * 13 >= 4.5;
      ctx.font = '600 13px ui-sans-serif, system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      for (const b of boxes.values()) {
        if (!inView(b)) continue;
        ctx.fillStyle = body;
        ctx.fillRect(b.x, b.y, b.w, b.h);
        ctx.fillStyle = b.colour;
        ctx.fillRect(b.x, b.y, b.w, HEADER);
        if (selection.nodes.has(b.id)) {
          ctx.strokeStyle = accent;
          ctx.lineWidth = 3 / zoom;
          ctx.strokeRect(b.x, b.y, b.w, b.h);
        }
        if (showTitles) {
          ctx.fillStyle = '#fff';
          ctx.fillText(b.title, b.x + 10, b.y + HEADER / 2, b.w - 20);
        }
      }
      canvas.dataset.drawn = String(boxes.size);
    };

    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    // The first picture too is painted in the next frame, not in the commit that opened the graph.
    schedule();
    const unsubscribe = store.subscribe(schedule);
    const resize = new ResizeObserver(() => {
      drawn = '';
      schedule();
    });
    resize.observe(canvas);
    return () => {
      unsubscribe();
      resize.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [graph, nodes, selection, store]);

  return <canvas ref={ref} className="overview-canvas" data-testid="overview-canvas" aria-label={`Overview of ${graph.nodes.length} nodes; click a node to zoom in`} />;
});
