import { NodeRunError } from '@/engine/errors';
import { cpuTensor, elementCount, type TensorValue, type TypedArray } from '@/engine/values';
import { convertData, formatShape } from './convert';
import type { TensorOps } from './types';

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Checks the shared shape of element-wise operands. */
export function checkSameShape(what: string, tensors: readonly TensorValue[]): void {
  for (const t of tensors) {
    if (!sameDims(t.dims, tensors[0].dims)) {
      throw new NodeRunError('input_mismatch', `${what} needs tensors of one shape; got ${formatShape(tensors[0].dims)} and ${formatShape(t.dims)}`);
    }
  }
}

/** Checks that tensors can stack along dim 0: same dtype, same trailing dims. */
export function checkConcat(tensors: readonly TensorValue[]): void {
  if (tensors.length === 0) throw new NodeRunError('input_mismatch', 'concatBatch needs at least one tensor');
  const [first] = tensors;
  for (const t of tensors) {
    if (t.dims.length === 0 || t.dims.length !== first.dims.length || !sameDims(t.dims.slice(1), first.dims.slice(1)) || t.dtype !== first.dtype) {
      throw new NodeRunError('input_mismatch', `concatBatch needs tensors that differ only in batch; got ${first.dtype} ${formatShape(first.dims)} and ${t.dtype} ${formatShape(t.dims)}`);
    }
  }
}

export function checkSlice(tensor: TensorValue, start: number, count: number): void {
  const batch = tensor.dims[0];
  if (tensor.dims.length === 0 || !Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > batch) {
    throw new NodeRunError('input_mismatch', `sliceBatch [${start}, ${start + count}) is outside a batch of ${batch ?? 0} (${formatShape(tensor.dims)})`);
  }
}

/** TensorOps in plain TypeScript, for the cpu and wasm backends (tensors already live on the CPU). */
export function createCpuTensorOps(): TensorOps {
  return {
    async linearCombination(terms) {
      if (terms.length === 0) throw new NodeRunError('input_mismatch', 'linearCombination needs at least one term');
      checkSameShape('linearCombination', terms.map((t) => t.tensor));
      const n = elementCount(terms[0].tensor.dims);
      const out = new Float32Array(n);
      for (const { tensor, coefficient } of terms) {
        const data = convertData(await tensor.read(), tensor.dtype, 'float32') as Float32Array;
        for (let i = 0; i < n; i++) out[i] += coefficient * data[i];
      }
      return cpuTensor('float32', terms[0].tensor.dims, out);
    },
    async concatBatch(tensors) {
      checkConcat(tensors);
      const parts = await Promise.all(tensors.map((t) => t.read()));
      const total = parts.reduce((s, p) => s + p.length, 0);
      const Ctor = parts[0].constructor as new (n: number) => TypedArray;
      const out = new Ctor(total);
      let offset = 0;
      for (const p of parts) {
        (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p as ArrayLike<unknown>, offset);
        offset += p.length;
      }
      const dims = [tensors.reduce((s, t) => s + t.dims[0], 0), ...tensors[0].dims.slice(1)];
      return cpuTensor(tensors[0].dtype, dims, out);
    },
    async sliceBatch(tensor, start, count) {
      checkSlice(tensor, start, count);
      const item = elementCount(tensor.dims.slice(1));
      const data = await tensor.read();
      return cpuTensor(tensor.dtype, [count, ...tensor.dims.slice(1)], data.slice(start * item, (start + count) * item) as TypedArray);
    },
    async upload(tensor) {
      return tensor;
    },
  };
}
