import { collectResults, promptAndSeed, withResults } from './results/results';
import { runRecord, saveRun } from '@/app/storage/runs';
import { History, type Command } from '@/engine/commands/history';
import { emptyGraph, type Graph } from '@/engine/graph/document';
import { parseGraph, serializeGraph } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine, type GraphIssue } from '@/engine/errors';
import { LIMITS, formatMegabytes } from '@/engine/graph/limits';
import { warmJsonCache } from '@/engine/graph/size';
import { documentProblem, markChecked } from '@/engine/graph/acceptable';
import { registry } from '@/nodes';
import type { EngineBridge } from '@/workers/bridge';
import { OpenBridge, type Cancelled } from '@/workers/openBridge';
import type { PageOpened, WorkerOpenRequest } from '@/workers/openTypes';
import type { TransferEvent, TransferReport } from '@/workers/transfer';
import type { ResumeRequest } from '@/engine/executor/trajectory';
import * as storage from '@/app/storage/db';
import { clearRescue, keepRescue, readRescue } from '@/app/storage/rescue';
import { defaultGraph } from './defaultGraph';
import { EMPTY_SELECTION, Store, withIssues, type EditorState, type NodeRunView, type Selection, type Toast } from './store';
import { applyRunEvents } from './runEvents';
import { downloadBlob } from './files/fileData';
import { reportLines, weftToComfy } from '@/lib/comfy';
import { runGrid, type GridProgress, type GridResult } from './grid/gridRun';
import type { Sweep } from '@/lib/sweep';

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
      nodeRuns: new Map(),
      outputs: new Map(),
      issues: [],
      issuesByNode: new Map(),
      runAttempted: false,
      ready: false,
      viewVersion: 0,
      toasts: [],
      storageError: null,
      fileErrors: null,
      importReport: null,
      opening: null,
      recovery: null,
      libraryOpen: false,
      saved: 'saved',
      results: [],
      resultsOpen: null,
      historyOpen: false,
      historyVersion: 0,
      stepsOpen: false,
    });
    this.unsubscribeHistory = this.history.subscribe(() => this.onDocumentChanged(true));
    this.scheduleValidate();
  }

  private runCount = 0;

  /** Opens the results panel on a result (the newest when none is named). */
  openResults = (nodeId?: string, image = 0): void => {
    const { results } = this.store.get();
    const entry = (nodeId ? results.find((r) => r.nodeId === nodeId) : undefined) ?? results[0];
    this.store.set({ resultsOpen: entry ? { entry: entry.id, image } : { entry: '', image: 0 } });
  };

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
    clearTimeout(this.retryTimer);
    this.bridge?.dispose();
    this.openBridge?.dispose();
  }

  // ---- edits -------------------------------------------------------------------------------

  /**
   * Applies an edit. One that would make a graph some reader refuses (past the limits, an item its
   * schema does not accept) is refused with the reason, so whatever the editor saves opens again.
   */
  apply = (cmd: Command): boolean => {
    let refused: string | undefined;
    const done = this.history.apply(cmd, (next) => (refused = documentProblem(next)) === undefined);
    if (refused) this.toast('error', `${cmd.name} was not done: ${refused}.`, 8000);
    return done;
  };

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

  /** Issues the open worker found for a graph it just opened: that graph is not validated again. */
  private knownIssues: { graph: Graph; issues: readonly GraphIssue[] } | null = null;

  private scheduleValidate(): void {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => {
      let issues: readonly GraphIssue[];
      try {
        issues = this.knownIssues?.graph === this.graph ? this.knownIssues.issues : validateGraph(this.graph, registry);
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
    this.store.set({ run: { status: 'running', startedAt }, nodeRuns: new Map(), runAttempted: true });
    const graph = this.graph;
    const result = await this.bridge.run(graph, {
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
    // A stepped run is timed by its work: the time it waited for Next does not count.
    const paused = mode.pausedMs?.() ?? 0;
    if (!result.ok) {
      this.store.set({ run: { status: 'error', ms: Date.now() - startedAt - paused, message: result.message } });
      this.toast('error', `Run failed: ${result.message}`, 8000);
      return;
    }
    const report = result.report;
    this.store.set((s) => {
      const nodeRuns = new Map<string, NodeRunView>(s.nodeRuns);
      for (const [id, r] of report.nodes) {
        const prev = s.nodeRuns.get(id);
        nodeRuns.set(id, {
          status: r.status,
          ...(r.backend ? { backend: r.backend } : {}),
          ...(prev?.preview ? { preview: prev.preview } : {}),
          ...(prev?.steps ? { steps: prev.steps } : {}),
          ms: r.ms,
          reason: r.reason,
          ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : prev?.startedAt !== undefined ? { startedAt: prev.startedAt } : {}),
          ...(r.error ? { message: r.error.message } : {}),
          ...(r.status === 'done' ? { fraction: 1 } : {}),
        });
      }
      // A run stopped part-way leaves no node "running".
      for (const [id, r] of nodeRuns) {
        if (r.status === 'running' || r.status === 'queued') nodeRuns.set(id, { ...r, status: 'cancelled' });
      }
      const message =
        report.status === 'invalid'
          ? (report.issues ?? []).filter((i) => i.severity === 'error').map(issueToLine).join('\n') || 'the graph is not valid'
          : report.status === 'error'
            ? [...report.nodes.values()].find((n) => n.error)?.error?.message
            : undefined;
      this.runCount++;
      return {
        nodeRuns,
        outputs: new Map([...s.outputs, ...report.outputs]),
        results: withResults(s.results, collectResults(graph, report.outputs, Date.now(), this.runCount)),
        run: { status: report.status, ms: Math.max(0, report.ms - paused), ...(message ? { message } : {}) },
        // The run's refusals join what validation found (they are a subset, plus unknown targets and cycles).
        ...(report.status === 'invalid' && report.issues ? withIssues(mergeIssues(s.issues, report.issues)) : {}),
      };
    });
    if (report.status === 'invalid') this.toast('error', 'The graph cannot run: see the problems list.');
    else void this.recordRun(graph, report, this.store.get().run.message);
  };

  private historyWarned = false;

  /** Adds a finished run to the stored history (a failure to store it is said once, and the run stands). */
  private recordRun = async (graph: Graph, report: TransferReport, message?: string): Promise<void> => {
    try {
      const at = Date.now();
      await saveRun(runRecord(`run-${at}-${this.runCount}`, graph, { ...report, ms: Math.max(0, report.ms) }, at, promptAndSeed(graph, report.outputs), message));
      this.store.set((s) => ({ historyVersion: s.historyVersion + 1 }));
    } catch (err) {
      if (this.historyWarned) return;
      this.historyWarned = true;
      const name = (err as { inner?: { name?: string }; name?: string })?.inner?.name ?? (err as { name?: string })?.name;
      const why = name === 'QuotaExceededError' ? 'browser storage is full (clear the history, or delete graphs from the library)' : err instanceof Error ? err.message : String(err);
      this.toast('warning', `This run was not added to the run history: ${why}. Your graph is not affected.`, 8000);
    }
  };

  openHistory = (): void => {
    this.store.set({ historyOpen: true });
  };

  /** An X/Y grid: every cell run through the worker in turn, as one labelled image (grid/gridRun.ts). */
  runGrid = async (sweeps: readonly Sweep[], outputNode: string, onProgress: (p: GridProgress) => void): Promise<GridResult> => {
    const bridge = this.bridge;
    if (!bridge) return { ok: false, message: 'the engine is still starting' };
    const status = this.store.get().run.status;
    if (status === 'running' || status === 'cancelling') return { ok: false, message: 'a run is in progress' };
    const abort = new AbortController();
    this.abort = abort;
    const startedAt = Date.now();
    this.store.set({ run: { status: 'running', startedAt }, runAttempted: true });
    try {
      const r = await runGrid(this.graph, sweeps, outputNode, (g, signal) => bridge.run(g, { signal }), abort.signal, onProgress);
      this.store.set({ run: r.ok ? { status: 'ok', ms: Date.now() - startedAt } : { status: abort.signal.aborted ? 'cancelled' : 'error', ms: Date.now() - startedAt, message: r.message } });
      return r;
    } finally {
      this.abort = null;
    }
  };

  cancel = (): void => {
    if (!this.abort) return;
    this.store.set((s) => ({ run: { ...s.run, status: 'cancelling' } }));
    this.abort.abort();
  };

  clearResults = (): void => {
    this.store.set({ nodeRuns: new Map(), outputs: new Map(), run: { status: 'idle' } });
  };

  // ---- files ---------------------------------------------------------------------------------

  private openBridge: OpenBridge | null = null;
  private openAbort: AbortController | null = null;

  /** The worker that reads, parses and validates what is opened (started on first use). */
  private opener(): OpenBridge {
    this.openBridge ??= new OpenBridge();
    return this.openBridge;
  }

  /**
   * Reads a file, PNG or share link in the open worker while the editor shows "Opening…" with
   * Cancel. A valid graph opens as a new library graph (the one open now stays in the library);
   * a refused one is listed, and nothing changes.
   */
  openRequest = async (req: WorkerOpenRequest, label: string): Promise<boolean> => {
    const opened = await this.readInWorker(req, label);
    if (!opened) return false;
    if (!opened.ok) {
      if (opened.code === 'cancelled') this.toast('info', `Opening ${label} was cancelled; nothing changed.`);
      else this.store.set({ fileErrors: { title: opened.title, lines: opened.lines } });
      return false;
    }
    await this.openAsNew(opened, `Opened ${label}`);
    return true;
  };

  /**
   * Runs one request in the open worker, showing "Opening…" meanwhile; null when a newer request
   * replaced it. The caller says what a refusal means (the share link has its own dialog).
   */
  readInWorker = async (req: WorkerOpenRequest, label: string): Promise<PageOpened | Cancelled | null> => {
    this.openAbort?.abort();
    const abort = new AbortController();
    this.openAbort = abort;
    this.store.set({ opening: { label } });
    const opened = await this.opener().open(req, abort.signal);
    // Receiving a big graph took this task a while already: show it in a task of its own.
    await nextTask();
    if (this.openAbort !== abort) return null;
    this.openAbort = null;
    this.store.set({ opening: null });
    return opened;
  };

  cancelOpen = (): void => {
    this.openAbort?.abort();
  };

  /** Opens a graph read by the open worker as a new library graph, with its warnings said. */
  openAsNew = async (opened: Extract<PageOpened, { ok: true }>, what: string): Promise<void> => {
    if (!(await this.readyToLeave())) return;
    // The open worker writes the new library graph (it has it already); the page saves only edits.
    const id = storage.newGraphId();
    const saved = await this.opener().saveOpened(opened.token, id);
    this.switchTo(id, opened.graph, opened.issues);
    if (!saved.ok) await this.saveNow();
    this.store.set({ libraryOpen: false });
    if (opened.imported) {
      // A ComfyUI workflow: the report says what mapped, what differs and what to do.
      this.store.set({ importReport: { title: `${what} from ComfyUI`, lines: reportLines(opened.imported.report) } });
      this.toast('info', `${what} from ComfyUI. Your previous graph is in the Library.`);
      return;
    }
    const warnings = opened.warnings.filter((w) => w.severity === 'warning');
    this.toast(
      warnings.length ? 'warning' : 'info',
      warnings.length
        ? `${what} with ${warnings.length} warning(s): ${warnings.map(issueToLine).slice(0, 3).join('; ')}. Your previous graph is in the Library.`
        : `${what}. Your previous graph is in the Library.`,
      warnings.length ? 10_000 : 5000,
    );
  };

  openFile = async (file: File): Promise<void> => {
    if (file.size > LIMITS.fileBytes) {
      this.store.set({
        fileErrors: { title: `${file.name} could not be opened`, lines: [`the file is ${formatMegabytes(file.size)}; graph files are limited to ${formatMegabytes(LIMITS.fileBytes)}`] },
      });
      return;
    }
    // A .json graph, or a PNG Weft saved (its graph rides in a text chunk): the worker reads it and tells.
    await this.openRequest({ kind: 'blob', name: file.name, blob: file }, file.name);
  };

  saveToFile = (): void => {
    const graph = this.graph;
    downloadText(serializeGraph(graph), `${fileNameFor(graph.metadata.title)}.json`);
  };

  /** Downloads the graph's mapped part as a ComfyUI API-format prompt, saying what was left out. */
  exportComfy = (): void => {
    const { prompt, skipped } = weftToComfy(this.graph);
    const count = Object.keys(prompt).length;
    if (!count) {
      this.toast('warning', 'Nothing in this graph has a ComfyUI counterpart to export.', 7000);
      return;
    }
    downloadText(JSON.stringify(prompt, null, 2), `${fileNameFor(this.graph.metadata.title)}.comfyui-api.json`);
    this.toast(skipped.length ? 'warning' : 'info', `Exported ${count} ComfyUI nodes (API format).${skipped.length ? ` Left out: ${skipped.slice(0, 3).join('; ')}${skipped.length > 3 ? '; …' : ''}.` : ''}`, skipped.length ? 10_000 : 5000);
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

  /**
   * Opens the last graph from browser storage, or the demo graph on a first visit. A stored
   * graph that cannot be opened never stops the editor: a blank graph starts, the banner says
   * what failed and offers the broken graph as a download; the library keeps it.
   */
  restore = async (): Promise<void> => {
    try {
      const id = await storage.getCurrentGraphId();
      const r = id ? await this.opener().openStored(id) : undefined;
      if (id && r?.ok) {
        const rescued = await this.rescuedEdits(id, r.modified);
        const opened = rescued ?? r;
        this.switchTo(id, opened.graph, opened.issues);
        this.store.set({ ready: true });
        // Models start loading now, while the canvas draws, rather than after the first validation.
        this.prewarmIfChanged();
        if (rescued) {
          this.toast('warning', 'Edits that could not be saved last time were recovered from this browser; they are saved now.', 10_000);
          await this.saveNow();
        }
        return;
      }
      if (id && r && !r.ok && r.code !== 'missing') {
        this.store.set({ recovery: { title: r.title, lines: r.lines, text: 'text' in r ? (r.text ?? null) : null, id } });
        this.switchTo(storage.newGraphId(), emptyGraph('Untitled graph'));
      } else {
        this.switchTo(storage.newGraphId(), this.store.get().docId ? defaultGraph() : this.graph);
      }
      this.store.set({ ready: true });
      this.prewarmIfChanged();
      await this.saveNow();
    } catch (err) {
      this.store.set({ ready: true, storageError: `Browser storage is not available, so work is not saved automatically: ${String(err)}. Save to a file to keep your work.` });
    }
  };

  /** The canvas could not draw the open graph: keep it in the library, offer it, start a blank one. */
  renderFailed = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    if (this.graph.nodes.length === 0) {
      // Not the graph's doing: starting another blank graph would only fail again.
      this.store.set({ storageError: `The canvas could not be drawn (${message}). Reload the page; your graphs are in the library.` });
      return;
    }
    const { docId } = this.store.get();
    let text: string | null = null;
    try {
      text = JSON.stringify(this.graph);
    } catch {
      // The download is then unavailable; the library still has the graph.
    }
    this.store.set({ recovery: { title: this.graph.metadata.title, lines: [`drawing it failed: ${message}`], text, id: docId } });
    // The graph stays in the library (and, if storage refuses it, in the rescue copy) even so.
    void this.saveNow().then(() => {
      this.switchTo(storage.newGraphId(), emptyGraph('Untitled graph'));
      return this.saveNow();
    });
  };

  /** Downloads the graph the banner is about, exactly as it was stored. */
  downloadRecovered = (): void => {
    const r = this.store.get().recovery;
    if (!r?.text) return;
    downloadText(r.text, `${fileNameFor(r.title || 'recovered-graph')}.json`);
  };

  private switchTo(id: string, graph: Graph, issues?: readonly GraphIssue[]): void {
    // An edit made while the switch was under way is saved with the graph it belongs to.
    if (this.dirty) void this.saveNow();
    clearTimeout(this.retryTimer);
    this.retries = 0;
    markChecked(graph);
    this.history.reset(graph);
    // What is switched to is stored already (or its caller saves it): no autosave of it now.
    clearTimeout(this.autosaveTimer);
    // The first save and size check after opening then find each item's JSON ready.
    if (graph.nodes.length > 300) warmJsonCache(graph, whenIdle);
    this.knownIssues = issues ? { graph, issues } : null;
    this.dirty = false;
    this.store.set((s) => ({ docId: id, selection: EMPTY_SELECTION, saved: 'saved', runAttempted: false, viewVersion: s.viewVersion + 1 }));
    this.clearResults();
    void storage.setCurrentGraphId(id).catch((err) => this.storageFailed(err));
  }

  private scheduleAutosave(): void {
    this.dirty = true;
    if (this.store.get().saved !== 'error') this.store.set({ saved: 'unsaved' });
    clearTimeout(this.autosaveTimer);
    this.autosaveTimer = setTimeout(() => void this.saveNow(), AUTOSAVE_MS);
  }

  private saving: Promise<void> = Promise.resolve();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;

  /**
   * Writes the open graph now (also called on pagehide / when the tab is hidden); the graph and
   * its id are taken when it is called. Saves run one after another, so an older graph never
   * lands after a newer one. A failed save keeps a copy in localStorage (so a crash or a kill
   * loses nothing) and, while the graph is open, is retried until storage takes it.
   */
  saveNow = (): Promise<void> => {
    clearTimeout(this.autosaveTimer);
    clearTimeout(this.retryTimer);
    const id = this.store.get().docId;
    const graph = this.graph;
    if (!id) return this.saving;
    this.dirty = false;
    const job = this.saving.then(() => this.writeGraph(id, graph));
    this.saving = job.catch(() => undefined);
    return job;
  };

  private async writeGraph(id: string, graph: Graph): Promise<void> {
    const open = () => this.store.get().docId === id;
    if (open()) this.store.set({ saved: 'saving' });
    try {
      await storage.saveGraph(id, graph);
      clearRescue(id);
      if (open()) {
        this.retries = 0;
        if (this.graph === graph) this.store.set({ saved: 'saved', storageError: null });
      }
    } catch (err) {
      keepRescue(id, graph);
      if (!open()) return; // its rescue copy stands in until that graph saves (opening it reads the copy)
      this.dirty = true;
      this.storageFailed(err);
      const delay = RETRY_MS[Math.min(this.retries++, RETRY_MS.length - 1)];
      this.retryTimer = setTimeout(() => void this.saveNow(), delay);
    }
  }

  /**
   * Saves the open graph before another one opens; false (and says why) while storage refuses it,
   * so edits are never left behind for a graph that is no longer open.
   */
  private async readyToLeave(): Promise<boolean> {
    await this.saveNow();
    if (this.store.get().saved !== 'error') return true;
    this.toast('error', "This graph's latest edits are not saved yet (see the banner), so another graph was not opened. Free space or save it to a file first.", 10_000);
    return false;
  }

  /** Whether an edit has not reached storage yet (the page asks before it is closed then). */
  get hasUnsavedEdits(): boolean {
    return this.dirty || this.store.get().saved === 'error';
  }

  flushIfDirty = (): void => {
    if (this.dirty) void this.saveNow();
  };

  /** A copy of edits that storage refused earlier, when it is newer than the stored graph. */
  private async rescuedEdits(id: string, storedModified: number): Promise<Extract<PageOpened, { ok: true }> | null> {
    const rescue = readRescue(id);
    if (!rescue || rescue.modified <= storedModified) return null;
    const r = await this.opener().open({ kind: 'text', name: 'recovered edits', text: rescue.json });
    return r.ok ? r : null;
  }

  private storageFailed(err: unknown): void {
    this.store.set({ saved: 'error', storageError: storage.describeStorageError(err) });
  }

  openLibraryGraph = async (id: string): Promise<void> => {
    if (!(await this.readyToLeave())) return;
    this.openAbort?.abort();
    const abort = (this.openAbort = new AbortController());
    this.store.set({ opening: { label: 'the library graph' } });
    const r = await this.opener().openStored(id, abort.signal);
    if (this.openAbort !== abort) return;
    this.openAbort = null;
    this.store.set({ opening: null });
    if (!r.ok) {
      if (r.code === 'cancelled') return;
      const title = 'title' in r && r.title ? `"${r.title}"` : 'The graph';
      this.store.set({ fileErrors: { title: `${title} could not be opened`, lines: r.lines } });
      return;
    }
    // Edits storage refused for this graph earlier are in its rescue copy.
    const rescued = await this.rescuedEdits(id, r.modified);
    this.switchTo(id, (rescued ?? r).graph, (rescued ?? r).issues);
    this.store.set({ libraryOpen: false });
    if (rescued) {
      this.toast('warning', 'Edits to this graph that could not be saved before were recovered from this browser; they are saved now.', 10_000);
      await this.saveNow();
    }
  };

  newGraph = async (graph: Graph, issues?: readonly GraphIssue[]): Promise<void> => {
    if (!(await this.readyToLeave())) return;
    this.switchTo(storage.newGraphId(), graph, issues);
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

function mergeIssues(a: readonly GraphIssue[], b: readonly GraphIssue[]): GraphIssue[] {
  const key = (i: GraphIssue) => `${i.code}\u0000${i.path}\u0000${i.message}`;
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((i) => !seen.has(key(i)))];
}

/** Resolves in a later task, so the work after it does not lengthen the current one. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Waits between retries of a failed save: soon at first, then every half minute. */
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/** Runs `step` in idle moments until it returns false (a timer where there is no requestIdleCallback). */
function whenIdle(step: () => boolean): void {
  const run = () => {
    if (step()) schedule();
  };
  const schedule = () => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: 2000 }) : setTimeout(run, 16));
  schedule();
}

function downloadText(text: string, fileName: string): void {
  downloadBlob(new Blob([text], { type: 'application/json' }), fileName);
}

export interface RunMode {
  step?: boolean;
  /** Time travel: start a loop from a kept step of its last run (see engine/executor/trajectory.ts). */
  resume?: ResumeRequest;
  onStart?: (runId: string) => void;
  onEvents?: (events: TransferEvent[]) => void;
  /** Step mode: how long the run has waited for Next, left out of its time. */
  pausedMs?: () => number;
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

