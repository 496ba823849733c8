import { walkMessage } from './protoRead';
import { looksLikeOrt } from './files';

/**
 * The files an ONNX model keeps its weights in beside itself ("external data": `model.onnx` +
 * `model.onnx_data`, or one `weights.pb`), as exporters write models past protobuf's 2 GB limit.
 * Reads only the protobuf structure: ModelProto.graph (7) → GraphProto.initializer (5) →
 * TensorProto.external_data (13) entries whose key is `location`, and tensors in Constant nodes'
 * attributes and subgraphs the same way. Raw weight bytes are skipped, never copied.
 */
export function externalDataLocations(bytes: Uint8Array): string[] {
  return [...externalData(bytes).locations];
}

/**
 * The external files and the bytes of weights they hold (the sum of the tensors' `length` entries),
 * and the largest single tensor (external or inside the file): one GPU buffer holds it on WebGPU.
 */
export function externalData(bytes: Uint8Array): ExternalData {
  const found: Found = { locations: new Set(), bytes: 0, largest: { name: '', bytes: 0 } };
  // ONNX Runtime's own format (.ort, a flatbuffer tagged "ORTM") holds its weights itself.
  if (looksLikeOrt(bytes)) return found;
  try {
    walkMessage(bytes, 0, bytes.length, (field, start, end) => {
      if (field === 7) graph(bytes, start, end, found, 0);
    });
  } catch {
    // Not a readable ONNX protobuf: ONNX Runtime says what is wrong with it when it tries to load it.
    return { locations: new Set(), bytes: 0, largest: { name: '', bytes: 0 } };
  }
  return found;
}

export interface ExternalData {
  locations: Set<string>;
  bytes: number;
  largest: { name: string; bytes: number };
}
type Found = ExternalData;

const dec = new TextDecoder();

function graph(b: Uint8Array, start: number, end: number, found: Found, depth: number): void {
  if (depth > 8) return;
  walkMessage(b, start, end, (field, s, e) => {
    if (field === 5) tensor(b, s, e, found);
    else if (field === 1) node(b, s, e, found, depth);
  });
}

function node(b: Uint8Array, start: number, end: number, found: Found, depth: number): void {
  walkMessage(b, start, end, (field, s, e) => {
    if (field !== 5) return; // AttributeProto
    walkMessage(b, s, e, (f, as, ae) => {
      if (f === 5 || f === 10) tensor(b, as, ae, found); // t, tensors
      else if (f === 6 || f === 11) graph(b, as, ae, found, depth + 1); // g, graphs
    });
  });
}

function tensor(b: Uint8Array, start: number, end: number, found: Found): void {
  let name = '';
  let size = 0;
  walkMessage(b, start, end, (field, s, e) => {
    if (field === 8) name = dec.decode(b.subarray(s, e));
    else if (field === 9) size = e - s; // raw_data
    if (field !== 13) return;
    let key = '';
    let value = '';
    walkMessage(b, s, e, (f, ks, ke) => {
      if (f === 1) key = dec.decode(b.subarray(ks, ke));
      else if (f === 2) value = dec.decode(b.subarray(ks, ke));
    });
    if (key === 'location' && value) found.locations.add(value);
    else if (key === 'length' && /^\d+$/.test(value)) {
      found.bytes += Number(value);
      size = Number(value);
    }
  });
  if (size > found.largest.bytes) found.largest = { name, bytes: size };
}
