import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeRunError } from '@/engine/errors';
import { createShippedReader, missingFile, parseSource, safeRelativePath, type ReadOptions } from '@/ml/runtime/files';
import type { FileAccess, SourceUri } from '@/ml/runtime/types';

/** The repository root (this file lives in bin/). */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface NodeFilesOptions {
  /** Folder holding the shipped suites; default <repo>/public/models. */
  shippedRoot?: string;
}

/** Joins a checked relative path under a base folder, refusing anything that escapes it. */
function inside(base: string, source: SourceUri, path: string): string {
  const full = resolve(base, safeRelativePath(source, path));
  if (!full.startsWith(resolve(base) + sep)) throw new NodeRunError('bad_path', `'${path}' leaves ${source}`);
  return full;
}

async function readDisk(source: SourceUri, full: string, path: string, options?: ReadOptions): Promise<Uint8Array> {
  if (options?.signal?.aborted) throw new NodeRunError('cancelled', 'cancelled');
  try {
    const buf = await readFile(full, { signal: options?.signal });
    options?.onProgress?.(buf.length, buf.length);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
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

  function locate(source: SourceUri, path: string): { full: string } | { shipped: string } {
    const parsed = parseSource(source);
    switch (parsed.scheme) {
      case 'shipped':
        return { shipped: parsed.name };
      case 'dir':
        return { full: inside(parsed.path, source, path) };
      case 'store':
        throw new NodeRunError('bad_source', `${source} is a model imported in the browser; the CLI reads shipped: and dir: sources`);
      case 'url':
        throw new NodeRunError('bad_source', `the CLI does not download ${source}; download it and use dir:/path/to/folder`);
    }
  }

  return {
    async read(source, path, opts) {
      const where = locate(source, path);
      if ('shipped' in where) return shipped.read(where.shipped, safeRelativePath(source, path), opts);
      return readDisk(source, where.full, path, opts);
    },
    async exists(source, path) {
      const where = locate(source, path);
      // A shipped suite has what its manifest lists (a model shipped as .ort answers to .onnx too).
      if ('shipped' in where) return shipped.has(where.shipped, safeRelativePath(source, path)).catch(() => false);
      return stat(where.full).then((s) => s.isFile(), () => false);
    },
  };
}
