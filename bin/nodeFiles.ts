import { open, readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeRunError } from '@/engine/errors';
import { createShippedReader, missingFile, parseSource, safeRelativePath, type ReadOptions } from '@/ml/runtime/files';
import type { FileAccess, SourceUri } from '@/ml/runtime/types';
import { fetchBytes } from '@/ml/runtime/fetchBytes';
import { confinedPath, netAllowed, type SourcePolicy } from './sourcePolicy';
import type { LocalFiles } from '@/nodes/loadTensor';

/** The repository root (this file lives in bin/). */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface NodeFilesOptions {
  /** Folder holding the shipped suites; default <repo>/public/models. */
  shippedRoot?: string;
  /**
   * Where dir: sources may reach and whether url: sources may be fetched (the CLI always passes
   * one). Without it every folder is readable and url: sources are refused: for the repository's
   * own tests and benches only.
   */
  policy?: SourcePolicy;
}

/** Joins a checked relative path under a base folder, refusing anything that escapes it. */
function inside(base: string, source: SourceUri, path: string): string {
  const full = resolve(base, safeRelativePath(source, path));
  if (!full.startsWith(resolve(base) + sep)) throw new NodeRunError('bad_path', `'${path}' leaves ${source}`);
  return full;
}

/** Read at a time: Node's readFile refuses files over 2 GiB, and a real UNet's weights are 3.4 GB. */
const READ_SLICE = 256 * 1024 * 1024;

/** A whole file, read in slices into one array (up to the 4 GiB a typed array holds), with progress. */
async function readWhole(full: string, options?: ReadOptions): Promise<Uint8Array> {
  const handle = await open(full, 'r');
  try {
    const size = (await handle.stat()).size;
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      if (options?.signal?.aborted) throw new NodeRunError('cancelled', 'cancelled');
      const { bytesRead } = await handle.read(out, at, Math.min(READ_SLICE, size - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      options?.onProgress?.(at, size);
    }
    if (size === 0) options?.onProgress?.(0, 0);
    return at === size ? out : out.subarray(0, at);
  } finally {
    await handle.close();
  }
}

async function readDisk(source: SourceUri, full: string, path: string, options?: ReadOptions): Promise<Uint8Array> {
  if (options?.signal?.aborted) throw new NodeRunError('cancelled', 'cancelled');
  try {
    return await readWhole(full, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw missingFile(source, path);
    if ((err as Error).name === 'AbortError') throw new NodeRunError('cancelled', 'cancelled');
    throw new NodeRunError('file_unreadable', `cannot read '${path}' of ${source}: ${(err as Error).message}`);
  }
}

/** File access for the CLI: shipped suites from public/models (verified by manifest), dir: from disk. */
export function createNodeFiles(options: NodeFilesOptions = {}): FileAccess {
  const shippedRoot = options.shippedRoot ?? resolve(REPO_ROOT, 'public', 'models');
  const shipped = createShippedReader((name, path, opts) => {
    const source = `shipped:${name}`;
    return readDisk(source, inside(resolve(shippedRoot, name), source, path), path, opts);
  });

  const policy = options.policy;
  const allowedFetch = policy ? fetchWithin(policy) : fetch;
  function locate(source: SourceUri, path: string): { full: string } | { shipped: string } | { url: string } {
    const parsed = parseSource(source);
    switch (parsed.scheme) {
      case 'shipped':
        return { shipped: parsed.name };
      case 'dir': {
        const full = inside(parsed.path, source, path);
        // The folder and the file, symlinks resolved, stay within what the user allowed.
        if (policy) return { full: confinedPath(policy, full, `'${path}' of ${source}`) };
        return { full };
      }
      case 'store':
        throw new NodeRunError('bad_source', `${source} is a model imported in the browser; the CLI reads shipped:, dir: and url: sources`);
      case 'url': {
        const url = `${parsed.url.replace(/\/+$/, '')}/${safeRelativePath(source, path).split('/').map(encodeURIComponent).join('/')}`;
        if (!policy || !netAllowed(policy, url)) {
          throw new NodeRunError('not_allowed', `${source} would be downloaded, and this run may not use the network; run with --allow-net (or --allow-host ${hostOf(url)})`);
        }
        return { url };
      }
    }
  }

  return {
    async read(source, path, opts) {
      const where = locate(source, path);
      if ('shipped' in where) return shipped.read(where.shipped, safeRelativePath(source, path), opts);
      if ('url' in where) return fetchBytes(where.url, `${path} of ${source}`, { ...opts, fetch: allowedFetch });
      return readDisk(source, where.full, path, opts);
    },
    async exists(source, path) {
      const where = locate(source, path);
      // A shipped suite has what its manifest lists (a model shipped as .ort answers to .onnx too).
      if ('shipped' in where) return shipped.has(where.shipped, safeRelativePath(source, path)).catch(() => false);
      if ('url' in where) {
        // A refusal (a redirect to a host not allowed) is said; a failed request only means "not there".
        return allowedFetch(where.url, { method: 'HEAD', signal: AbortSignal.timeout(30_000) }).then(
          (r) => r.ok,
          (err: unknown) => {
            if (err instanceof NodeRunError) throw err;
            return false;
          },
        );
      }
      return stat(where.full).then((s) => s.isFile(), () => false);
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'HOST';
  }
}

/** Largest file a Load Tensor node reads by path. */
const LOCAL_FILE_LIMIT = 512 * 1024 * 1024;

/**
 * Files by path for nodes that read one (Load Tensor's "Path (CLI)"): relative paths start at the
 * current folder, and every path must stay within the folders `policy` allows.
 */
export function createLocalFiles(policy: SourcePolicy): LocalFiles {
  return {
    async read(path: string): Promise<Uint8Array> {
      const full = confinedPath(policy, path, `the path '${path}'`);
      let size: number;
      try {
        size = (await stat(full)).size;
      } catch {
        throw new NodeRunError('file_missing', `there is no file '${path}' (${full})`);
      }
      if (size > LOCAL_FILE_LIMIT) throw new NodeRunError('too_large', `'${path}' is ${(size / 1024 / 1024).toFixed(1)} MB; files read by path are limited to ${LOCAL_FILE_LIMIT / 1024 / 1024} MB`);
      const buf = await readFile(full);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    },
  };
}

/** fetch that follows redirects itself, each to a host the policy allows (--allow-host cannot be escaped by one). */
function fetchWithin(policy: SourcePolicy): typeof fetch {
  return async (input, init) => {
    let url = input instanceof Request ? input.url : String(input);
    for (let hop = 0; hop <= 5; hop++) {
      const res = await fetch(url, { ...init, redirect: 'manual' });
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (!location) return res;
      const next = new URL(location, url).href;
      if (!netAllowed(policy, next)) {
        throw new NodeRunError('not_allowed', `${url} redirects to ${next}, on a host this run may not use; to allow it, run with --allow-host ${hostOf(next)}`);
      }
      url = next;
    }
    throw new NodeRunError('fetch_failed', `${String(input)} redirects more than 5 times`);
  };
}
