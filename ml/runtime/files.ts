import { NodeRunError } from '@/engine/errors';
import { sha256Hex } from './sha256';
import type { FileAccess, ModelRef, SourceUri } from './types';

export type ParsedSource =
  | { readonly scheme: 'shipped'; readonly name: string }
  | { readonly scheme: 'store'; readonly id: string }
  | { readonly scheme: 'dir'; readonly path: string }
  | { readonly scheme: 'url'; readonly url: string };

/** `shipped:shapes-v1`, `store:<id>`, `dir:/abs/path`, `url:https://…`. */
export function parseSource(source: SourceUri): ParsedSource {
  const colon = source.indexOf(':');
  const scheme = colon > 0 ? source.slice(0, colon) : '';
  const rest = source.slice(colon + 1);
  if (scheme === 'shipped' && /^[A-Za-z0-9._-]+$/.test(rest) && !rest.startsWith('.')) return { scheme, name: rest };
  if (scheme === 'store' && rest.length > 0) return { scheme, id: rest };
  if (scheme === 'dir' && rest.startsWith('/')) return { scheme, path: rest };
  if (scheme === 'url' && /^https?:\/\//i.test(rest)) return { scheme, url: rest };
  throw new NodeRunError(
    'bad_source',
    `'${source}' is not a model source; use shipped:<name>, store:<id>, dir:/absolute/path or url:https://…`,
  );
}

/**
 * A path inside a source, normalised (`./a//b` -> `a/b`). Absolute paths, `..` and backslashes
 * are refused so a source can never reach outside itself.
 */
export function safeRelativePath(source: SourceUri, path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0') || parts.length === 0 || parts.some((p) => p === '..')) {
    throw new NodeRunError('bad_path', `'${path}' is not a file path inside ${source}; use a relative path without '..'`);
  }
  return parts.join('/');
}

export interface ManifestFile {
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ShippedManifest {
  readonly name: string;
  readonly files: readonly ManifestFile[];
}

export function parseManifest(source: SourceUri, bytes: Uint8Array): ShippedManifest {
  try {
    const m = JSON.parse(new TextDecoder().decode(bytes)) as ShippedManifest;
    if (!Array.isArray(m.files)) throw new Error('no "files" list');
    return m;
  } catch (err) {
    throw new NodeRunError('corrupt_model', `manifest.json of ${source} is unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An ORT-format model (flatbuffers) carries the file identifier "ORTM" at bytes 4-7. */
export function looksLikeOrt(head: Uint8Array): boolean {
  return head.length >= 8 && head[4] === 0x4f && head[5] === 0x52 && head[6] === 0x54 && head[7] === 0x4d;
}

/**
 * A model folder's file in ONNX Runtime's own format that stands in for its `model.onnx`
 * (`unet/model.onnx` -> `unet/model.ort`; it loads faster, see tools/ortFormat.ts); undefined for
 * any other name. Pipeline folders, folder imports and shipped suites all follow this one rule.
 */
export function ortSibling(path: string): string | undefined {
  return /(^|\/)model\.onnx$/.test(path) ? path.replace(/\.onnx$/, '.ort') : undefined;
}

/**
 * A shipped suite's file by path. A model the suite ships as `model.ort` also answers to its
 * ONNX name (`model.onnx`), so graphs that name the .onnx keep working.
 */
export function manifestEntry(manifest: ShippedManifest, path: string): ManifestFile | undefined {
  const find = (file: string | undefined) => manifest.files.find((f) => f.file === file);
  return find(path) ?? find(ortSibling(path));
}

/** Checks bytes against a known sha256 (and size): a mismatch names the file and both hashes. */
export async function verifyBytes(where: string, bytes: Uint8Array, expected: { sha256: string; size?: number }): Promise<string> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected.sha256.toLowerCase() || (expected.size !== undefined && expected.size !== bytes.length)) {
    throw new NodeRunError(
      'corrupt_model',
      `${where} is corrupt or was replaced: sha256 ${actual} (${bytes.length} bytes) but expected ${expected.sha256}${expected.size !== undefined ? ` (${expected.size} bytes)` : ''}; reload or re-import the model`,
    );
  }
  return actual;
}

export type ReadOptions = Parameters<FileAccess['read']>[2];

/**
 * Shipped-suite access over a raw reader: reads `manifest.json` once per suite and verifies every
 * listed file's size and sha256 before handing its bytes out.
 */
export function createShippedReader(readRaw: (name: string, path: string, options?: ReadOptions) => Promise<Uint8Array>) {
  const manifests = new Map<string, Promise<ShippedManifest>>();
  function manifest(name: string): Promise<ShippedManifest> {
    let m = manifests.get(name);
    if (!m) {
      m = readRaw(name, 'manifest.json').then((b) => parseManifest(`shipped:${name}`, b));
      m.catch(() => manifests.delete(name));
      manifests.set(name, m);
    }
    return m;
  }
  return {
    manifest,
    /** Whether the suite ships the file (manifest.json included). */
    async has(name: string, path: string): Promise<boolean> {
      return path === 'manifest.json' || manifestEntry(await manifest(name), path) !== undefined;
    },
    async read(name: string, path: string, options?: ReadOptions): Promise<Uint8Array> {
      const entry = path === 'manifest.json' ? undefined : manifestEntry(await manifest(name), path);
      const bytes = await readRaw(name, entry?.file ?? path, options);
      if (entry) await verifyBytes(`${path} of shipped:${name}`, bytes, entry);
      return bytes;
    },
  };
}

/** Gives a shipped model its sha256 from the suite's manifest (the session cache key). */
export async function withShippedHash(files: FileAccess, ref: ModelRef): Promise<ModelRef> {
  if (ref.sha256) return ref;
  const parsed = parseSource(ref.source);
  if (parsed.scheme !== 'shipped') return ref;
  const manifest = parseManifest(ref.source, await files.read(ref.source, 'manifest.json'));
  const entry = manifestEntry(manifest, safeRelativePath(ref.source, ref.path));
  return entry ? { ...ref, sha256: entry.sha256 } : ref;
}

export function missingFile(source: SourceUri, path: string, why?: string): NodeRunError {
  return new NodeRunError('file_missing', `${source} has no file '${path}'${why ? ` (${why})` : ''}`);
}
