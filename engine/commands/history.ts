import { applyPatches, enablePatches, produceWithPatches, type Patch } from 'immer';
import type { Graph } from '../graph/document';

enablePatches();

/** A named edit: an immer recipe over the document. */
export interface Command {
  name: string;
  recipe: (draft: Graph) => void;
  /** Consecutive commands with the same key merge into one history entry (typing in a field). */
  mergeKey?: string;
}

interface Entry {
  name: string;
  mergeKey?: string;
  patches: Patch[];
  inverse: Patch[];
}

/**
 * The document with undo and redo. Every edit is a Command; undo/redo replay immer's inverse
 * patches. Results of runs are never stored here, so they never enter history.
 */
export class History {
  private current: Graph;
  private past: Entry[] = [];
  private future: Entry[] = [];
  private listeners = new Set<() => void>();

  constructor(
    graph: Graph,
    private readonly limit = 500,
  ) {
    this.current = graph;
  }

  get graph(): Graph {
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Name of the edit undo would revert, for menus and tooltips. */
  get undoName(): string | undefined {
    return this.past[this.past.length - 1]?.name;
  }

  get redoName(): string | undefined {
    return this.future[this.future.length - 1]?.name;
  }

  /**
   * Applies a command; returns false when it changed nothing (no history entry then) or when
   * `accept` refuses the document it would make (the editor's limits).
   */
  apply(cmd: Command, accept?: (next: Graph) => boolean): boolean {
    const [next, patches, inverse] = produceWithPatches(this.current, cmd.recipe);
    if (patches.length === 0) return false;
    if (accept && !accept(next)) return false;
    this.current = next;
    this.future = [];
    const last = this.past[this.past.length - 1];
    if (cmd.mergeKey && last && last.mergeKey === cmd.mergeKey) {
      last.patches = [...last.patches, ...patches];
      last.inverse = [...inverse, ...last.inverse];
    } else {
      this.past.push({ name: cmd.name, mergeKey: cmd.mergeKey, patches, inverse });
      if (this.past.length > this.limit) this.past.shift();
    }
    this.emit();
    return true;
  }

  /** Ends merging: the next command with the same mergeKey starts a new entry. */
  seal(): void {
    const last = this.past[this.past.length - 1];
    if (last) last.mergeKey = undefined;
  }

  undo(): boolean {
    const entry = this.past.pop();
    if (!entry) return false;
    this.current = applyPatches(this.current, entry.inverse);
    entry.mergeKey = undefined;
    this.future.push(entry);
    this.emit();
    return true;
  }

  redo(): boolean {
    const entry = this.future.pop();
    if (!entry) return false;
    this.current = applyPatches(this.current, entry.patches);
    this.past.push(entry);
    this.emit();
    return true;
  }

  /** Replaces the document and forgets history (opening another graph from the library). */
  reset(graph: Graph): void {
    this.current = graph;
    this.past = [];
    this.future = [];
    this.emit();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
