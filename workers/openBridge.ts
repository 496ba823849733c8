import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { Graph } from '@/engine/graph/document';
import type { OpenApi } from './open.worker';
import { SLICE_ITEMS, type PageOpened, type Sliced, type StoredOpened, type WorkerOpenRequest } from './openTypes';

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

  open(req: WorkerOpenRequest, signal?: AbortSignal): Promise<PageOpened | Cancelled> {
    // File bytes move to the worker rather than being copied.
    const sent = req.kind === 'file' ? transfer(req, [req.bytes.buffer]) : req;
    return this.call<PageOpened>(async () => this.whole(await this.ensure().open(sent)), signal);
  }

  /** Writes the graph the last `open` gave as library graph `id`, from the worker. */
  saveOpened(id: string): Promise<{ ok: true } | { ok: false; message: string }> {
    return this.ensure()
      .saveOpened(id)
      .catch((err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) }));
  }

  openStored(id: string, signal?: AbortSignal): Promise<StoredOpened | Cancelled> {
    return this.call<StoredOpened>(async () => this.whole(await this.ensure().openStored(id)), signal);
  }

  /** Fetches a big graph's nodes and edges slice by slice, each in a message (and a task) of its own. */
  private async whole<T>(r: T & { sliced?: Sliced }): Promise<T> {
    const graph = (r as { graph?: Graph }).graph;
    if (!r.sliced || !graph) return r;
    const api = this.ensure();
    const fetch = async (list: 'nodes' | 'edges', count: number): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (let start = 0; start < count; start += SLICE_ITEMS) out.push(...(await api.slice(list, start, start + SLICE_ITEMS)));
      return out;
    };
    const nodes = (await fetch('nodes', r.sliced.nodes)) as Graph['nodes'];
    const edges = (await fetch('edges', r.sliced.edges)) as Graph['edges'];
    void api.sliced();
    const { sliced: _sliced, ...rest } = r;
    return { ...rest, graph: { ...graph, nodes, edges } } as T;
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
