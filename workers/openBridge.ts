import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { Graph } from '@/engine/graph/document';
import type { OpenApi } from './open.worker';
import { SLICE_ITEMS, type PageOpened, type Sliced, type StoredOpened, type WorkerOpenRequest } from './openTypes';

/** Opening stopped before the worker answered: cancelled by the user, or the worker failed. */
export type Cancelled = { ok: false; code: 'cancelled' | 'worker_failed'; title: string; lines: string[] };

const CANCELLED: Cancelled = { ok: false, code: 'cancelled', title: 'Opening was cancelled', lines: ['nothing was opened; your graph is unchanged'] };
const failed = (why: string): Cancelled => ({ ok: false, code: 'worker_failed', title: 'The graph could not be opened', lines: [`the opening worker failed: ${why}`] });

/**
 * The page's handle on the open worker. Requests run one at a time, in order (a big graph's
 * slices all belong to its request). Cancel terminates the worker, so whatever it was parsing
 * stops at once; the request waiting in it is answered, and the next starts a fresh worker.
 */
export class OpenBridge {
  private worker: Worker | null = null;
  private api: Remote<OpenApi> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Answers the request running now when its worker goes away under it. */
  private abandon: ((r: Cancelled) => void) | null = null;

  private ensure(): Remote<OpenApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('./open.worker.ts', import.meta.url), { type: 'module', name: 'weft-open' });
      this.worker.addEventListener('error', (e) => this.stop(failed(e.message || 'it did not start')));
      this.api = wrap<OpenApi>(this.worker);
    }
    return this.api;
  }

  /** Starts the worker now (its code loads while the page draws). */
  warm(): void {
    void this.ensure().ping().catch(() => undefined);
  }

  open(req: WorkerOpenRequest, signal?: AbortSignal): Promise<PageOpened | Cancelled> {
    return this.run(async (api) => {
      // File bytes move to the worker rather than being copied.
      const r = await api.open(req.kind === 'file' ? transfer(req, [req.bytes.buffer]) : req);
      return this.whole(api, r, true);
    }, signal);
  }

  /** Writes the graph an `open` answer named by `token` as library graph `id`, from the worker. */
  async saveOpened(token: number, id: string): Promise<{ ok: true } | { ok: false; message: string }> {
    type Saved = { ok: true } | { ok: false; message: string };
    const r = await this.run<Saved>((api) => api.saveOpened(token, id) as Promise<Saved>);
    return 'code' in r ? { ok: false, message: r.lines.join('; ') } : r;
  }

  openStored(id: string, signal?: AbortSignal): Promise<StoredOpened | Cancelled> {
    return this.run(async (api) => this.whole(api, await api.openStored(id), false), signal);
  }

  dispose(): void {
    this.stop(CANCELLED);
  }

  private stop(answer: Cancelled): void {
    const abandon = this.abandon;
    this.abandon = null;
    this.api?.[releaseProxy]();
    this.worker?.terminate();
    this.api = null;
    this.worker = null;
    abandon?.(answer);
  }

  /** Runs `work` after the requests before it; a signal that aborts while it runs terminates the worker. */
  private run<T>(work: (api: Remote<OpenApi>) => Promise<T>, signal?: AbortSignal): Promise<T | Cancelled> {
    const job = this.queue.then(() => this.runNow(work, signal));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private runNow<T>(work: (api: Remote<OpenApi>) => Promise<T>, signal?: AbortSignal): Promise<T | Cancelled> {
    if (signal?.aborted) return Promise.resolve(CANCELLED);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: T | Cancelled) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (this.abandon === settle) this.abandon = null;
        resolve(r);
      };
      const onAbort = () => this.stop(CANCELLED);
      this.abandon = settle;
      signal?.addEventListener('abort', onAbort, { once: true });
      work(this.ensure()).then(settle, (err: unknown) => {
        // comlink rejects with the worker's error; the worker may be gone: start afresh next time.
        this.stop(failed(err instanceof Error ? err.message : String(err)));
        settle(failed(err instanceof Error ? err.message : String(err)));
      });
    });
  }

  /** Fetches a big graph's nodes and edges slice by slice, each in a message (and a task) of its own. */
  private async whole<T>(api: Remote<OpenApi>, r: T & { sliced?: Sliced }, keep: boolean): Promise<T> {
    const graph = (r as { graph?: Graph }).graph;
    if (!r.sliced || !graph) return r;
    const { token } = r.sliced;
    const fetch = async (list: 'nodes' | 'edges', count: number): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (let start = 0; start < count; start += SLICE_ITEMS) out.push(...(await api.slice(token, list, start, start + SLICE_ITEMS)));
      if (out.length !== count) throw new Error(`the graph came back with ${out.length} of its ${count} ${list}`);
      return out;
    };
    const nodes = (await fetch('nodes', r.sliced.nodes)) as Graph['nodes'];
    const edges = (await fetch('edges', r.sliced.edges)) as Graph['edges'];
    void api.sliced(token, keep);
    const { sliced: _sliced, ...rest } = r;
    return { ...rest, graph: { ...graph, nodes, edges } } as T;
  }
}
