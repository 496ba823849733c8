/**
 * A minimal ONNX protobuf writer: just enough of ModelProto / GraphProto / NodeProto /
 * ValueInfoProto / TensorProto to build the tiny helper models the runtime executes on the
 * backend's own execution provider (element-wise maths on the GPU), generated at runtime so
 * nothing extra ships. Field numbers follow onnx/onnx.proto.
 */

export const ONNX_DTYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 } as const;
export type OnnxDType = keyof typeof ONNX_DTYPE;

class Writer {
  private readonly parts: number[] = [];

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }
  tag(field: number, wire: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, value: number | bigint): void {
    this.tag(field, 0);
    this.varint(value);
  }
  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    for (const b of data) this.parts.push(b);
  }
  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }
  float(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    for (const x of b) this.parts.push(x);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export type AttrValue = { f: number } | { i: number } | { ints: readonly number[] } | { s: string };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttrValue>>;
  /** The node's name (default `<op>_<index>`); exporters write module paths here, e.g. `/a/b/MatMul`. */
  name?: string;
}

export interface ValueSpec {
  name: string;
  dtype: OnnxDType;
  /** Omitted: unknown rank (fully dynamic). Strings are symbolic dims. */
  shape?: readonly (number | string)[];
}

export interface InitializerSpec {
  name: string;
  dtype: 'float32' | 'int64' | 'float16';
  dims: readonly number[];
  /** The values (float16 as its 16-bit patterns); absent when the data is external. */
  values?: readonly number[];
  /**
   * Data kept in a file beside the model (ONNX external data: `model.onnx` + `model.onnx_data`),
   * as exporters write models past protobuf's 2 GB: a path relative to the model, a byte offset and length.
   */
  external?: { location: string; offset: number; length: number };
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  initializers?: readonly InitializerSpec[];
  opset?: number;
}

function writeValueInfo(w: Writer, v: ValueSpec): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPE[v.dtype]);
      if (v.shape) {
        const shape = v.shape;
        tensor.message(2, (s) => {
          for (const d of shape) s.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}

function writeAttribute(w: Writer, name: string, a: AttrValue): void {
  w.string(1, name);
  if ('f' in a) {
    w.float(2, a.f);
    w.int(20, 1);
  } else if ('i' in a) {
    w.int(3, a.i);
    w.int(20, 2);
  } else if ('s' in a) {
    w.string(4, a.s);
    w.int(20, 3);
  } else {
    for (const x of a.ints) w.int(8, x);
    w.int(20, 7);
  }
}

function writeInitializer(w: Writer, t: InitializerSpec): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, ONNX_DTYPE[t.dtype]);
  w.string(8, t.name);
  if (t.external) {
    const entries: [string, string][] = [
      ['location', t.external.location],
      ['offset', String(t.external.offset)],
      ['length', String(t.external.length)],
    ];
    for (const [k, v] of entries)
      w.message(13, (e) => {
        e.string(1, k);
        e.string(2, v);
      });
    w.int(14, 1); // data_location: EXTERNAL
    return;
  }
  const values = t.values ?? [];
  const raw = t.dtype === 'float32' ? new Float32Array(values) : t.dtype === 'float16' ? Uint16Array.from(values) : BigInt64Array.from(values, (v) => BigInt(v));
  w.bytes(9, new Uint8Array(raw.buffer)); // raw_data, little-endian
}

/** Serialises a ModelProto (IR version 8, default-domain opset 17 unless told). */
export function buildModel(spec: GraphSpec): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version first: an ONNX file starts with 0x08
  w.string(2, 'weft');
  w.message(7, (g) => {
    spec.nodes.forEach((n, i) =>
      g.message(1, (node) => {
        for (const x of n.inputs) node.string(1, x);
        for (const x of n.outputs) node.string(2, x);
        node.string(3, n.name ?? `${n.op.toLowerCase()}_${i}`);
        node.string(4, n.op);
        for (const [k, a] of Object.entries(n.attributes ?? {})) node.message(5, (attr) => writeAttribute(attr, k, a));
      }),
    );
    g.string(2, spec.name);
    for (const t of spec.initializers ?? []) g.message(5, (x) => writeInitializer(x, t));
    for (const v of spec.inputs) g.message(11, (x) => writeValueInfo(x, v));
    for (const v of spec.outputs) g.message(12, (x) => writeValueInfo(x, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, spec.opset ?? 17);
  });
  return w.finish();
}
