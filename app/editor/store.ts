import type { ResultEntry } from './results/results';
import { useCallback, useSyncExternalStore } from 'react';
import type { Graph } from '@/engine/graph/document';
import type { GraphIssue } from '@/engine/errors';
import type { NodeRunStatus, RunStatus } from '@/engine/executor/types';
import type { TransferValue } from '@/workers/transfer';
import type { ImageValue } from '@/engine/values';
import type { StepTrack } from './teach/steps';

export interface NodeRunView {
  status: NodeRunStatus;
  ms?: number;
  reason?: string;
  fraction?: number;
  message?: string;
  /** The latest progress picture (a denoising preview). */
  preview?: ImageValue;
  /** The latest progress text (tokens streaming from a language model, with tokens/s). */
  streamText?: string;
  /** The backend that ran a model node. */
  backend?: string;
  /** A denoising loop's kept steps, for the step scrubber (time travel). */
  steps?: StepTrack;
  /** When the node started (or was found cached), Date.now() milliseconds: the run timeline. */
  startedAt?: number;
}

export interface RunView {
  status: 'idle' | 'running' | 'cancelling' | RunStatus;
  ms?: number;
  startedAt?: number;
  message?: string;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'warning';
  message: string;
}

export interface Selection {
  nodes: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

export interface EditorState {
  docId: string | null;
  graph: Graph;
  canUndo: boolean;
  canRedo: boolean;
  undoName?: string;
  redoName?: string;
  selection: Selection;
  run: RunView;
  /** By node id. Ids come from files and links, so every id-keyed table here is a Map. */
  nodeRuns: ReadonlyMap<string, NodeRunView>;
  /** By node id, then port name. */
  outputs: ReadonlyMap<string, ReadonlyMap<string, TransferValue>>;
  issues: readonly GraphIssue[];
  /** The same issues by node id, so each node reads only its own. */
  issuesByNode: ReadonlyMap<string, readonly GraphIssue[]>;
  /**
   * Whether Run was pressed since this graph opened. Until then an input not yet connected is
   * part of building, not an error: nodes and the problems list show it calmly.
   */
  runAttempted: boolean;
  /** Bumped when a whole new document is shown, so the canvas refits its view. */
  viewVersion: number;
  /** Set once the stored graph (or the demo) is open. */
  ready: boolean;
  toasts: readonly Toast[];
  /** A storage problem: stays until dismissed, so it is never silent. */
  storageError: string | null;
  fileErrors: { title: string; lines: string[] } | null;
  /** What a ComfyUI import mapped, changed and kept as placeholders (shown once after the open). */
  importReport: { title: string; lines: string[] } | null;
  /** A file, PNG or link being read in the open worker (the canvas shows "Opening…" with Cancel). */
  opening: { label: string } | null;
  /**
   * A stored graph that could not be opened or drawn: a blank graph was started and the banner
   * offers the broken one (`text`, exactly as stored) as a download; the library keeps it.
   */
  recovery: { title: string; lines: string[]; text: string | null; id: string | null } | null;
  libraryOpen: boolean;
  /** The last state of autosave, shown in the run bar. */
  saved: 'saved' | 'saving' | 'unsaved' | 'error';
  /** This session's images, newest first (the results panel). */
  results: readonly ResultEntry[];
  /** The results panel, when open: which result and which image of its batch. */
  resultsOpen: { entry: string; image: number } | null;
  /** The steps panel under the canvas (every loop's scrubber, at any zoom). */
  stepsOpen: boolean;
  /** The run history panel (history/HistoryPanel.tsx). */
  historyOpen: boolean;
  /** Bumped when a run is added to the stored history, so an open history panel reads it again. */
  historyVersion: number;
}

export const EMPTY_SELECTION: Selection = { nodes: new Set(), edges: new Set() };

/** A minimal external store: React components subscribe to narrow slices of it. */
export class Store<S> {
  private listeners = new Set<() => void>();
  constructor(private state: S) {}
  get = (): S => this.state;
  set = (patch: Partial<S> | ((s: S) => Partial<S>)): void => {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  };
  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export function useStoreSelector<S, T>(store: Store<S>, selector: (s: S) => T): T {
  const get = useCallback(() => selector(store.get()), [store, selector]);
  return useSyncExternalStore(store.subscribe, get, get);
}

export function withIssues(issues: readonly GraphIssue[]): Pick<EditorState, 'issues' | 'issuesByNode'> {
  const byNode = new Map<string, GraphIssue[]>();
  for (const i of issues) {
    if (i.nodeId === undefined) continue;
    const list = byNode.get(i.nodeId);
    if (list) list.push(i);
    else byNode.set(i.nodeId, [i]);
  }
  return { issues, issuesByNode: byNode };
}
