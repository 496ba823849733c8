/**
 * The view a graph opens at. A graph that fits the window at a zoom where its labels can be
 * read is shown whole; a wider one opens readable on where it starts (its leftmost nodes: the
 * model, the prompt), the rest one pan away, and the canvas offers to show it whole.
 * Pure: positions and the canvas size in, a viewport out.
 */

type Positioned = { nodes: readonly { position: { x: number; y: number } }[] };

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Node size before measuring. */
export const EST_W = 240;
export const EST_H = 160;
/** React Flow's fit: the margin around the graph and the zooms it may pick. */
export const FIT_VIEW = { padding: 0.15, maxZoom: 1, minZoom: 0.2 };
/** Below this a node's 13 px labels are drawn under 6.5 px: not readable. */
export const READABLE_ZOOM = 0.5;
/** Where a wide graph opens: the 11.5 px titles at over 10 px, a node's params editable. */
export const START_ZOOM = 0.9;
/** Nodes within this many flow units of the leftmost count as where the graph starts. */
const START_BAND = 700;
/** Clear of the Lesson button and the toolbar along the canvas' top. */
const MARGIN_X = 40;
const MARGIN_Y = 84;

/** The box the graph's nodes cover, each taken at an estimated size. */
export function graphBounds(graph: Positioned): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const n of graph.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + EST_W);
    maxY = Math.max(maxY, n.position.y + EST_H);
  }
  return { minX, minY, maxX, maxY };
}

/** What fitView will pick for the whole graph, estimated before any node is measured. */
export function fitViewport(graph: Positioned, width: number, height: number): Viewport {
  if (!graph.nodes.length) return { x: 0, y: 0, zoom: 1 };
  const { minX, minY, maxX, maxY } = graphBounds(graph);
  const pad = 1 + FIT_VIEW.padding;
  const zoom = Math.min(FIT_VIEW.maxZoom, Math.max(FIT_VIEW.minZoom, Math.min(width / ((maxX - minX) * pad), height / ((maxY - minY) * pad))));
  return { x: width / 2 - ((minX + maxX) / 2) * zoom, y: height / 2 - ((minY + maxY) / 2) * zoom, zoom };
}

/**
 * The opening view: the whole graph when that is readable (`partial` false, and React Flow's
 * own fit refines it once nodes are measured), else readable on the graph's start.
 * `maxNodes`: past it the graph opens whole regardless (a big graph's overview is its own view).
 */
export function openingView(graph: Positioned, width: number, height: number, maxNodes: number): { viewport: Viewport; partial: boolean } {
  const fit = fitViewport(graph, width, height);
  if (fit.zoom >= READABLE_ZOOM || graph.nodes.length > maxNodes || !graph.nodes.length) return { viewport: fit, partial: false };
  const { minX } = graphBounds(graph);
  const start = graph.nodes.filter((n) => n.position.x < minX + START_BAND);
  const top = Math.min(...start.map((n) => n.position.y));
  const bottom = Math.max(...start.map((n) => n.position.y + EST_H));
  const zoom = START_ZOOM;
  // The start's column, centred top to bottom when it fits the height, else from its top.
  const tall = (bottom - top) * zoom + 2 * MARGIN_Y > height;
  const y = tall ? MARGIN_Y - top * zoom : height / 2 - ((top + bottom) / 2) * zoom;
  return { viewport: { x: MARGIN_X - minX * zoom, y, zoom }, partial: true };
}
