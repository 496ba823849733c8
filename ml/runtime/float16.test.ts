import { describe, expect, test } from 'vitest';
import { convertData } from './convert';
import { f16BitsToF32, f32ToF16Bits, float16ToFloat32, float32ToFloat16 } from './float16';

describe('float16 conversion', () => {
  test.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff], // largest half
    [65519, 0x7bff], // just under the rounding midpoint
    [65520, 0x7c00], // midpoint rounds to even -> Inf
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // half of it: tie to even -> 0
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal steps -> even (2)
    [2 ** -14 - 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -14 - 2 ** -26, 0x0400], // rounds up into the normals
    [1 + 2 ** -11, 0x3c00], // tie -> even (1.0)
    [1 + 3 * 2 ** -11, 0x3c02], // tie -> even (up)
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // above the tie
    [1e-10, 0x0000],
    [-1e-10, 0x8000],
  ])('%d -> 0x%s', (value, bits) => {
    expect(f32ToF16Bits(value).toString(16)).toBe(bits.toString(16));
  });

  test('NaN stays NaN both ways', () => {
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    expect(f32ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f32ToF16Bits(NaN) & 0x3ff).not.toBe(0);
    expect(Number.isNaN(f16BitsToF32(0x7e00))).toBe(true);
  });

  test('every half round-trips through float32 exactly', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = f16BitsToF32(bits);
      if (!Number.isNaN(v) && f32ToF16Bits(Math.fround(v)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  test('rounding is to the nearest half (checked against the neighbours)', () => {
    const xs = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 10) - 6));
    for (const x of xs) {
      const b = f32ToF16Bits(x);
      const err = Math.abs(f16BitsToF32(b) - x);
      // neither neighbour is strictly nearer
      expect(Math.abs(f16BitsToF32(b + 1) - x)).toBeGreaterThanOrEqual(err);
      if ((b & 0x7fff) > 0) expect(Math.abs(f16BitsToF32(b - 1) - x)).toBeGreaterThanOrEqual(err);
    }
  });

  test('array helpers and convertData', () => {
    const a = Float32Array.from([1, -2.5, 0.1, 70000]);
    const h = float32ToFloat16(a);
    expect(h).toBeInstanceOf(Uint16Array);
    expect(Array.from(float16ToFloat32(h))).toEqual([1, -2.5, f16BitsToF32(f32ToF16Bits(0.1)), Infinity]);
    expect(convertData(a, 'float32', 'float16')).toEqual(h);
    expect(convertData(h, 'float16', 'float32')).toEqual(float16ToFloat32(h));
  });

  test('float16 data handed over as values (a Float16Array, as onnxruntime-web gives in Chromium) converts as values', () => {
    // Node 20 has no Float16Array: any typed array that is not Uint16Array stands for one.
    const F16 = (globalThis as { Float16Array?: new (v: number[]) => ArrayLike<number> }).Float16Array ?? Float32Array;
    const values = new F16([0.5, -2, 1024, 0]) as Float32Array;
    expect(Array.from(convertData(values, 'float16', 'float32') as Float32Array)).toEqual([0.5, -2, 1024, 0]);
    expect(Array.from(convertData(values, 'float16', 'int64') as BigInt64Array)).toEqual([1n, -2n, 1024n, 0n]);
  });

  test('int32 <-> int64 round trip', () => {
    const ids = Int32Array.from([0, 1, 49406, -7, 2147483647, -2147483648]);
    const wide = convertData(ids, 'int32', 'int64');
    expect(wide).toBeInstanceOf(BigInt64Array);
    expect(Array.from(wide as BigInt64Array)).toEqual(Array.from(ids, BigInt));
    expect(convertData(wide, 'int64', 'int32')).toEqual(ids);
    expect(Array.from(convertData(Float32Array.from([999, 1.9999]), 'float32', 'int64') as BigInt64Array)).toEqual([999n, 2n]);
  });
});
