/**
 * Where a new node goes: as near as can be to where the user asked (the pointer, the view's
 * centre, beside the selection), clear of every node already there and, when it fits, inside
 * the part of the canvas the user can see. Pure: boxes in, a position out.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Size {
  w: number;
  h: number;
}

/** Space kept between a new node and its neighbours, in flow units. */
export const PLACE_GAP = 16;
const STEP = 24;
const RINGS = 60;

function hits(a: Box, b: Box, gap: number): boolean {
  return a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;
}

function inside(a: Box, bounds: Box): boolean {
  return a.x >= bounds.x && a.y >= bounds.y && a.x + a.w <= bounds.x + bounds.w && a.y + a.h <= bounds.y + bounds.h;
}

/** Moves a box the least distance that brings it inside the bounds (left/top win where it is too big). */
export function clampInto(p: { x: number; y: number }, size: Size, bounds: Box): { x: number; y: number } {
  const x = Math.max(bounds.x, Math.min(p.x, bounds.x + bounds.w - size.w));
  const y = Math.max(bounds.y, Math.min(p.y, bounds.y + bounds.h - size.h));
  return { x, y };
}

/**
 * The free spot nearest `want` (a top-left corner) for a box of `size`: searched ring by ring
 * outwards, preferring spots inside `view`; where the view has no room, the nearest free spot
 * anywhere; where nothing is free within the search, `want` itself.
 */
export function freeSpot(want: { x: number; y: number }, size: Size, others: readonly Box[], view?: Box, gap = PLACE_GAP): { x: number; y: number } {
  const start = view && size.w <= view.w && size.h <= view.h ? clampInto(want, size, view) : want;
  // Only boxes the search can reach matter (a big graph stays quick).
  const reach = RINGS * STEP + gap;
  const near = others.filter((o) => o.x < start.x + size.w + reach && o.x + o.w > start.x - reach && o.y < start.y + size.h + reach && o.y + o.h > start.y - reach);
  const free = (x: number, y: number) => {
    const box = { x, y, w: size.w, h: size.h };
    return !near.some((o) => hits(box, o, gap));
  };
  let fallback: { x: number; y: number } | null = null;
  for (let r = 0; r <= RINGS; r++) {
    // Candidates at Chebyshev distance r (in steps), nearest first by straight-line distance.
    const ring: { x: number; y: number; d: number }[] = [];
    for (let i = -r; i <= r; i++)
      for (const j of r === 0 ? [0] : Math.abs(i) === r ? range(-r, r) : [-r, r]) {
        ring.push({ x: start.x + i * STEP, y: start.y + j * STEP, d: i * i + j * j });
      }
    ring.sort((a, b) => a.d - b.d || a.y - b.y || a.x - b.x);
    for (const c of ring) {
      if (!free(c.x, c.y)) continue;
      if (!view || inside({ x: c.x, y: c.y, w: size.w, h: size.h }, view)) return { x: Math.round(c.x), y: Math.round(c.y) };
      fallback ??= { x: Math.round(c.x), y: Math.round(c.y) };
    }
  }
  return fallback ?? { x: Math.round(want.x), y: Math.round(want.y) };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** A new node's size before it is drawn: the usual width, and a height from its ports and params. */
export function estimateSize(def: { inputs: readonly unknown[]; outputs: readonly unknown[]; params: { shape: Record<string, unknown> } }): Size {
  const ports = Math.max(def.inputs.length, 0) + Math.max(def.outputs.length, 0);
  const params = Object.keys(def.params.shape).length;
  return { w: 240, h: 64 + ports * 22 + params * 50 };
}

/** To the right of the selected boxes, level with the top one. */
export function besideSelection(selected: readonly Box[]): { x: number; y: number } | null {
  if (!selected.length) return null;
  const right = Math.max(...selected.map((b) => b.x + b.w));
  const top = Math.min(...selected.map((b) => b.y));
  return { x: right + 48, y: top };
}
