/** Bytes of a base64 string (whitespace and a `data:…,` prefix are ignored). */
export function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text.replace(/^data:[^,]*,/, '').replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
