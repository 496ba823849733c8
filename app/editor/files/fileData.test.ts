import { describe, expect, it } from 'vitest';
import type { ImageValue } from '@/engine/values';
import { bytesToBase64, imagesOf, safeFileName } from './fileData';

const image: ImageValue = { kind: 'image', width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]) };

describe('helpers', () => {
  it('finds the images of a value, batches included', () => {
    expect(imagesOf(image)).toHaveLength(1);
    expect(imagesOf({ kind: 'list', items: [image, image, 3] })).toHaveLength(2);
    expect(imagesOf('text')).toEqual([]);
  });

  it('encodes base64 in chunks like btoa', () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 256);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('makes safe file names', () => {
    expect(safeFileName('blue square', 'image')).toBe('blue-square');
    expect(safeFileName('a/b\\c:d', 'image')).toBe('abcd');
    expect(safeFileName('   ', 'image')).toBe('image');
  });
});
