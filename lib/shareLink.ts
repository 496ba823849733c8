import { Unzlib, strFromU8, strToU8, zlibSync } from 'fflate';
import type { Graph } from '@/engine/graph/document';
import { parseGraphText } from '@/engine/graph/parse';
import { LIMITS, formatMegabytes } from '@/engine/graph/limits';
import { issueToLine, type GraphIssue } from '@/engine/errors';
import type { Registry } from '@/engine/nodeDefinition';

/**
 * Share links carry the whole graph in the URL fragment (`#g=` + base64url of the zlib-compressed
 * JSON). A fragment never reaches a server, so sharing uploads nothing.
 */
export const SHARE_PREFIX = 'g=';

/**
 * The longest link Weft makes, in characters of the whole URL. Chat apps, mail clients and some
 * browsers cut or refuse longer ones; past it the graph is better shared as a file.
 */
export const SHARE_URL_LIMIT = 8 * 1024;

/**
 * The longest link a browser carries whole (Chromium's URL limit is 2 MB; others are lower). A
 * longer fragment has been cut or refused on its way here, so it is refused with that reason.
 */
export const SHARE_OPEN_LIMIT = 2 * 1024 * 1024;

export type ShareLink =
  | { ok: true; url: string; length: number }
  | { ok: false; code: 'too_large'; length: number; message: string };

/** The link that opens `graph`, made from `base` (the page address; its own fragment is dropped). */
export function shareLinkFor(graph: Graph, base: string): ShareLink {
  const url = `${base.split('#')[0]}#${SHARE_PREFIX}${encodeGraph(graph)}`;
  if (url.length > SHARE_URL_LIMIT) {
    return {
      ok: false,
      code: 'too_large',
      length: url.length,
      message: `This graph's link would be ${kb(url.length)}; share links are limited to ${kb(SHARE_URL_LIMIT)} so that chat apps and browsers keep them whole. Save the graph as a file (Save file) and share the file instead.`,
    };
  }
  return { ok: true, url, length: url.length };
}

/** base64url of the compressed graph JSON (compact: the shorter the link, the better). */
export function encodeGraph(graph: Graph): string {
  return toBase64Url(zlibSync(strToU8(JSON.stringify(graph)), { level: 9 }));
}

/** Whether a location hash holds a share link (cheap: the link itself is read in the open worker). */
export function isShareHash(hash: string): boolean {
  return (hash.startsWith('#') ? hash.slice(1) : hash).startsWith(SHARE_PREFIX);
}

export type OpenedShare = { ok: true; graph: Graph; warnings: GraphIssue[] } | { ok: false; lines: string[] };

/**
 * Reads a location hash. Null when it holds no share link; otherwise the graph or sentences
 * that say why it cannot be opened. Never throws.
 */
export function readShareHash(hash: string, registry: Registry): OpenedShare | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!fragment.startsWith(SHARE_PREFIX)) return null;
  const payload = fragment.slice(SHARE_PREFIX.length);
  if (!payload) return { ok: false, lines: ['the link holds no graph after "#g="; it may have been cut off when it was copied'] };
  if (payload.length > SHARE_OPEN_LIMIT) {
    return {
      ok: false,
      lines: [`the link is ${formatMegabytes(payload.length)}; browsers carry links of up to ${formatMegabytes(SHARE_OPEN_LIMIT)} whole, so this one may have been cut on its way: ask for the graph as a file instead`],
    };
  }
  const bytes = fromBase64Url(payload);
  if (!bytes) return { ok: false, lines: ['the link is damaged: it has characters that base64url does not use (was it cut or edited?)'] };
  const text = inflateBounded(bytes, LIMITS.graphChars);
  if (!text.ok) return { ok: false, lines: [text.message] };
  const parsed = parseGraphText(text.value, registry);
  if (!parsed.ok) return { ok: false, lines: parsed.errors.map(issueToLine) };
  return { ok: true, graph: parsed.value, warnings: parsed.warnings };
}

/** Decompresses in small steps so that a crafted link cannot expand past `limit` bytes. */
function inflateBounded(bytes: Uint8Array, limit: number): { ok: true; value: string } | { ok: false; message: string } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  let done = false;
  const stream = new Unzlib((chunk, final) => {
    total += chunk.length;
    if (total > limit) tooBig = true;
    else parts.push(chunk);
    if (final) done = true;
  });
  try {
    const STEP = 512;
    for (let i = 0; i < bytes.length && !tooBig; i += STEP) stream.push(bytes.subarray(i, i + STEP), i + STEP >= bytes.length);
  } catch (err) {
    return { ok: false, message: `the link is damaged: its graph data does not decompress (${err instanceof Error ? err.message : String(err)}); it may have been cut off when it was copied` };
  }
  if (tooBig) return { ok: false, message: `the link's graph is larger than ${formatMegabytes(limit)} once decompressed; graphs are limited to that` };
  if (!done) return { ok: false, message: 'the link is damaged: its graph data ends early; it may have been cut off when it was copied' };
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { ok: true, value: strFromU8(out) };
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function kb(chars: number): string {
  return `${(chars / 1024).toFixed(1)} KB`;
}
