import { unzlibSync, zlibSync } from 'fflate';
import type { ImageValue } from '@/engine/values';

/**
 * PNG encoding and decoding of RGBA images with text chunks (tEXt/iTXt), enough to embed a graph
 * in the PNGs Weft saves and read it back. Compression is fflate's zlib.
 */

/** Largest picture decoded (4096×4096): the pixels and the inflated data stay within ~130 MB. */
export const MAX_PIXELS = 4096 * 4096;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Encodes an RGBA image; `text` entries become iTXt chunks (UTF-8), in order. */
export function encodePng(image: ImageValue, text: ReadonlyMap<string, string> | readonly (readonly [string, string])[] = []): Uint8Array {
  const { width, height, data } = image;
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const raw = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    raw.set(data.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const enc = new TextEncoder();
  const parts = [new Uint8Array(SIGNATURE), chunk('IHDR', ihdr)];
  for (const [key, value] of text) {
    const k = enc.encode(key);
    const val = enc.encode(value);
    const body = new Uint8Array(k.length + 5 + val.length);
    body.set(k, 0); // keyword, NUL, compression flag 0, method 0, empty language, NUL, empty translated keyword, NUL
    body.set(val, k.length + 5);
    parts.push(chunk('iTXt', body));
  }
  parts.push(chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0)));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The text chunks of a PNG: every value of each keyword, in file order (keywords are data from
 * the file, so this is a Map). `problems` says what is wrong with the file's structure (a bad
 * checksum, a cut-off end) without refusing it: the caller decides what matters.
 */
export interface PngText {
  chunks: Map<string, string[]>;
  problems: string[];
}

export type PngRead = { ok: true; image: ImageValue; text: PngText } | { ok: false; message: string };

/** Reads text chunks only (fast; for graphs embedded in PNGs); undefined when it is not a PNG. */
export function readPngText(bytes: Uint8Array): PngText | undefined {
  const r = walk(bytes, false);
  return r.ok ? r.text : undefined;
}

/** Decodes 8-bit RGB/RGBA non-interlaced PNGs (what Weft writes) and their text chunks. */
export function decodePng(bytes: Uint8Array): PngRead {
  return walk(bytes, true);
}

function chunkType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function walk(bytes: Uint8Array, pixels: boolean): PngRead {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return { ok: false, message: 'not a PNG file' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = new TextDecoder();
  const latin1 = new TextDecoder('latin1');
  const chunks = new Map<string, string[]>();
  const problems: string[] = [];
  const addText = (key: string, value: string) => {
    const list = chunks.get(key);
    if (list) list.push(value);
    else chunks.set(key, [value]);
  };
  const idat: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  let colourType = 6;
  let ended = false;
  let badCrc = 0;
  let o = 8;
  for (; o + 12 <= bytes.length; ) {
    const len = view.getUint32(o);
    const type = chunkType(bytes, o + 4);
    if (o + 12 + len > bytes.length) {
      problems.push(`the file is cut off inside its ${type} chunk`);
      if (pixels) return { ok: false, message: `PNG chunk ${type} is cut short` };
      o = bytes.length;
      break;
    }
    const body = bytes.subarray(o + 8, o + 8 + len);
    const isText = type === 'tEXt' || type === 'iTXt';
    // Checksums are checked where they matter: text (the graph) and the header.
    if ((isText || type === 'IHDR') && crc32(bytes, o + 4, o + 8 + len) !== view.getUint32(o + 8 + len)) badCrc++;
    if (type === 'IHDR' && len < 13) {
      problems.push('its IHDR header chunk is too short');
      if (pixels) return { ok: false, message: 'the PNG header (IHDR) is damaged' };
    } else if (type === 'IHDR') {
      width = view.getUint32(o + 8);
      height = view.getUint32(o + 12);
      colourType = body[9];
      if (pixels && (body[8] !== 8 || (colourType !== 6 && colourType !== 2) || body[12] !== 0)) {
        return { ok: false, message: 'only 8-bit RGB or RGBA, non-interlaced PNGs can be read' };
      }
    } else if (type === 'tEXt') {
      const nul = body.indexOf(0);
      if (nul > 0) addText(latin1.decode(body.subarray(0, nul)), latin1.decode(body.subarray(nul + 1)));
    } else if (type === 'iTXt') {
      const nul = body.indexOf(0);
      if (nul > 0 && body[nul + 1] === 0) {
        let p = nul + 3;
        p = body.indexOf(0, p) + 1; // language tag
        p = p > 0 ? body.indexOf(0, p) + 1 : 0; // translated keyword
        if (p > 0) addText(dec.decode(body.subarray(0, nul)), dec.decode(body.subarray(p)));
      }
    } else if (type === 'IDAT' && pixels) idat.push(body);
    else if (type === 'IEND') {
      ended = true;
      break;
    }
    o += 12 + len;
  }
  if (badCrc) problems.push(`${badCrc} chunk${badCrc > 1 ? 's have' : ' has'} a wrong checksum (the file was changed or damaged)`);
  if (!ended && !problems.some((p) => p.startsWith('the file is cut off'))) problems.push('the file ends without its IEND chunk (it may be cut off)');
  const text: PngText = { chunks, problems };
  if (!pixels) return { ok: true, image: { kind: 'image', width, height, data: new Uint8ClampedArray(0) }, text };
  const joined = new Uint8Array(idat.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of idat) {
    joined.set(p, off);
    off += p.length;
  }
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) {
    return { ok: false, message: `the PNG is ${width}×${height}; images of up to ${MAX_PIXELS / 1024 / 1024} megapixels can be read` };
  }
  const bpp = colourType === 6 ? 4 : 3;
  const stride = width * bpp;
  let raw: Uint8Array;
  try {
    // Inflated into a buffer of exactly the image's size, so crafted data cannot expand past it.
    raw = unzlibSync(joined, { out: new Uint8Array(height * (stride + 1)) });
  } catch {
    return { ok: false, message: 'PNG image data is corrupt' };
  }
  if (raw.length < height * (stride + 1)) return { ok: false, message: 'PNG image data is cut short' };
  const out = new Uint8ClampedArray(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const x = line[i];
      cur[i] = (filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : x + paeth(a, b, c)) & 0xff;
    }
    for (let xPix = 0; xPix < width; xPix++) {
      const o = (y * width + xPix) * 4;
      out[o] = cur[xPix * bpp];
      out[o + 1] = cur[xPix * bpp + 1];
      out[o + 2] = cur[xPix * bpp + 2];
      out[o + 3] = bpp === 4 ? cur[xPix * bpp + 3] : 255;
    }
    prev.set(cur);
  }
  return { ok: true, image: { kind: 'image', width, height, data: out }, text };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
