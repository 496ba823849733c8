import type { RunContext, StepHistory } from '../nodeDefinition';
import type { Runtime } from '../runtime';
import type { Preview } from '../values';
import type { Execution } from './execution';
import { stepHistory } from './trajectory';

/**
 * What a node's `run` receives. A class rather than a literal with closures: most nodes never
 * report progress, so the bound `progress` is made only when a node reads it.
 */
export class NodeContext implements RunContext<Record<string, unknown>> {
  readonly signal: AbortSignal;
  readonly runtime: Runtime;
  private live = true;
  private bound?: (fraction: number, preview?: Preview) => void;
  private history?: StepHistory | null;

  constructor(
    private readonly ex: Execution,
    readonly nodeId: string,
    readonly params: Record<string, unknown>,
    readonly inputs: Record<string, unknown>,
    readonly iteration?: { zoneId: string; index: number; count: number },
  ) {
    this.signal = ex.signal;
    this.runtime = ex.runtime;
  }

  /** Made on first use: only loops (the Sampler) keep steps. */
  get steps(): StepHistory | undefined {
    // A loop inside a repeat zone runs once per iteration: only top-level loops keep steps.
    if (this.history === undefined) this.history = (this.iteration ? undefined : stepHistory(this.ex, this.nodeId)) ?? null;
    return this.history ?? undefined;
  }

  /** Nodes often destructure `progress`, so it is a bound function. */
  get progress(): (fraction: number, preview?: Preview, text?: string) => void {
    return (this.bound ??= this.report.bind(this));
  }

  /** After the node's run has returned, late progress calls are ignored. */
  end(): void {
    this.live = false;
  }

  private report(fraction: number, preview?: Preview, text?: string): void {
    const ex = this.ex;
    if (!this.live || ex.stopped) return;
    const f = fraction > 1 ? 1 : fraction >= 0 ? fraction : 0;
    ex.emit({
      type: 'progress',
      runId: ex.runId,
      nodeId: this.nodeId,
      fraction: f,
      ...(preview ? { preview } : {}),
      ...(typeof text === 'string' ? { text: text.slice(0, 4000) } : {}),
    });
  }
}
