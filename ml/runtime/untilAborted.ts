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
