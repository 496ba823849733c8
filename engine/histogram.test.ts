import { describe, expect, it } from 'vitest';
import { histogram } from './histogram';
import { tensorStats } from './tensorStats';

describe('histogram', () => {
  it('puts values in equal-width bins, the maximum in the last bin', () => {
    const data = new Float32Array([0, 0.1, 0.3, 0.5, 0.74, 0.76, 1]);
    expect(histogram(data, 0, 1, 4).counts).toEqual([2, 1, 2, 2]);
  });

  it('leaves NaN and Inf out of the bins (tensorStats counts them)', () => {
    const data = new Float32Array([1, 2, NaN, Infinity, -Infinity, 3]);
    const s = tensorStats(data);
    expect(s).toMatchObject({ count: 6, min: 1, max: 3, mean: 2, nan: 1, inf: 2 });
    const h = histogram(data, s.min, s.max, 2);
    expect(h.counts).toEqual([1, 2]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('one bin when every value is equal or none is finite', () => {
    expect(histogram(new Float32Array([5, 5, 5]), 5, 5, 16)).toEqual({ min: 5, max: 5, counts: [3] });
    expect(histogram(new Float32Array([NaN]), NaN, NaN, 16)).toEqual({ min: NaN, max: NaN, counts: [0] });
  });

  it('reads integer and int64 tensors', () => {
    expect(histogram(new Int32Array([-2, 0, 2]), -2, 2, 2).counts).toEqual([1, 2]);
    expect(histogram(new BigInt64Array([1n, 2n, 3n, 4n]), 1, 4, 3).counts).toEqual([1, 1, 2]);
  });
});
