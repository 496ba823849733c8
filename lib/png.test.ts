import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, readPngText } from './png';

describe('png', () => {
  it('round-trips pixels and a UTF-8 text chunk', () => {
    const data = new Uint8ClampedArray(5 * 3 * 4).map((_, i) => (i * 37) % 256);
    const bytes = encodePng({ kind: 'image', width: 5, height: 3, data }, { weft: '{"title":"ünïcode ✓"}' });
    const r = decodePng(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image.width).toBe(5);
    expect(Array.from(r.image.data)).toEqual(Array.from(data));
    expect(readPngText(bytes)).toEqual({ weft: '{"title":"ünïcode ✓"}' });
  });

  it('refuses what is not a PNG', () => {
    expect(decodePng(new Uint8Array([1, 2, 3]))).toEqual({ ok: false, message: 'not a PNG file' });
  });
});
