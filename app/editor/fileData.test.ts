import { describe, expect, it } from 'vitest';
import { encodePng } from '@/lib/png';
import { pngWithGraph } from '@/lib/graphPng';
import type { ImageValue } from '@/engine/values';
import { bytesToBase64, graphTextOfFile, imagesOf, safeFileName } from './fileData';

const image: ImageValue = { kind: 'image', width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]) };

describe('graphTextOfFile', () => {
  it('reads the graph a saved PNG carries', async () => {
    const file = new File([pngWithGraph(image, '{"schemaVersion":1}') as BlobPart], 'saved.png', { type: 'image/png' });
    expect(await graphTextOfFile(file)).toEqual({ ok: true, text: '{"schemaVersion":1}' });
  });

  it('says plainly when a PNG has no graph', async () => {
    const r = await graphTextOfFile(new File([encodePng(image) as BlobPart], 'photo.png'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.title).toBe('photo.png has no graph in it');
      expect(r.lines[0]).toContain('carries no Weft graph');
    }
  });

  it('passes JSON text through', async () => {
    expect(await graphTextOfFile(new File(['{"a":1}'], 'g.json'))).toEqual({ ok: true, text: '{"a":1}' });
  });
});

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
