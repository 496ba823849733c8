import type { Graph } from '../graph/document';
import type { NodeOutputs } from '../nodeDefinition';
import type { TensorValue } from '../values';
import type { Fingerprint } from './signature';
import { collectTensors, holdsNoObjects } from './tensors';

export interface CacheEntry {
  /** Hash of everything the outputs depend on; equal signature means the outputs are reusable. */
  readonly signature: string;
  /** The parts behind the signature, kept so the next run can say what changed. */
  readonly fingerprint: Fingerprint;
  readonly outcome: 'ok' | 'error' | 'cancelled';
  /** Present when outcome is 'ok'. */
  readonly outputs?: NodeOutputs;
  /** For a repeat zone (stored on its output node): last-iteration values of targeted inner nodes. */
  readonly inner?: ReadonlyMap<string, NodeOutputs>;
  readonly error?: { code: string; message: string };
  readonly ms: number;
}

/**
 * Node results kept between runs, by node id. The cache owns the tensors in its entries: each
 * tensor is reference-counted across entries (a pass-through node holds its input's tensor too)
 * and disposed once, when the last entry holding it is replaced, pruned or cleared. Values a run
 * reports come from here, so a caller must not dispose them itself.
 */
export class ExecutionCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly refs = new Map<TensorValue, number>();

  get size(): number {
    return this.entries.size;
  }

  get(nodeId: string): CacheEntry | undefined {
    return this.entries.get(nodeId);
  }

  /** The error of the node's last run, if that run failed. */
  lastError(nodeId: string): { code: string; message: string } | undefined {
    return this.entries.get(nodeId)?.error;
  }

  /** Stores `entry` for the node, disposing the old entry's tensors that nothing holds any more. */
  set(nodeId: string, entry: CacheEntry): void {
    this.retain(entry);
    const old = this.entries.get(nodeId);
    this.entries.set(nodeId, entry);
    if (old) this.release(old);
  }

  delete(nodeId: string): void {
    const old = this.entries.get(nodeId);
    if (!old) return;
    this.entries.delete(nodeId);
    this.release(old);
  }

  /** Evicts entries of nodes no longer in the graph; returns how many went. */
  prune(graph: Pick<Graph, 'nodes'>): number {
    const ids = new Set(graph.nodes.map((n) => n.id));
    let removed = 0;
    for (const id of [...this.entries.keys()]) {
      if (!ids.has(id)) {
        this.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /** Empties the cache and disposes every tensor it held. */
  clear(): void {
    this.releaseAllExcept(new Set());
  }

  /** Empties the cache, disposing its tensors except `keep` (handed to the caller instead). */
  releaseAllExcept(keep: ReadonlySet<TensorValue>): void {
    const tensors = [...this.refs.keys()];
    this.entries.clear();
    this.refs.clear();
    for (const t of tensors) if (!keep.has(t)) t.dispose();
  }

  private retain(entry: CacheEntry): void {
    for (const t of tensorsOf(entry)) this.refs.set(t, (this.refs.get(t) ?? 0) + 1);
  }

  private release(entry: CacheEntry): void {
    for (const t of tensorsOf(entry)) {
      const n = (this.refs.get(t) ?? 1) - 1;
      if (n > 0) this.refs.set(t, n);
      else {
        this.refs.delete(t);
        t.dispose();
      }
    }
  }
}

const NONE: ReadonlySet<TensorValue> = new Set();

function tensorsOf(entry: CacheEntry): ReadonlySet<TensorValue> {
  if ((!entry.outputs || holdsNoObjects(entry.outputs)) && !entry.inner) return NONE;
  const out = new Set<TensorValue>();
  if (entry.outputs) collectTensors(entry.outputs, out);
  if (entry.inner) collectTensors([...entry.inner.values()], out);
  return out;
}
