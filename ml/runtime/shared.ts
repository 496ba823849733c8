import { cancelled } from './ortErrors';

/**
 * `p` for one caller: settles as `p` does, or rejects with `cancelled` as soon as the caller's
 * signal aborts. The work behind `p` goes on for whoever else waits on it (a shared download, a
 * shared session), so one caller's cancel does not fail another's.
 */
export function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * One load per owner and key, shared by every caller: `load` runs once and its promise is kept
 * (per owner, e.g. a runtime's file access, so it goes when the owner does); a failure is forgotten
 * so the next caller tries again. `load` must not take any one caller's signal: pair the result
 * with `untilAborted` for each caller's own.
 */
export function sharedOnce<O extends object, T>(table: WeakMap<O, Map<string, Promise<T>>>, owner: O, key: string, load: () => Promise<T>): Promise<T> {
  let byKey = table.get(owner);
  if (!byKey) table.set(owner, (byKey = new Map()));
  let p = byKey.get(key);
  if (!p) {
    const loading = load();
    byKey.set(key, loading);
    loading.catch(() => byKey.get(key) === loading && byKey.delete(key));
    p = loading;
  }
  return p;
}
