import type { ImageValue } from '@/engine/values';
import type { Detection } from './values';

/**
 * Decoding of a grid detector's dense outputs into detections, exactly as the shipped detector's
 * config.json describes (row-major cells, threshold, stable sort, class-agnostic greedy NMS).
 */
export interface GridOutputs {
  objectness: Float32Array; // [B,G,G]
  boxes: Float32Array; // [B,G,G,4] x0,y0,x1,y1 in [0,1]
  shapeProbs: Float32Array; // [B,G,G,S]
  colourProbs: Float32Array; // [B,G,G,C]
  batch: number;
  grid: number;
}

export interface DecodeOptions {
  shapeLabels: readonly string[];
  colourLabels: readonly string[];
  scoreThreshold: number;
  iouThreshold: number;
  width: number;
  height: number;
}

export function decodeGrid(o: GridOutputs, opts: DecodeOptions): Detection[][] {
  const S = opts.shapeLabels.length;
  const C = opts.colourLabels.length;
  const cells = o.grid * o.grid;
  const result: Detection[][] = [];
  for (let b = 0; b < o.batch; b++) {
    const kept: Detection[] = [];
    for (let cell = 0; cell < cells; cell++) {
      const idx = b * cells + cell;
      const score = o.objectness[idx];
      if (score < opts.scoreThreshold) continue;
      const [si, sp] = argmax(o.shapeProbs, idx * S, S);
      const [ci, cp] = argmax(o.colourProbs, idx * C, C);
      kept.push({
        box: [o.boxes[idx * 4] * opts.width, o.boxes[idx * 4 + 1] * opts.height, o.boxes[idx * 4 + 2] * opts.width, o.boxes[idx * 4 + 3] * opts.height],
        score,
        shape: opts.shapeLabels[si],
        colour: opts.colourLabels[ci],
        shapeProb: sp,
        colourProb: cp,
      });
    }
    kept.sort((a, z) => z.score - a.score); // Array.prototype.sort is stable
    const out: Detection[] = [];
    for (const d of kept) if (out.every((k) => iou(k.box, d.box) <= opts.iouThreshold)) out.push(d);
    result.push(out);
  }
  return result;
}

function argmax(a: Float32Array, start: number, n: number): [number, number] {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[start + i] > a[start + best]) best = i;
  return [best, a[start + best]];
}

export function iou(a: readonly number[], b: readonly number[]): number {
  const inter = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union <= 0 ? 0 : inter / union;
}

const OVERLAY_COLOURS = [
  [255, 80, 80],
  [80, 200, 255],
  [255, 220, 60],
  [120, 255, 120],
  [255, 120, 255],
];

/** The image with each detection's box drawn (1 px outline per 64 px of size). */
export function drawDetections(img: ImageValue, dets: readonly Detection[]): ImageValue {
  const data = new Uint8ClampedArray(img.data);
  const t = Math.max(1, Math.round(Math.max(img.width, img.height) / 64));
  dets.forEach((d, n) => {
    const [r, g, b] = OVERLAY_COLOURS[n % OVERLAY_COLOURS.length];
    const x0 = clamp(Math.round(d.box[0]), 0, img.width - 1);
    const y0 = clamp(Math.round(d.box[1]), 0, img.height - 1);
    const x1 = clamp(Math.round(d.box[2]) - 1, 0, img.width - 1);
    const y1 = clamp(Math.round(d.box[3]) - 1, 0, img.height - 1);
    const put = (x: number, y: number) => {
      const i = (y * img.width + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = 255;
    };
    for (let k = 0; k < t; k++) {
      for (let x = x0; x <= x1; x++) {
        put(x, clamp(y0 + k, 0, img.height - 1));
        put(x, clamp(y1 - k, 0, img.height - 1));
      }
      for (let y = y0; y <= y1; y++) {
        put(clamp(x0 + k, 0, img.width - 1), y);
        put(clamp(x1 - k, 0, img.width - 1), y);
      }
    }
  });
  return { kind: 'image', width: img.width, height: img.height, data };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
