import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, readPngText } from './png';
import { graphFromPng, pngWithGraph } from './graphPng';
import type { ImageValue } from '@/engine/values';

const image: ImageValue = { kind: 'image', width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]) };

/** Byte offset of the first chunk of `type`. */
function chunkAt(bytes: Uint8Array, type: string): number {
  for (let o = 8; o + 8 <= bytes.length; ) {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(o);
    if (String.fromCharCode(...bytes.subarray(o + 4, o + 8)) === type) return o;
    o += 12 + len;
  }
  return -1;
}

describe('png', () => {
  it('round-trips pixels and a UTF-8 text chunk', () => {
    const data = new Uint8ClampedArray(5 * 3 * 4).map((_, i) => (i * 37) % 256);
    const bytes = encodePng({ kind: 'image', width: 5, height: 3, data }, [['weft', '{"title":"ünïcode ✓"}']]);
    const r = decodePng(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.image.width).toBe(5);
    expect(Array.from(r.image.data)).toEqual(Array.from(data));
    expect(readPngText(bytes)).toEqual({ chunks: new Map([['weft', ['{"title":"ünïcode ✓"}']]]), problems: [] });
  });

  it('refuses what is not a PNG', () => {
    expect(decodePng(new Uint8Array([1, 2, 3]))).toEqual({ ok: false, message: 'not a PNG file' });
  });

  it('keeps chunk keywords as data: __proto__ and constructor are ordinary keywords', () => {
    const bytes = encodePng(image, [['__proto__', 'a'], ['constructor', 'b'], ['toString', 'c']]);
    const text = readPngText(bytes)!;
    expect([...text.chunks]).toEqual([['__proto__', ['a']], ['constructor', ['b']], ['toString', ['c']]]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });

  it('refuses pictures too large to decode before inflating them', () => {
    const bytes = encodePng(image);
    const ihdr = chunkAt(bytes, 'IHDR');
    new DataView(bytes.buffer).setUint32(ihdr + 8, 100_000);
    new DataView(bytes.buffer).setUint32(ihdr + 12, 100_000);
    const r = decodePng(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/100000×100000; images of up to 16 megapixels/);
  });

  it('a header chunk too short to hold a size is said, never thrown', () => {
    const bytes = pngWithGraph(image, '{"schemaVersion":1}');
    const at = chunkAt(bytes, 'IHDR');
    new DataView(bytes.buffer).setUint32(at, 4); // claims 4 bytes where 13 belong
    expect(decodePng(bytes)).toEqual({ ok: false, message: 'the PNG header (IHDR) is damaged' });
    expect(() => readPngText(bytes)).not.toThrow();
  });
});

describe('graphFromPng', () => {
  it('reads the graph a saved PNG carries', () => {
    expect(graphFromPng(pngWithGraph(image, '{"schemaVersion":1}'))).toEqual({ ok: true, text: '{"schemaVersion":1}', warnings: [] });
  });

  it('says plainly when a PNG has no graph', () => {
    const r = graphFromPng(encodePng(image));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('carries no Weft graph');
  });

  it('refuses a PNG with two graph chunks rather than pick one', () => {
    const r = graphFromPng(encodePng(image, [['weft-graph', '{"a":1}'], ['weft-graph', '{"b":2}']]));
    expect(r).toMatchObject({ ok: false, code: 'two_graphs' });
    if (!r.ok) expect(r.message).toMatch(/carries 2 Weft graphs/);
  });

  it('says when the checksum of the graph chunk is wrong', () => {
    const bytes = pngWithGraph(image, '{"schemaVersion":1}');
    const at = chunkAt(bytes, 'iTXt');
    const len = new DataView(bytes.buffer).getUint32(at);
    bytes[at + 8 + len] ^= 0xff; // the CRC's first byte
    const r = graphFromPng(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings).toEqual(['the PNG is damaged: 1 chunk has a wrong checksum (the file was changed or damaged); its graph was read anyway']);
  });

  it('says when the file is cut off after the graph chunk', () => {
    const bytes = pngWithGraph(image, '{"schemaVersion":1}');
    const cut = bytes.subarray(0, chunkAt(bytes, 'IDAT') + 20);
    const r = graphFromPng(cut);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings[0]).toMatch(/the file is cut off inside its IDAT chunk/);
  });

  it('reads a PNG of a million empty chunks and says what is wrong with them', () => {
    const head = pngWithGraph(image, '{"schemaVersion":1}');
    const iend = chunkAt(head, 'IEND');
    const filler = new Uint8Array(12 * 1_000_000);
    for (let i = 0; i < 1_000_000; i++) filler.set([0, 0, 0, 0, 0x74, 0x45, 0x58, 0x74, 0, 0, 0, 0], i * 12); // empty tEXt, bad CRC
    const bytes = new Uint8Array(iend + filler.length + 12);
    bytes.set(head.subarray(0, iend));
    bytes.set(filler, iend);
    bytes.set(head.subarray(iend), iend + filler.length);
    const r = graphFromPng(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings[0]).toMatch(/1000000 chunks have a wrong checksum/);
  });
});
