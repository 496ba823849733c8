import { describe, expect, it } from 'vitest';
import type { ImageValue } from '@/engine/values';
import { diffImages } from './imageDiff';

const img = (w: number, h: number, f: (x: number, y: number) => [number, number, number]): ImageValue => {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...f(x, y), 255], (y * w + x) * 4);
  return { kind: 'image', width: w, height: h, data };
};

describe('diffImages', () => {
  it('is black with infinite PSNR for equal images', () => {
    const a = img(4, 3, (x, y) => [x * 10, y * 20, 7]);
    const r = diffImages(a, a);
    if (!r.ok) throw new Error(r.message);
    expect(r.diff).toMatchObject({ maxDiff: 0, meanDiff: 0, changed: 0, psnr: Infinity });
    expect([...r.diff.image.data].filter((_, i) => i % 4 !== 3).every((v) => v === 0)).toBe(true);
  });

  it('measures and draws where two images differ, brightest at the largest difference', () => {
    const a = img(4, 4, () => [100, 100, 100]);
    const b = img(4, 4, (x, y) => (x === 1 && y === 2 ? [140, 100, 100] : x === 3 && y === 0 ? [100, 110, 100] : [100, 100, 100]));
    const r = diffImages(a, b);
    if (!r.ok) throw new Error(r.message);
    expect(r.diff.maxDiff).toBe(40);
    expect(r.diff.changed).toBeCloseTo(2 / 16, 10);
    expect(r.diff.meanDiff).toBeCloseTo(50 / 48, 10);
    expect(r.diff.psnr).toBeCloseTo(10 * Math.log10((255 * 255) / ((40 * 40 + 10 * 10) / 48)), 10);
    const at = (x: number, y: number) => [...r.diff.image.data.subarray((y * 4 + x) * 4, (y * 4 + x) * 4 + 4)];
    expect(at(1, 2)).toEqual([255, 0, 0, 255]);
    expect(at(3, 0)).toEqual([0, 64, 0, 255]);
    expect(at(0, 0)).toEqual([0, 0, 0, 255]);
  });

  it('refuses images of different sizes, naming both', () => {
    const r = diffImages(img(4, 4, () => [0, 0, 0]), img(8, 4, () => [0, 0, 0]));
    expect(r).toEqual({ ok: false, message: expect.stringContaining('4×4 and 8×4') });
  });
});
