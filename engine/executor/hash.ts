/**
 * A fast non-cryptographic 64-bit string hash (cyrb53's mixing, both halves kept), as 16 hex
 * characters. Signatures hash their parts so they stay the same length however deep a graph is.
 */
export function hash64(text: string): string {
  return new Hasher().add(text).digest();
}

/** The same hash fed piece by piece, so callers need not build (and flatten) one long string. */
export class Hasher {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  add(text: string): this {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }

  digest(): string {
    return digest(this.h1, this.h2);
  }
}

function digest(h1: number, h2: number): string {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Hex by hand: Number#toString(16) is slow in V8, and this runs once per node per run.
  return String.fromCharCode(
    HEX[(h2 >>> 28) & 15], HEX[(h2 >>> 24) & 15], HEX[(h2 >>> 20) & 15], HEX[(h2 >>> 16) & 15],
    HEX[(h2 >>> 12) & 15], HEX[(h2 >>> 8) & 15], HEX[(h2 >>> 4) & 15], HEX[h2 & 15],
    HEX[(h1 >>> 28) & 15], HEX[(h1 >>> 24) & 15], HEX[(h1 >>> 20) & 15], HEX[(h1 >>> 16) & 15],
    HEX[(h1 >>> 12) & 15], HEX[(h1 >>> 8) & 15], HEX[(h1 >>> 4) & 15], HEX[h1 & 15],
  );
}

const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** JSON with object keys sorted, so equal params give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return out + ']';
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
    first = false;
  }
  return out + '}';
}
