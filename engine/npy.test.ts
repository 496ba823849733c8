import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from './npy';

describe('.npy', () => {
  it('round-trips float32 with a 64-byte aligned header', () => {
    const data = new Float32Array([1.5, -2, 3.25, 0, 7, 8]);
    const bytes = encodeNpy('float32', [2, 3], data);
    expect((10 + (bytes[8] | (bytes[9] << 8))) % 64).toBe(0);
    const r = decodeNpy(bytes);
    expect(r.ok && r.dims).toEqual([2, 3]);
    expect(r.ok && Array.from(r.data as Float32Array)).toEqual(Array.from(data));
  });

  it('reads a file numpy wrote', () => {
    // np.save of np.arange(3, dtype=np.int32): header as numpy 1.x writes it.
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
    const padded = header + ' '.repeat(118 - header.length - 1) + '\n';
    const bytes = new Uint8Array(128 + 12);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]);
    for (let i = 0; i < padded.length; i++) bytes[10 + i] = padded.charCodeAt(i);
    new DataView(bytes.buffer).setInt32(128, 0, true);
    new DataView(bytes.buffer).setInt32(132, 1, true);
    new DataView(bytes.buffer).setInt32(136, 2, true);
    const r = decodeNpy(bytes);
    expect(r.ok && r.dtype).toBe('int32');
    expect(r.ok && Array.from(r.data as Int32Array)).toEqual([0, 1, 2]);
  });

  it('says what is wrong with a bad file', () => {
    expect(decodeNpy(new Uint8Array([1, 2, 3]))).toEqual({ ok: false, message: expect.stringMatching(/not a NumPy/) });
    const bytes = encodeNpy('float32', [4], new Float32Array(4));
    expect(decodeNpy(bytes.slice(0, bytes.length - 4))).toMatchObject({ ok: false, message: expect.stringMatching(/needs 16/) });
  });
});
