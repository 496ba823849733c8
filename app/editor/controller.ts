import { History, type Command } from '@/engine/commands/history';
import { replaceGraph } from '@/engine/commands/commands';
import type { Graph } from '@/engine/graph/document';
import { parseGraph, parseGraphText, serializeGraph } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine, type GraphIssue } from '@/engine/errors';
import { LIMITS } from '@/engine/graph/limits';
import { registry } from '@/nodes';
import type { EngineBridge } from '@/workers/bridge';
import type { TransferEvent } from '@/workers/transfer';
import type { ResumeRequest } from '@/engine/executor/trajectory';
import * as storage from '@/app/storage/db';
import { defaultGraph } from './defaultGraph';
import { EMPTY_SELECTION, Store, withIssues, type EditorState, type NodeRunView, type Selection, type Toast } from './store';
import { applyRunEvents } from './runEvents';
import { graphTextOfFile } from './fileData';

const AUTOSAVE_MS = 300;
const VALIDATE_MS = 120;

/**
 * Owns the document (History), the run and the storage; components read its store through
 * narrow selectors and call its methods. Nothing here renders.
 */
export class EditorController {
  readonly store: Store<EditorState>;
  history: History;
  private unsubscribeHistory: () => void;
  private bridge: EngineBridge | null = null;
  private abort: AbortController | null = null;
  private autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;
  private toastSeq = 0;

  constructor(graph: Graph = defaultGraph()) {
    this.history = new History(graph);
    this.store = new Store<EditorState>({
      docId: null,
      graph,
      canUndo: false,
      canRedo: false,
      selection: EMPTY_SELECTION,
      run: { status: 'idle' },
      nodeRuns: {},
      outputs: {},
      issues: [],
      issuesByNode: {},
      ready: false,
      viewVersion: 0,
      toasts: [],
      storageError: null,
      fileErrors: null,
      libraryOpen: false,
      saved: 'saved',
    });
    this.unsubscribeHistory = this.history.subscribe(() => this.onDocumentChanged(true));
    this.scheduleValidate();
  }

  get graph(): Graph {
    return this.history.graph;
  }

  /** The engine worker's bridge (models, backend), once attached. */
  get engine(): EngineBridge | null {
    return this.bridge;
  }

  attachBridge(bridge: EngineBridge): void {
    this.bridge = bridge;
  }

  dispose(): void {
    this.unsubscribeHistory();
    clearTimeout(this.autosaveTimer);
    clearTimeout(this.validateTimer);
    this.bridge?.dispose();
  }

  // ---- edits -------------------------------------------------------------------------------

  apply = (cmd: Command): boolean => this.history.apply(cmd);

  undo = (): void => {
    this.history.undo();
  };

  redo = (): void => {
    this.history.redo();
  };

  private onDocumentChanged(edited: boolean): void {
    const h = this.history;
    const graph = h.graph;
    const sel = this.store.get().selection;
    this.store.set({
      graph,
      canUndo: h.canUndo,
      canRedo: h.canRedo,
      undoName: h.undoName,
      redoName: h.redoName,
      selection: pruneSelection(sel, graph),
    });
    this.scheduleValidate();
    if (edited) this.scheduleAutosave();
  }

