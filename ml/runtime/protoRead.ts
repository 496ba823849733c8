/**
 * Reading protobuf (ONNX's ModelProto) without a schema library: walks the fields of a message in
 * place, never copying the bytes it skips (raw weights). Every length is checked against the end
 * of its message, so a hostile or truncated file throws a plain Error instead of reading past it.
 */

/** Calls `onLen` for each length-delimited field of the message in [start, end); skips the rest. */
export function walkMessage(b: Uint8Array, start: number, end: number, onLen: (field: number, start: number, end: number) => void): void {
  walkFields(b, start, end, (field, wire, s, e) => {
    if (wire === 2) onLen(field, s, e);
  });
}

/**
 * Calls `onField` for every field of the message in [start, end): its number, wire type and the
 * bytes it spans ([s, e): the payload of a length-delimited field; the value's bytes otherwise),
 * and for varints the value.
 */
export function walkFields(b: Uint8Array, start: number, end: number, onField: (field: number, wire: number, start: number, end: number, value: number) => void): void {
  let p = start;
  while (p < end) {
    const [tag, q] = varint(b, p);
    p = q;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [v, r] = varint(b, p);
      onField(field, wire, p, r, v);
      p = r;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (p + size > end) throw new Error('a field runs past the end of its message');
      onField(field, wire, p, p + size, 0);
      p += size;
    } else if (wire === 2) {
      const [len, r] = varint(b, p);
      if (r + len > end) throw new Error('a field runs past the end of its message');
      onField(field, wire, r, r + len, len);
      p = r + len;
    } else throw new Error(`unknown protobuf wire type ${wire}`);
  }
  if (p > end) throw new Error('a field runs past the end of its message');
}

/** One varint at p: its value (as a double: exact to 2^53) and the position after it. */
export function varint(b: Uint8Array, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= b.length) throw new Error('the file ends inside a number');
    const byte = b[p++];
    v += (byte & 0x7f) * mul;
    if (byte < 0x80) return [v, p];
    mul *= 128;
  }
  throw new Error('a number is longer than 10 bytes');
}
