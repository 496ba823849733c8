import { NodeRunError } from '@/engine/errors';
import type { TypedArray } from '@/engine/values';
import type { DType } from '@/engine/types/portTypes';
import { f16BitsToF32, f32ToF16Bits, float16ToFloat32 } from './float16';

/** Element types a model input may declare that Weft can feed. */
export const FEEDABLE = ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'] as const;
export type FeedableType = (typeof FEEDABLE)[number];

export function isFeedable(t: string): t is FeedableType {
  return (FEEDABLE as readonly string[]).includes(t);
}

/** The dtype a TensorValue shows for an ORT element type: float16 reads as float32. */
export function logicalDType(ortType: string): DType {
  if (ortType === 'float16' || ortType === 'float64') return 'float32';
  if (isFeedable(ortType)) return ortType;
  throw new NodeRunError('model_failed', `model produced a ${ortType} tensor, which Weft cannot carry`);
}

/**
 * Converts element data between types. float16 data is Uint16Array bits (or a Float16Array of
 * values); int64 is BigInt64Array.
 * Float -> integer rounds to nearest (timesteps computed in float land on exact integers).
 */
export function convertData(data: TypedArray | ArrayLike<number | bigint>, from: string, to: string): TypedArray {
  if (from === to && ArrayBuffer.isView(data)) return data as TypedArray;
  // Where the platform has Float16Array (Chromium 135+, Node 24+), onnxruntime-web hands float16
  // outputs over as one: values, not bit patterns.
  if (from === 'float16' && ArrayBuffer.isView(data) && !(data instanceof Uint16Array)) return convertData(data, 'float64', to);
  const n = data.length;
  const src = data as ArrayLike<number | bigint>;
  const get: (i: number) => number =
    from === 'float16' ? (i) => f16BitsToF32(src[i] as number) : from === 'int64' || from === 'uint64' ? (i) => Number(src[i]) : (i) => src[i] as number;
  switch (to) {
    case 'float32': {
      if (from === 'float16') return float16ToFloat32(src as ArrayLike<number>);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = get(i);
      return out;
    }
    case 'float16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = f32ToF16Bits(get(i));
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.round(get(i));
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(Math.round(get(i)));
      return out;
    }
    case 'uint8':
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = to === 'bool' ? (get(i) ? 1 : 0) : Math.round(get(i));
      return out;
    }
    case 'int8': {
      const out = new Int8Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.round(get(i));
      return out;
    }
    default:
      throw new NodeRunError('unsupported_dtype', `cannot convert ${from} data to ${to}`);
  }
}

export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Checks dims against a declared shape: rank and every numeric dim must match; symbolic dims
 * take anything. A declared shape of [] is what ORT reports for an unknown rank, so it passes.
 */
export function checkShape(label: string, input: string, declared: readonly (number | string)[], dims: readonly number[]): void {
  if (declared.length === 0) return;
  const ok = declared.length === dims.length && declared.every((d, i) => typeof d !== 'number' || d < 0 || d === dims[i]);
  if (!ok) {
    throw new NodeRunError('input_mismatch', `${label} input '${input}' expects ${formatShape(declared)} but got ${formatShape(dims)}`);
  }
}
