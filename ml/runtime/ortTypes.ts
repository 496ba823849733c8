import type * as Ort from 'onnxruntime-common';

/** The parts of an ONNX Runtime module the runtime uses: onnxruntime-web, -web/webgpu or -node. */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor' | 'env'>;
export type OrtTensor = Ort.Tensor;
export type OrtSession = Ort.InferenceSession;
export type OrtSessionOptions = Ort.InferenceSession.SessionOptions;

/** Duck-typed: tensors of two ORT module copies are both accepted. */
export function isOrtTensor(x: unknown): x is OrtTensor {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Partial<OrtTensor>;
  return typeof t.type === 'string' && Array.isArray(t.dims) && typeof t.location === 'string' && typeof t.getData === 'function' && typeof t.dispose === 'function';
}

/** Where ORT keeps data that is not plain CPU memory. */
export function isDeviceLocation(location: string): boolean {
  return location === 'gpu-buffer' || location === 'ml-tensor' || location === 'texture';
}
export type OrtValueMetadata = Ort.InferenceSession.ValueMetadata;
