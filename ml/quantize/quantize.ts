/**
 * Smaller copies of an ONNX model, rewritten in place of its protobuf (no schema library):
 *
 * - `fp16`: every float32 weight of 256 elements or more is stored as float16 and widened back by a
 *   Cast node in front of its users. Half the bytes to download and store; inputs, outputs and the
 *   arithmetic stay float32 (ONNX Runtime folds the Casts when the session is made).
 * - `int8`: the weight of every MatMul, Gemm and Conv is stored as int8 with one float scale per
 *   output channel (symmetric, zero point 0) and a DequantizeLinear node in front of its users:
 *   a quarter of the bytes, weight-only (activations stay float32).
 *
 * Both keep every input and output name, type and shape, so a quantized UNet drops in where the
 * original was. Weights kept as external data (`model.onnx_data`) are not rewritten: the model is
 * refused with that reason.
 */
import { walkFields } from '@/ml/runtime/protoRead';
import { readTensorProto, type TensorProtoSpan } from '@/ml/runtime/tensorProto';
import { looksLikeOrt } from '@/ml/runtime/files';
import { weightTargets } from '@/ml/lora/onnxWeights';
import { f32ToF16Bits, f16BitsToF32 } from '@/ml/runtime/float16';

export type QuantizeTo = 'fp16' | 'int8';

export interface QuantizeReport {
  readonly to: QuantizeTo;
  /** Weights rewritten, and the bytes of the model file before and after. */
  readonly tensors: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Largest |w − w′| over all rewritten weights, relative to that tensor's largest |w|. */
  readonly maxRelativeError: number;
}

export type QuantizeResult = { ok: true; model: Uint8Array; report: QuantizeReport } | { ok: false; message: string };

const FLOAT = 1;
const INT8 = 3;
const FLOAT16 = 10;
const MIN_ELEMENTS = 256;

interface Initializer extends TensorProtoSpan {
  /** The field's whole span in the graph message (tag included), to drop it. */
  span: [number, number];
}

/** Protobuf output as a list of byte chunks (weights are copied once, not byte by byte). */
class Out {
  readonly parts: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.size += b.length;
  }
  varint(v: number): void {
    const bytes: number[] = [];
    while (v >= 0x80) {
      bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    bytes.push(v);
    this.push(Uint8Array.from(bytes));
  }
  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }
  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (o: Out) => void): void {
    const o = new Out();
    build(o);
    this.tag(field, 2);
    this.varint(o.size);
    for (const p of o.parts) this.push(p);
  }
  finish(): Uint8Array {
    const b = new Uint8Array(this.size);
    let p = 0;
    for (const part of this.parts) {
      b.set(part, p);
      p += part.length;
    }
    return b;
  }
}

const dec = new TextDecoder();

function readInitializer(b: Uint8Array, s: number, e: number, span: [number, number]): Initializer {
  return { ...readTensorProto(b, s, e), span };
}

function floatsOf(b: Uint8Array, t: Initializer): Float32Array | undefined {
  const span = t.raw ?? t.floatData;
  if (!span) return undefined;
  const n = t.dims.reduce((a, d) => a * d, 1);
  if (span[1] - span[0] !== n * 4) return undefined;
  const copy = new Uint8Array(span[1] - span[0]); // a copy (a Node Buffer's slice() is a view), aligned for floats
  copy.set(b.subarray(span[0], span[1]));
  return new Float32Array(copy.buffer, 0, n);
}

function tensor(o: Out, name: string, dims: readonly number[], dataType: number, raw: Uint8Array): void {
  for (const d of dims) o.int(1, d);
  o.int(2, dataType);
  o.string(8, name);
  o.bytes(9, raw);
}

function node(o: Out, op: string, inputs: readonly string[], output: string, axis?: number): void {
  for (const i of inputs) o.string(1, i);
  o.string(2, output);
  o.string(3, `weft_${op}_${output}`);
  o.string(4, op);
  if (axis !== undefined)
    o.message(5, (a) => {
      a.string(1, 'axis');
      a.int(3, axis);
      a.int(20, 2); // AttributeProto.INT
    });
}

