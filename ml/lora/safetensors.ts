/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {k: string}}`,
 * then the tensors' bytes, offsets counted from the end of the header. LoRA files (kohya, PEFT,
 * diffusers) come this way. The file is hostile data: names are values in a Map, never object
 * keys; every offset, shape and size is checked against the bytes before a tensor is read.
 *
 * Written here rather than taken from a package: the format is this small, and the npm packages
 * that read it (@huggingface/hub's among them) fetch remote files and bring far more than this.
 */
import { f16BitsToF32, f32ToF16Bits } from '@/ml/runtime/float16';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32';

const SIZE: Record<SafetensorsDType, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4 };

export interface SafeTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** The raw little-endian bytes (a view into the file). */
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafeTensor>;
  readonly metadata: ReadonlyMap<string, string>;
}

export type SafetensorsResult = { ok: true; value: SafetensorsFile } | { ok: false; message: string };

/** The largest header read (safetensors' own reader refuses headers over 100 MB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Reads a .safetensors file; `what` names it in the messages. */
export function readSafetensors(bytes: Uint8Array, what = 'the file'): SafetensorsResult {
  const fail = (message: string): SafetensorsResult => ({ ok: false, message: `${what}: ${message}` });
  if (bytes.length < 8) return fail(`is ${bytes.length} bytes, too short for a safetensors file (8-byte header length, then JSON)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES) return fail(`its header claims ${headerLen} bytes; safetensors headers are at most ${MAX_HEADER_BYTES}`);
  if (8 + headerLen > bytes.length) return fail(`its header claims ${headerLen} bytes but the file has ${bytes.length - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    return fail(`its header is not JSON (${err instanceof Error ? err.message : String(err)}); is this a safetensors file?`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('its header is not a JSON object of tensors');
  const data = bytes.subarray(8 + headerLen);
  const tensors = new Map<string, SafeTensor>();
  const metadata = new Map<string, string>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail('__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') metadata.set(k, v);
      continue;
    }
    const at = `tensor '${name}'`;
    if (typeof entry !== 'object' || entry === null) return fail(`${at} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in SIZE)) return fail(`${at} has dtype ${JSON.stringify(dtype)}; LoRA weights are F32, F16 or BF16`);
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail(`${at} has a shape that is not a list of at most 8 sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail(`${at} has data_offsets that are not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = SIZE[dtype as SafetensorsDType];
    if (end < begin || end > data.length) return fail(`${at} lies at bytes ${begin}-${end}, past the ${data.length} bytes of data`);
    if (end - begin !== count * size) return fail(`${at} is ${dtype} [${(shape as number[]).join(', ')}] (${count * size} bytes) but holds ${end - begin}`);
    tensors.set(name, { dtype: dtype as SafetensorsDType, shape: shape as number[], bytes: data.subarray(begin, end) });
  }
  return { ok: true, value: { tensors, metadata } };
}

/** A tensor's values as float32 (F16 and BF16 widened, F64 and integers converted). */
export function toFloat32(t: SafeTensor): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const v = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (t.dtype) {
      case 'F32': out[i] = v.getFloat32(i * 4, true); break;
      case 'F16': out[i] = f16BitsToF32(v.getUint16(i * 2, true)); break;
      case 'BF16': out[i] = new Float32Array(new Uint32Array([v.getUint16(i * 2, true) << 16]).buffer)[0]; break;
      case 'F64': out[i] = v.getFloat64(i * 8, true); break;
      case 'I64': out[i] = Number(v.getBigInt64(i * 8, true)); break;
      case 'I32': out[i] = v.getInt32(i * 4, true); break;
    }
  }
  return out;
}

/** Writes tensors (float32 values, stored as F32 or F16) and string metadata as one .safetensors file. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, { shape: readonly number[]; values: ArrayLike<number>; dtype?: 'F32' | 'F16' }>,
  metadata: ReadonlyMap<string, string> = new Map(),
): Uint8Array {
  const header: Record<string, unknown> = Object.create(null);
  if (metadata.size) header.__metadata__ = Object.fromEntries(metadata);
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    const dtype = t.dtype ?? 'F32';
    const bytes = t.values.length * SIZE[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned, padded with spaces as the reference writer does.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    if ((t.dtype ?? 'F32') === 'F32') {
      for (let i = 0; i < t.values.length; i++, p += 4) view.setFloat32(p, t.values[i], true);
    } else {
      for (let i = 0; i < t.values.length; i++, p += 2) view.setUint16(p, f32ToF16Bits(t.values[i]), true);
    }
  }
  return out;
}
