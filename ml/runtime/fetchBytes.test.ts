import { describe, expect, it } from 'vitest';
import { fetchBytes } from './fetchBytes';

const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251);
const serve = (body: BodyInit | null, status = 200) => (async () => new Response(body, { status, headers: { 'content-length': String(bytes.length) } })) as unknown as typeof fetch;

/** A body that arrives in pieces, as a download does. */
function chunked(): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(c) {
      if (offset >= bytes.length) return c.close();
      c.enqueue(bytes.slice(offset, offset + 65_536));
      offset += 65_536;
    },
  });
}

describe('fetchBytes', () => {
  it('returns the whole body, with or without a progress listener', async () => {
    expect(await fetchBytes('/m', 'model', { fetch: serve(chunked()) })).toEqual(bytes);
    const seen: [number, number | undefined][] = [];
    expect(await fetchBytes('/m', 'model', { fetch: serve(chunked()), onProgress: (l, t) => seen.push([l, t]) })).toEqual(bytes);
    expect(seen.length).toBe(Math.ceil(bytes.length / 65_536));
    expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('names the address on a missing file, a failed request and a broken body', async () => {
    await expect(fetchBytes('/x/model.onnx', 'unet', { fetch: serve(null, 404) })).rejects.toMatchObject({ code: 'file_missing', message: expect.stringContaining('/x/model.onnx') });
    await expect(fetchBytes('/x', 'unet', { fetch: (async () => Promise.reject(new TypeError('network down'))) as typeof fetch })).rejects.toMatchObject({ code: 'fetch_failed', message: expect.stringContaining('network down') });
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error('connection reset'));
      },
    });
    await expect(fetchBytes('/x', 'unet', { fetch: serve(broken) })).rejects.toMatchObject({ code: 'fetch_failed', message: expect.stringContaining('connection reset') });
  });
});
