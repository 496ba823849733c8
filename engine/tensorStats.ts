import type { TypedArray } from './values';

export interface TensorStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  nan: number;
  inf: number;
}

/** Statistics over the finite values; NaN and Inf are counted, not averaged. */
export function tensorStats(data: TypedArray): TensorStats {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < data.length; i++) {
    const x = Number(data[i]);
    if (Number.isNaN(x)) { nan++; continue; }
    if (!Number.isFinite(x)) { inf++; continue; }
    n++;
    const d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return {
    count: data.length,
    mean: n ? mean : NaN,
    std: n ? Math.sqrt(m2 / n) : NaN,
    min: n ? min : NaN,
    max: n ? max : NaN,
    nan,
    inf,
  };
}
