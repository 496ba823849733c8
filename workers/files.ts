import { NodeRunError } from '@/engine/errors';
import { createShippedReader, parseSource, safeRelativePath } from '@/ml/runtime/files';
import type { FileAccess } from '@/ml/runtime/types';
import { fetchBytes } from '@/ml/runtime/fetchBytes';
import type { ModelStore } from './modelStore';

export interface BrowserFilesOptions {
  /** Imported models (store:<id> sources); without it such sources give a clear error. */
  store?: ModelStore;
  /** Where the shipped suites are served (default `/models`). */
  shippedBase?: string;
  fetch?: typeof fetch;
}

/**
 * File access in the page or the worker: shipped suites over fetch (verified against their
 * manifest), imports from the IndexedDB model store. `url:` sources are downloaded only by an
 * import the user starts (ModelStore.importUrl), never as a side effect of running a graph.
 */
export function createBrowserFiles(options: BrowserFilesOptions = {}): FileAccess {
  const base = (options.shippedBase ?? '/models').replace(/\/$/, '');
  const shipped = createShippedReader((name, path, opts) =>
    fetchBytes(`${base}/${encodeURIComponent(name)}/${path.split('/').map(encodeURIComponent).join('/')}`, `${path} of shipped:${name}`, {
      ...opts,
      fetch: options.fetch,
    }),
  );

  function store(source: string): ModelStore {
    if (!options.store) throw new NodeRunError('bad_source', `${source} is an imported model, but this host has no model store`);
    return options.store;
  }

  const access: FileAccess = {
    async read(source, path, opts) {
      const parsed = parseSource(source);
      const rel = safeRelativePath(source, path);
      switch (parsed.scheme) {
        case 'shipped':
          return shipped.read(parsed.name, rel, opts);
        case 'store':
          return store(source).read(parsed.id, rel, opts);
        case 'url':
          throw new NodeRunError('not_imported', `${source} has not been imported; import it from the model library first (it is downloaded only when you ask)`);
        case 'dir':
          throw new NodeRunError('bad_source', `${source} is a folder on disk, which only the CLI reads; import the folder in the model library instead`);
      }
    },
    async exists(source, path) {
      const parsed = parseSource(source);
      const rel = safeRelativePath(source, path);
      if (parsed.scheme === 'shipped') return shipped.has(parsed.name, rel);
      if (parsed.scheme === 'store') return store(source).has(parsed.id, rel);
      // Not "missing": it was never fetched, and is not without the user's import.
      return access.read(source, path).then(() => true);
    },
  };
  return access;
}