  private scheduleValidate(): void {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => {
      let issues: GraphIssue[];
      try {
        issues = validateGraph(this.graph, registry);
      } catch (err) {
        issues = [{ code: 'validator_failed', path: '', message: `the validator failed: ${String(err)}`, severity: 'error' }];
      }
      this.store.set(withIssues(issues));
      this.prewarmIfChanged();
    }, VALIDATE_MS);
  }

  private prewarmKey = '';

  /** Warms the models the open graph loads (sessions, tokenizer) in the worker, once per set of sources. */
  private prewarmIfChanged(): void {
    if (!this.bridge || !this.store.get().ready) return;
    const key = this.graph.nodes
      .filter((n) => registry.get(n.type)?.prewarm && n.mode !== 'muted')
      .map((n) => `${n.type}:${JSON.stringify(n.params ?? {})}`)
      .sort()
      .join('|');
    if (!key || key === this.prewarmKey) return;
    this.prewarmKey = key;
    void this.bridge.prewarm(this.graph);
  }

  // ---- selection and messages ----------------------------------------------------------------

  setSelection = (selection: Selection): void => {
    this.store.set({ selection });
  };

  selectNodes = (ids: Iterable<string>): void => {
    this.store.set({ selection: { nodes: new Set(ids), edges: new Set() } });
  };

  toast = (kind: Toast['kind'], message: string, ms = 5000): void => {
    const id = ++this.toastSeq;
    this.store.set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, message }] }));
    setTimeout(() => this.dismissToast(id), ms);
  };

  dismissToast = (id: number): void => {
    this.store.set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  };

  // ---- running -------------------------------------------------------------------------------

  /** `mode.step` pauses before each node (see step/stepState.ts, which passes its own listeners). */
  run = async (targets?: string[], mode: RunMode = {}): Promise<void> => {
    if (!this.bridge) return;
    const status = this.store.get().run.status;
    if (status === 'running' || status === 'cancelling') return;
    const abort = new AbortController();
    this.abort = abort;
    const startedAt = Date.now();
    this.store.set({ run: { status: 'running', startedAt }, nodeRuns: {} });
    const result = await this.bridge.run(this.graph, {
      ...(targets?.length ? { targets } : {}),
      signal: abort.signal,
      ...(mode.step ? { step: true } : {}),
      ...(mode.onStart ? { onStart: mode.onStart } : {}),
      ...(mode.resume ? { resume: mode.resume } : {}),
      // Events travel on their own channel and can arrive after the result: drop those.
      onEvents: (events: TransferEvent[]) => {
        if (this.abort !== abort) return;
        this.store.set((s) => ({ nodeRuns: applyRunEvents(s.nodeRuns, events) }));
        mode.onEvents?.(events);
      },
    });
    this.abort = null;
    if (!result.ok) {
      this.store.set({ run: { status: 'error', ms: Date.now() - startedAt, message: result.message } });
      this.toast('error', `Run failed: ${result.message}`, 8000);
      return;
    }
    const report = result.report;
    this.store.set((s) => {
      const nodeRuns: Record<string, NodeRunView> = { ...s.nodeRuns };
      for (const [id, r] of Object.entries(report.nodes)) {
        const prev = s.nodeRuns[id];
        nodeRuns[id] = {
          status: r.status,
          ...(r.backend ? { backend: r.backend } : {}),
          ...(prev?.preview ? { preview: prev.preview } : {}),
          ...(prev?.steps ? { steps: prev.steps } : {}),
          ms: r.ms,
          reason: r.reason,
          ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : prev?.startedAt !== undefined ? { startedAt: prev.startedAt } : {}),
          ...(r.error ? { message: r.error.message } : {}),
          ...(r.status === 'done' ? { fraction: 1 } : {}),
        };
      }
      // A run stopped part-way leaves no node "running".
      for (const [id, r] of Object.entries(nodeRuns)) {
        if (r.status === 'running' || r.status === 'queued') nodeRuns[id] = { ...r, status: 'cancelled' };
      }
      const message =
        report.status === 'invalid'
          ? (report.issues ?? []).filter((i) => i.severity === 'error').map(issueToLine).join('\n') || 'the graph is not valid'
          : report.status === 'error'
            ? Object.values(report.nodes).find((n) => n.error)?.error?.message
            : undefined;
      return {
        nodeRuns,
        outputs: { ...s.outputs, ...report.outputs },
        run: { status: report.status, ms: report.ms, ...(message ? { message } : {}) },
        ...(report.status === 'invalid' && report.issues ? withIssues(report.issues) : {}),
      };
    });
    if (report.status === 'invalid') this.toast('error', 'The graph cannot run: see the problems list.');
  };

  cancel = (): void => {
    if (!this.abort) return;
    this.store.set((s) => ({ run: { ...s.run, status: 'cancelling' } }));
    this.abort.abort();
  };

  clearResults = (): void => {
    this.store.set({ nodeRuns: {}, outputs: {}, run: { status: 'idle' } });
  };

  // ---- files ---------------------------------------------------------------------------------

  /** Parses a file's text; a valid graph replaces the document (undoable), an invalid one is listed. */
  openText = (text: string, fileName: string): boolean => {
    const parsed = parseGraphText(text, registry);
    if (!parsed.ok) {
      this.store.set({ fileErrors: { title: `${fileName} could not be opened`, lines: parsed.errors.map(issueToLine) } });
      return false;
    }
    this.apply(replaceGraph(parsed.value, `Open ${fileName}`));
    this.store.set((s) => ({ selection: EMPTY_SELECTION, viewVersion: s.viewVersion + 1 }));
    this.clearResults();
    const warnings = parsed.warnings.filter((w) => w.severity === 'warning');
    this.toast(warnings.length ? 'warning' : 'info', warnings.length ? `Opened ${fileName} with ${warnings.length} warning(s): ${warnings.map(issueToLine).slice(0, 3).join('; ')}` : `Opened ${fileName}`);
    return true;
  };

  openFile = async (file: File): Promise<void> => {
    if (file.size > LIMITS.fileBytes) {
      this.store.set({
        fileErrors: { title: `${file.name} could not be opened`, lines: [`the file is ${formatBytes(file.size)}; the limit is ${formatBytes(LIMITS.fileBytes)}`] },
      });
      return;
    }
    // A .json graph, or a PNG Weft saved (its graph rides in a text chunk).
    const read = await graphTextOfFile(file);
    if (!read.ok) {
      this.store.set({ fileErrors: { title: read.title, lines: read.lines } });
      return;
    }
    this.openText(read.text, file.name);
  };

  saveToFile = (): void => {
    const graph = this.graph;
    const blob = new Blob([serializeGraph(graph)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${fileNameFor(graph.metadata.title)}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  /** Test and benchmark hook: loads a document object without an undo entry. */
  loadGraphObject = (value: unknown): { ok: true } | { ok: false; errors: string[] } => {
    const parsed = parseGraph(value, registry);
    if (!parsed.ok) return { ok: false, errors: parsed.errors.map(issueToLine) };
    this.history.reset(parsed.value);
    this.store.set((s) => ({ selection: EMPTY_SELECTION, viewVersion: s.viewVersion + 1 }));
    this.clearResults();
    return { ok: true };
  };

  // ---- persistence ---------------------------------------------------------------------------

  /** Opens the last graph from browser storage, or the demo graph on a first visit. */
  restore = async (): Promise<void> => {
    try {
      const id = await storage.getCurrentGraphId();
      const entry = id ? await storage.loadGraph(id) : undefined;
      if (entry) {
        const parsed = parseGraphText(entry.json, registry);
        if (parsed.ok) {
          this.switchTo(entry.id, parsed.value);
          this.store.set({ ready: true });
          // Models start loading now, while the canvas draws, rather than after the first validation.
          this.prewarmIfChanged();
          return;
        }
        this.store.set({
          storageError: `The saved graph "${entry.title}" could not be opened (${parsed.errors.map(issueToLine).slice(0, 3).join('; ')}). It is kept in the library; a new graph was started.`,
        });
      }
      const fresh = storage.newGraphId();
      this.switchTo(fresh, this.store.get().docId ? defaultGraph() : this.graph);
      this.store.set({ ready: true });
      this.prewarmIfChanged();
      await this.saveNow();
    } catch (err) {
      this.store.set({ ready: true, storageError: `Browser storage is not available, so work is not saved automatically: ${String(err)}. Save to a file to keep your work.` });
    }
  };

  private switchTo(id: string, graph: Graph): void {
    this.history.reset(graph);
    this.dirty = false;
    this.store.set((s) => ({ docId: id, selection: EMPTY_SELECTION, saved: 'saved', viewVersion: s.viewVersion + 1 }));
    this.clearResults();
    void storage.setCurrentGraphId(id).catch((err) => this.storageFailed(err));
  }

  private scheduleAutosave(): void {
    this.dirty = true;
    if (this.store.get().saved !== 'error') this.store.set({ saved: 'unsaved' });
    clearTimeout(this.autosaveTimer);
    this.autosaveTimer = setTimeout(() => void this.saveNow(), AUTOSAVE_MS);
  }

  /** Writes the open graph now (also called on pagehide / when the tab is hidden). */
  saveNow = async (): Promise<void> => {
    clearTimeout(this.autosaveTimer);
    const id = this.store.get().docId;
    if (!id) return;
    const graph = this.graph;
    this.dirty = false;
    this.store.set({ saved: 'saving' });
    try {
      await storage.saveGraph({ id, title: graph.metadata.title, modified: Date.now(), nodeCount: graph.nodes.length, json: serializeGraph(graph) });
      if (this.graph === graph) this.store.set({ saved: 'saved', storageError: null });
    } catch (err) {
      this.dirty = true;
      this.storageFailed(err);
    }
  };

  flushIfDirty = (): void => {
    if (this.dirty) void this.saveNow();
  };

  private storageFailed(err: unknown): void {
    this.store.set({ saved: 'error', storageError: storage.describeStorageError(err) });
  }

  openLibraryGraph = async (id: string): Promise<void> => {
    await this.saveNow();
    try {
      const entry = await storage.loadGraph(id);
      if (!entry) throw new Error('it is no longer in the library');
      const parsed = parseGraphText(entry.json, registry);
      if (!parsed.ok) {
        this.store.set({ fileErrors: { title: `"${entry.title}" could not be opened`, lines: parsed.errors.map(issueToLine) } });
        return;
      }
      this.switchTo(id, parsed.value);
      this.store.set({ libraryOpen: false });
    } catch (err) {
      this.toast('error', `Could not open the graph: ${String(err)}`);
    }
  };

  newGraph = async (graph: Graph): Promise<void> => {
    await this.saveNow();
    this.switchTo(storage.newGraphId(), graph);
    await this.saveNow();
    this.store.set({ libraryOpen: false });
  };

  /** Whether storage calls fail is shown in the banner; callers only refresh their lists. */
  guardStorage = async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      this.storageFailed(err);
      return undefined;
    }
  };
}

export interface RunMode {
  step?: boolean;
  /** Time travel: start a loop from a kept step of its last run (see engine/executor/trajectory.ts). */
  resume?: ResumeRequest;
  onStart?: (runId: string) => void;
  onEvents?: (events: TransferEvent[]) => void;
}

function pruneSelection(sel: Selection, graph: Graph): Selection {
  if (sel.nodes.size === 0 && sel.edges.size === 0) return sel;
  const nodeIds = new Set(graph.nodes.map((n) => n.id));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  const nodes = [...sel.nodes].filter((id) => nodeIds.has(id));
  const edges = [...sel.edges].filter((id) => edgeIds.has(id));
  if (nodes.length === sel.nodes.size && edges.length === sel.edges.size) return sel;
  return { nodes: new Set(nodes), edges: new Set(edges) };
}

function fileNameFor(title: string): string {
  return title.trim().replace(/[^\p{L}\p{N}._ -]+/gu, '').replace(/\s+/g, '-').slice(0, 80) || 'graph';
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