/** A quantized copy of an ONNX model; `{ ok: false }` with the reason for a model it cannot rewrite. */
export function quantizeModel(model: Uint8Array, to: QuantizeTo): QuantizeResult {
  if (looksLikeOrt(model)) return { ok: false, message: "it is in ONNX Runtime's own format (.ort), which keeps no ONNX graph to rewrite; quantize its .onnx" };
  let graph: [number, number] | undefined;
  let opset = 0;
  try {
    walkFields(model, 0, model.length, (field, wire, s, e) => {
      if (field === 7 && wire === 2) graph = [s, e];
      if (field === 8 && wire === 2) {
        let domain = '';
        let version = 0;
        walkFields(model, s, e, (f, w, fs, fe, v) => {
          if (f === 1 && w === 2) domain = dec.decode(model.subarray(fs, fe));
          if (f === 2 && w === 0) version = v;
        });
        if (domain === '' || domain === 'ai.onnx') opset = version;
      }
    });
  } catch (err) {
    return { ok: false, message: `not an ONNX model: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!graph) return { ok: false, message: 'not an ONNX model: it has no graph' };
  if (to === 'int8' && opset < 13) return { ok: false, message: `int8 needs per-channel DequantizeLinear (opset 13 or later); this model is opset ${opset}` };

  const inits: Initializer[] = [];
  const graphInputs = new Set<string>();
  const [gs, ge] = graph;
  // Fields lie end to end: each one's tag starts where the one before it ended.
  let fieldStart = gs;
  walkFields(model, gs, ge, (field, wire, s, e) => {
    const start = fieldStart;
    fieldStart = e;
    if (wire !== 2) return;
    if (field === 5) inits.push(readInitializer(model, s, e, [start, e]));
    if (field === 11) {
      walkFields(model, s, e, (f, w, fs, fe) => {
        if (f === 1 && w === 2) graphInputs.add(dec.decode(model.subarray(fs, fe)));
      });
    }
  });
  if (inits.some((t) => t.external)) return { ok: false, message: 'its weights are kept as external data (model.onnx_data); quantize the export before splitting its weights out, or use an fp16 export' };

  // int8: only the weights of MatMul / Gemm / Conv, with the axis of their output channels.
  const axisOf = new Map<string, number>();
  if (to === 'int8') for (const w of weightTargets(model)) if (w.dtype === 'float32') axisOf.set(w.tensor, w.layout === 'in-out' ? 1 : 0);

  const chosen = inits.filter((t) => {
    if (t.dataType !== FLOAT || graphInputs.has(t.name)) return false;
    const n = t.dims.reduce((a, d) => a * d, 1);
    return n >= MIN_ELEMENTS && (to === 'fp16' || axisOf.has(t.name));
  });
  const replaced = new Set(chosen.map((t) => t.span[0]));
  const nodes = new Out();
  const tensors = new Out();
  let maxRelativeError = 0;
  let count = 0;
  for (const t of chosen) {
    const w = floatsOf(model, t);
    if (!w) {
      replaced.delete(t.span[0]);
      continue;
    }
    let peak = 0;
    for (const v of w) peak = Math.max(peak, Math.abs(v));
    let err = 0;
    if (to === 'fp16') {
      const h = new Uint16Array(w.length);
      for (let i = 0; i < w.length; i++) {
        h[i] = f32ToF16Bits(w[i]);
        err = Math.max(err, Math.abs(f16BitsToF32(h[i]) - w[i]));
      }
      tensors.message(5, (o) => tensor(o, `${t.name}__fp16`, t.dims, FLOAT16, new Uint8Array(h.buffer)));
      nodes.message(1, (o) => {
        node(o, 'Cast', [`${t.name}__fp16`], t.name);
        o.message(5, (a) => {
          a.string(1, 'to');
          a.int(3, FLOAT);
          a.int(20, 2);
        });
      });
    } else {
      const axis = axisOf.get(t.name)!;
      const channels = t.dims[axis];
      const inner = t.dims.slice(axis + 1).reduce((a, d) => a * d, 1);
      const scale = new Float32Array(channels);
      for (let i = 0; i < w.length; i++) {
        const c = Math.floor(i / inner) % channels;
        scale[c] = Math.max(scale[c], Math.abs(w[i]));
      }
      for (let c = 0; c < channels; c++) scale[c] = scale[c] > 0 ? scale[c] / 127 : 1;
      const q = new Int8Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const s = scale[Math.floor(i / inner) % channels];
        q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / s)));
        err = Math.max(err, Math.abs(q[i] * s - w[i]));
      }
      tensors.message(5, (o) => tensor(o, `${t.name}__int8`, t.dims, INT8, new Uint8Array(q.buffer)));
      tensors.message(5, (o) => tensor(o, `${t.name}__scale`, [channels], FLOAT, new Uint8Array(scale.buffer)));
      tensors.message(5, (o) => tensor(o, `${t.name}__zero`, [channels], INT8, new Uint8Array(channels)));
      nodes.message(1, (o) => node(o, 'DequantizeLinear', [`${t.name}__int8`, `${t.name}__scale`, `${t.name}__zero`], t.name, axis));
    }
    if (peak > 0) maxRelativeError = Math.max(maxRelativeError, err / peak);
    count++;
  }
  if (count === 0) return { ok: false, message: to === 'int8' ? 'it has no float32 MatMul, Gemm or Conv weights to quantize' : 'it has no float32 weights to store as float16' };

  // The new graph: the widening nodes first (they read only initializers, so the node list stays in
  // topological order), then every original field but the replaced weights, then the new weights.
  const g = new Out();
  for (const p of nodes.parts) g.push(p);
  let p = gs;
  const spans = inits.filter((t) => replaced.has(t.span[0])).map((t) => t.span).sort((a, b) => a[0] - b[0]);
  for (const [s, e] of spans) {
    if (s > p) g.push(model.subarray(p, s));
    p = e;
  }
  if (ge > p) g.push(model.subarray(p, ge));
  for (const part of tensors.parts) g.push(part);

  const out = new Out();
  let start = 0;
  walkFields(model, 0, model.length, (field, wire, s, e) => {
    const from = start;
    start = e;
    if (field === 7 && wire === 2) {
      out.tag(7, 2);
      out.varint(g.size);
      for (const part of g.parts) out.push(part);
      return;
    }
    out.push(model.subarray(from, e)); // every other field as it was, tag and all
  });
  out.message(14, (m) => {
    m.string(1, 'weft_quantized');
    m.string(2, to === 'fp16' ? 'float16 weights, widened to float32 by Cast' : 'int8 weights, per output channel, symmetric; DequantizeLinear');
  });
  const bytes = out.finish();
  return { ok: true, model: bytes, report: { to, tensors: count, bytesBefore: model.length, bytesAfter: bytes.length, maxRelativeError } };
}
