import { buildModel, ONNX_DTYPE, type OnnxDType } from './onnxProto';

/**
 * The helper models behind TensorOps on a GPU backend. Each is a handful of bytes, built once
 * and cached as a session, with dynamic shapes so one model serves every latent size.
 */

/** y = Σ c_i · x_i over `n` float32 tensors; each c_i is a scalar float32 input. */
export function linearCombinationModel(n: number): Uint8Array {
  const nodes = [];
  const inputs = [];
  for (let i = 0; i < n; i++) {
    inputs.push({ name: `x${i}`, dtype: 'float32' as const }, { name: `c${i}`, dtype: 'float32' as const, shape: [] });
    nodes.push({ op: 'Mul', inputs: [`x${i}`, `c${i}`], outputs: [n === 1 ? 'y' : `m${i}`] });
  }
  if (n > 1) nodes.push({ op: 'Sum', inputs: Array.from({ length: n }, (_, i) => `m${i}`), outputs: ['y'] });
  return buildModel({ name: `weft_lincomb_${n}`, nodes, inputs, outputs: [{ name: 'y', dtype: 'float32' }] });
}

/** Concatenates `n` tensors along axis 0. */
export function concatModel(n: number, dtype: OnnxDType): Uint8Array {
  const names = Array.from({ length: n }, (_, i) => `x${i}`);
  return buildModel({
    name: `weft_concat_${n}`,
    nodes: [{ op: 'Concat', inputs: names, outputs: ['y'], attributes: { axis: { i: 0 } } }],
    inputs: names.map((name) => ({ name, dtype })),
    outputs: [{ name: 'y', dtype }],
  });
}

/** y = x[starts:ends] along axis 0; `starts` and `ends` are int64 [1] inputs. */
export function sliceModel(dtype: OnnxDType): Uint8Array {
  return buildModel({
    name: 'weft_slice',
    nodes: [{ op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    inputs: [
      { name: 'x', dtype },
      { name: 'starts', dtype: 'int64', shape: [1] },
      { name: 'ends', dtype: 'int64', shape: [1] },
    ],
    outputs: [{ name: 'y', dtype }],
    initializers: [{ name: 'axes', dtype: 'int64', dims: [1], values: [0] }],
  });
}

/** y = x (used to move CPU data onto the device). */
export function identityModel(dtype: OnnxDType): Uint8Array {
  return buildModel({
    name: 'weft_identity',
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    inputs: [{ name: 'x', dtype }],
    outputs: [{ name: 'y', dtype }],
  });
}

/** y = Cast(x) from one element type to another, on the device. */
export function castModel(from: OnnxDType, to: OnnxDType): Uint8Array {
  return buildModel({
    name: `weft_cast_${from}_${to}`,
    nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attributes: { to: { i: ONNX_DTYPE[to] } } }],
    inputs: [{ name: 'x', dtype: from }],
    outputs: [{ name: 'y', dtype: to }],
  });
}

