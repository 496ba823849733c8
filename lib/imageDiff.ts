/**
 * The pixel difference of two images of one size: a picture of where they differ (black where
 * equal; the larger a channel's |a − b|, the brighter, scaled so the largest difference is white)
 * and the figures a person compares runs by: largest and mean difference, the share of pixels that
 * changed and PSNR.
 */
import type { ImageValue } from '@/engine/values';

export interface ImageDiff {
  readonly image: ImageValue;
  /** Largest |a − b| over the RGB channels, 0–255. */
  readonly maxDiff: number;
  /** Mean |a − b| over the RGB channels, 0–255. */
  readonly meanDiff: number;
  /** Pixels where any RGB channel differs, over all pixels. */
  readonly changed: number;
  /** Peak signal-to-noise ratio in dB (Infinity for equal images). */
  readonly psnr: number;
}

export type ImageDiffResult = { ok: true; diff: ImageDiff } | { ok: false; message: string };

export function diffImages(a: ImageValue, b: ImageValue): ImageDiffResult {
  if (a.width !== b.width || a.height !== b.height) {
    return { ok: false, message: `the images differ in size (${a.width}×${a.height} and ${b.width}×${b.height}), so no pixel difference is drawn` };
  }
  const n = a.width * a.height;
  const delta = new Uint8Array(n * 3);
  let max = 0;
  let sum = 0;
  let sq = 0;
  let changed = 0;
  for (let p = 0; p < n; p++) {
    let any = false;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[p * 4 + c] - b.data[p * 4 + c]);
      delta[p * 3 + c] = d;
      if (d > max) max = d;
      sum += d;
      sq += d * d;
      if (d) any = true;
    }
    if (any) changed++;
  }
  const data = new Uint8ClampedArray(n * 4);
  const gain = max ? 255 / max : 0;
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) data[p * 4 + c] = Math.round(delta[p * 3 + c] * gain);
    data[p * 4 + 3] = 255;
  }
  const mse = sq / (n * 3);
  return {
    ok: true,
    diff: {
      image: { kind: 'image', width: a.width, height: a.height, data },
      maxDiff: max,
      meanDiff: sum / (n * 3),
      changed: n ? changed / n : 0,
      psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse),
    },
  };
}
