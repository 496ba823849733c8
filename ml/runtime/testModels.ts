import { buildModel, type OnnxDType } from './onnxProto';
import type { FileAccess, ModelRef, ModelRole } from './types';

/** Small generated models and an in-memory FileAccess, for the runtime's tests. */

/** y = Cast<float32>(x), x of `dtype` and `shape`. */
export function castToFloatModel(dtype: OnnxDType, shape: readonly (number | string)[]): Uint8Array {
  return buildModel({
    name: `to_float_${dtype}`,
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: { i: 1 } } }],
    inputs: [{ name: 'x', dtype, shape }],
    outputs: [{ name: 'y', dtype: 'float32', shape }],
  });
}

/** y = x for `dtype` (float16 in, float16 out: tests conversion at both ends). */
export function identityOf(dtype: OnnxDType, shape: readonly (number | string)[], inputName = 'x'): Uint8Array {
  return buildModel({
    name: `identity_${dtype}`,
    nodes: [{ op: 'Identity', inputs: [inputName], outputs: ['y'] }],
    inputs: [{ name: inputName, dtype, shape }],
    outputs: [{ name: 'y', dtype, shape }],
  });
}

/** out_sample = sample * 2 + t, shaped like the shipped UNet's first input. */
export function fakeUnet(): Uint8Array {
  return buildModel({
    name: 'fake_unet',
    nodes: [
      { op: 'Mul', inputs: ['sample', 'two'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'timestep_f'], outputs: ['out_sample'] },
      { op: 'Reshape', inputs: ['timestep', 'shape4'], outputs: ['timestep_f'] },
    ],
    inputs: [
      { name: 'sample', dtype: 'float32', shape: ['batch', 4, 16, 16] },
      { name: 'timestep', dtype: 'float32', shape: ['batch'] },
    ],
    outputs: [{ name: 'out_sample', dtype: 'float32', shape: ['batch', 4, 16, 16] }],
    initializers: [
      { name: 'two', dtype: 'float32', dims: [], values: [2] },
      { name: 'shape4', dtype: 'int64', dims: [4], values: [-1, 1, 1, 1] },
    ],
  });
}

export function memoryFiles(files: Record<string, Uint8Array>): FileAccess & { reads: number } {
  const access = {
    reads: 0,
    async read(source: string, path: string) {
      access.reads++;
      const b = files[`${source}/${path}`];
      if (!b) throw new Error(`${source} has no file '${path}'`);
      return b;
    },
    async exists(source: string, path: string) {
      return `${source}/${path}` in files;
    },
  };
  return access;
}

export function refTo(path: string, role: ModelRole = 'other', extra: Partial<ModelRef> = {}): ModelRef {
  return { kind: 'model', role, source: 'mem:test', path, name: path.replace(/\.onnx$/, ''), ...extra };
}

/** Elements of any typed array as numbers. */
export function nums(a: ArrayLike<number | bigint>): number[] {
  return Array.from(a, Number);
}
