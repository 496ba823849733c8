import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { OpenRequest } from '@/lib/openGraph';
import type { OpenApi } from './open.worker';
import type { PageOpened, StoredOpened } from './openTypes';

/** Opening stopped before the worker answered: cancelled by the user, or the worker failed. */
export type Cancelled = { ok: false; code: 'cancelled' | 'worker_failed'; title: string; lines: string[] };

/**
 * The page's handle on the open worker. One open at a time runs in it; Cancel terminates the
 * worker (whatever it was parsing stops at once) and the next open starts a fresh one.
 */
export class OpenBridge {
  private worker: Worker | null = null;
  private api: Remote<OpenApi> | null = null;

  private ensure(): Remote<OpenApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('./open.worker.ts', import.meta.url), { type: 'module', name: 'weft-open' });
      this.api = wrap<OpenApi>(this.worker);
    }
    return this.api;
  }

  /** Starts the worker now (its code loads while the page draws). */
  warm(): void {
    void this.ensure().ping().catch(() => undefined);
  }

  open(req: OpenRequest, signal?: AbortSignal): Promise<PageOpened | Cancelled> {
    // File bytes move to the worker rather than being copied.
    const sent = req.kind === 'file' ? transfer(req, [req.bytes.buffer]) : req;
    return this.call<PageOpened>(() => this.ensure().open(sent), signal);
  }

  openStored(id: string, signal?: AbortSignal): Promise<StoredOpened | Cancelled> {
    return this.call<StoredOpened>(() => this.ensure().openStored(id), signal);
  }

  dispose(): void {
    this.stop();
  }

  private stop(): void {
    this.api?.[releaseProxy]();
    this.worker?.terminate();
    this.api = null;
    this.worker = null;
  }

  private call<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T | Cancelled> {
    const cancelled: Cancelled = { ok: false, code: 'cancelled', title: 'Opening was cancelled', lines: ['nothing was opened; your graph is unchanged'] };
    if (signal?.aborted) return Promise.resolve(cancelled);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.stop();
        resolve(cancelled);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      work().then(
        (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (err: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          this.stop();
          resolve({ ok: false, code: 'worker_failed', title: 'The graph could not be opened', lines: [`the opening worker failed: ${err instanceof Error ? err.message : String(err)}`] });
        },
      );
    });
  }
}
