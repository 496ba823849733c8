import type { DType } from './types/portTypes';
import type { TypedArray } from './values';

/** NumPy .npy (format 1.0) reading and writing, so tensors move to and from Python tools. */

const DESCR: Record<string, DType> = { '<f4': 'float32', '<f2': 'float16', '<i4': 'int32', '<i8': 'int64', '|u1': 'uint8', '|i1': 'int8', '|b1': 'bool' };
const DESCR_OF: Partial<Record<DType, string>> = Object.fromEntries(Object.entries(DESCR).map(([k, v]) => [v, k]));

export function encodeNpy(dtype: DType, dims: readonly number[], data: TypedArray): Uint8Array {
  const descr = DESCR_OF[dtype];
  if (!descr) throw new Error(`cannot write dtype ${dtype} to .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(10 + header.length + bytes.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(bytes, 10 + header.length);
  return out;
}

export type NpyResult = { ok: true; dtype: DType; dims: number[]; data: TypedArray } | { ok: false; message: string };

export function decodeNpy(buf: Uint8Array): NpyResult {
  if (buf.length < 10 || buf[0] !== 0x93 || String.fromCharCode(...buf.subarray(1, 6)) !== 'NUMPY') {
    return { ok: false, message: 'not a NumPy .npy file (the magic bytes are missing)' };
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf[8] | (buf[9] << 8) : buf[8] | (buf[9] << 8) | (buf[10] << 16) | (buf[11] << 24);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) return { ok: false, message: '.npy header is cut short' };
  const header = new TextDecoder('latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) return { ok: false, message: `.npy header not understood: ${header.trim()}` };
  if (fortran === 'True') return { ok: false, message: '.npy in Fortran order is not supported; save with np.ascontiguousarray' };
  const dtype = DESCR[descr];
  if (!dtype) return { ok: false, message: `.npy dtype '${descr}' is not supported (use float32, float16, int32, int64, uint8, int8 or bool)` };
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) return { ok: false, message: `.npy shape (${shapeText}) is not valid` };
  const count = dims.reduce((a, b) => a * b, 1);
  const body = buf.slice(start + headerLen);
  const size = { float32: 4, float16: 2, int32: 4, int64: 8, uint8: 1, int8: 1, bool: 1 }[dtype];
  if (body.length !== count * size) return { ok: false, message: `.npy holds ${body.length} bytes of data but shape (${dims.join(',')}) needs ${count * size}` };
  const ab = body.buffer;
  const data: TypedArray =
    dtype === 'float32' ? new Float32Array(ab) : dtype === 'float16' ? new Uint16Array(ab) : dtype === 'int32' ? new Int32Array(ab) : dtype === 'int64' ? new BigInt64Array(ab) : dtype === 'int8' ? new Int8Array(ab) : new Uint8Array(ab);
  return { ok: true, dtype, dims, data };
}
