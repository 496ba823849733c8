import { NodeRunError } from '@/engine/errors';
import type { TensorValue } from '@/engine/values';
import { checkConcat, checkSameShape, checkSlice } from './cpuOps';
import { concatModel, identityModel, linearCombinationModel, sliceModel } from './opModels';
import type { OnnxDType } from './onnxProto';
import type { OrtBridge } from './ortBridge';
import type { OrtTensor } from './ortTypes';
import type { TensorOps } from './types';

const MAX_TERMS = 4;

/**
 * TensorOps as tiny ONNX models on the backend's own execution provider, so on WebGPU the
 * denoising maths never reads back: inputs are device tensors (or CPU data uploaded by ORT),
 * outputs stay where ORT computed them (`preferredOutputLocation`).
 */
export function createOrtTensorOps(bridge: OrtBridge): TensorOps {
  const { ort } = bridge;

  /** Runs a helper with feeds converted to `type`, disposing the temporaries it made. */
  async function runHelper(key: string, build: () => Uint8Array, feeds: Record<string, { value: TensorValue; type: string } | OrtTensor>): Promise<TensorValue> {
    const session = await bridge.helper(key, build);
    const temps: OrtTensor[] = [];
    const ortFeeds: Record<string, OrtTensor> = {};
    try {
      for (const [name, f] of Object.entries(feeds)) {
        if ('value' in f) {
          const { tensor, temp } = await bridge.toOrt(f.value, f.type, `${key} input '${name}'`);
          if (temp) temps.push(tensor);
          ortFeeds[name] = tensor;
        } else {
          temps.push(f);
          ortFeeds[name] = f;
        }
      }
      const out = await bridge.exclusive(() => session.run(ortFeeds));
      return bridge.fromOrt(out.y);
    } catch (err) {
      if (err instanceof NodeRunError) throw err;
      throw new NodeRunError('model_failed', `tensor op ${key} failed on ${bridge.backend}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      for (const t of temps) t.dispose();
    }
  }

  /** The element type to run concat/slice in: the device handle's own type, else the value's. */
  function elemType(v: TensorValue): OnnxDType {
    const h = v.handle as OrtTensor | undefined;
    if (h && typeof h.type === 'string' && v.location === 'gpu') return h.type as OnnxDType;
    return v.dtype === 'float16' ? 'float16' : (v.dtype as OnnxDType);
  }

  const scalar = (c: number) => new ort.Tensor('float32', Float32Array.of(c), []);
  const int64 = (n: number) => new ort.Tensor('int64', BigInt64Array.of(BigInt(n)), [1]);

  async function combine(terms: readonly { tensor: TensorValue; coefficient: number }[]): Promise<TensorValue> {
    const n = terms.length;
    const feeds: Record<string, { value: TensorValue; type: string } | OrtTensor> = {};
    terms.forEach((t, i) => {
      feeds[`x${i}`] = { value: t.tensor, type: 'float32' };
      feeds[`c${i}`] = scalar(t.coefficient);
    });
    return runHelper(`lincomb${n}`, () => linearCombinationModel(n), feeds);
  }

  return {
    async linearCombination(terms) {
      if (terms.length === 0) throw new NodeRunError('input_mismatch', 'linearCombination needs at least one term');
      checkSameShape('linearCombination', terms.map((t) => t.tensor));
      let acc = await combine(terms.slice(0, MAX_TERMS));
      for (let i = MAX_TERMS; i < terms.length; i += MAX_TERMS - 1) {
        const next = await combine([{ tensor: acc, coefficient: 1 }, ...terms.slice(i, i + MAX_TERMS - 1)]);
        acc.dispose();
        acc = next;
      }
      return acc;
    },
    async concatBatch(tensors) {
      checkConcat(tensors);
      if (tensors.length === 1) return this.sliceBatch(tensors[0], 0, tensors[0].dims[0]);
      const type = elemType(tensors[0]);
      const feeds: Record<string, { value: TensorValue; type: string }> = {};
      tensors.forEach((t, i) => (feeds[`x${i}`] = { value: t, type }));
      return runHelper(`concat${tensors.length}:${type}`, () => concatModel(tensors.length, type), feeds);
    },
    async sliceBatch(tensor, start, count) {
      checkSlice(tensor, start, count);
      const type = elemType(tensor);
      return runHelper(`slice:${type}`, () => sliceModel(type), { x: { value: tensor, type }, starts: int64(start), ends: int64(start + count) });
    },
    async upload(tensor) {
      if (tensor.location === 'gpu') return tensor;
      const type = elemType(tensor);
      return runHelper(`identity:${type}`, () => identityModel(type), { x: { value: tensor, type } });
    },
  };
}
