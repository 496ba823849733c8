import type { TypedArray } from './values';

export interface Histogram {
  /** Lower edge of the first bin and upper edge of the last (the finite minimum and maximum). */
  min: number;
  max: number;
  /** Finite values per equal-width bin; the maximum falls in the last bin. */
  counts: number[];
}

/**
 * Equal-width bins over the finite values between `min` and `max` (pass the tensor's finite
 * minimum and maximum, as `tensorStats` gives them). NaN and ±Inf are left out: they are
 * counted by `tensorStats`. All values equal, or none finite: one bin.
 */
export function histogram(data: TypedArray | ArrayLike<number>, min: number, max: number, bins = 32): Histogram {
  const n = Number.isFinite(min) && Number.isFinite(max) && max > min ? Math.max(1, Math.floor(bins)) : 1;
  const counts = new Array<number>(n).fill(0);
  const scale = n / (max - min || 1);
  for (let i = 0; i < data.length; i++) {
    const x = Number(data[i]);
    if (!Number.isFinite(x) || x < min || x > max) continue;
    const b = n === 1 ? 0 : Math.min(n - 1, Math.floor((x - min) * scale));
    counts[b]++;
  }
  return { min, max, counts };
}
