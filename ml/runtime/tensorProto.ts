/**
 * One ONNX TensorProto read where it lies (no copy): its name, dims, element type and where its
 * element bytes are (raw_data, float_data, or an external data file). Shared by the readers that
 * rewrite or patch a model's weights (LoRA, quantization).
 */
import { varint, walkFields } from './protoRead';

export interface TensorProtoSpan {
  name: string;
  dims: number[];
  /** TensorProto.DataType: 1 float32, 3 int8, 10 float16, … */
  dataType: number;
  /** raw_data's byte span in the model file. */
  raw?: [number, number];
  /** float_data's (packed) byte span. */
  floatData?: [number, number];
  /** Set when data_location is EXTERNAL; `location` is empty when no entry named it. */
  external?: { location: string; offset: number; length: number };
}

const dec = new TextDecoder();

/** Reads the TensorProto in `b[start, end)`. */
export function readTensorProto(b: Uint8Array, start: number, end: number): TensorProtoSpan {
  const t: TensorProtoSpan = { name: '', dims: [], dataType: 0 };
  const ext = new Map<string, string>();
  let externalFlag = false;
  walkFields(b, start, end, (f, w, s, e, v) => {
    if (f === 1) {
      if (w === 0) t.dims.push(v);
      else if (w === 2) {
        // packed dims
        for (let p = s; p < e; ) {
          const [x, q] = varint(b, p);
          t.dims.push(x);
          p = q;
        }
      }
    } else if (f === 2 && w === 0) t.dataType = v;
    else if (f === 8 && w === 2) t.name = dec.decode(b.subarray(s, e));
    else if (f === 9 && w === 2) t.raw = [s, e];
    else if (f === 4 && w === 2) t.floatData = [s, e];
    else if (f === 14 && w === 0 && v === 1) externalFlag = true;
    else if (f === 13 && w === 2) {
      let key = '';
      let value = '';
      walkFields(b, s, e, (kf, kw, ks, ke) => {
        if (kw !== 2) return;
        if (kf === 1) key = dec.decode(b.subarray(ks, ke));
        else if (kf === 2) value = dec.decode(b.subarray(ks, ke));
      });
      ext.set(key, value);
    }
  });
  const location = ext.get('location');
  if (location || externalFlag) t.external = { location: location ?? '', offset: Number(ext.get('offset') ?? 0), length: Number(ext.get('length') ?? NaN) };
  return t;
}
