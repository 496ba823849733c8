import type { DType } from './types/portTypes';

/**
 * Runtime values that flow on wires. Scalars are plain JS values (string, number, boolean).
 * Tensors are TensorValue: CPU data or an opaque GPU-resident handle owned by the runtime.
 */

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Uint8ClampedArray
  | BigInt64Array;

export interface TensorValue {
  readonly kind: 'tensor';
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** Where the data lives. `gpu` tensors are read back only when a consumer needs CPU data. */
  readonly location: 'cpu' | 'gpu';
  /** CPU data; present when location is `cpu`. */
  readonly data?: TypedArray;
  /** The runtime's own object (e.g. an ORT tensor) for GPU-resident or pass-through values. */
  readonly handle?: unknown;
  /** Reads the data to the CPU (a no-op for CPU tensors). */
  read(): Promise<TypedArray>;
  /** Releases GPU memory; CPU tensors ignore it. Safe to call twice. */
  dispose(): void;
}

export function isTensorValue(v: unknown): v is TensorValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tensor';
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A tensor held in CPU memory. */
export function cpuTensor(dtype: DType, dims: readonly number[], data: TypedArray): TensorValue {
  const count = elementCount(dims);
  if (data.length !== count) {
    throw new Error(`tensor data has ${data.length} elements but dims ${JSON.stringify(dims)} need ${count}`);
  }
  return {
    kind: 'tensor',
    dtype,
    dims: [...dims],
    location: 'cpu',
    data,
    read: async () => data,
    dispose: () => {},
  };
}

/** An image: RGBA bytes, row-major. Batches are arrays of images. */
export interface ImageValue {
  readonly kind: 'image';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export function isImageValue(v: unknown): v is ImageValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'image';
}

/** A small picture attached to a progress event (a denoising preview, say). */
export type Preview = ImageValue;

/** Releases whatever a value holds on the GPU (tensors, arrays and records of them). */
export function disposeValue(value: unknown, seen = new Set<unknown>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (isTensorValue(value)) {
    value.dispose();
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const v of value) disposeValue(v, seen);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const v of Object.values(value)) disposeValue(v, seen);
  }
}
