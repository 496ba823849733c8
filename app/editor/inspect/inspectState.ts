import type { ProbeResult } from '@/workers/probe';
import type { TransferEvent } from '@/workers/transfer';
import type { EditorController } from '../controller';
import { Store } from '../store';
import type { ProbePlan } from './probeRequest';

export type ProbeEntry = { state: 'loading' } | { state: 'done'; result: ProbeResult };

export interface StepView {
  /** A stepped run is in progress. */
  active: boolean;
  runId: string | null;
  /** The node the run waits before (the next node), or null while a node runs. */
  pausedAt: string | null;
  /** Set when the next step is a whole repeat zone. */
  zoneId: string | null;
  /** When the current pause began (Date.now() ms), while the run waits for Next. */
  pausedSince: number | null;
  /** Milliseconds spent waiting for Next so far: the run bar times only the work. */
  pausedMs: number;
}

/** The "see inside" tools: wire probe, run timeline and step mode. */
export interface InspectState {
  /** The wire under the pointer, with the pointer's page position. */
  hover: { edgeId: string; x: number; y: number } | null;
  /** The wire whose probe panel is pinned open. */
  pinned: string | null;
  /** Probe answers by ProbePlan key (the key changes when the source node runs again). */
  probes: ReadonlyMap<string, ProbeEntry>;
  timelineOpen: boolean;
  step: StepView;
}

const IDLE_STEP: StepView = { active: false, runId: null, pausedAt: null, zoneId: null, pausedSince: null, pausedMs: 0 };
/** Enough for every wire of a big graph seen in a session; the oldest answers go first. */
const MAX_PROBES = 96;

export class InspectController {
  readonly store = new Store<InspectState>({ hover: null, pinned: null, probes: new Map(), timelineOpen: false, step: IDLE_STEP });

  constructor(private readonly ctrl: EditorController) {}

  // ---- wire probe ----

  hoverEdge = (edgeId: string, x: number, y: number): void => {
    this.store.set({ hover: { edgeId, x, y } });
  };

  leaveEdge = (edgeId: string): void => {
    if (this.store.get().hover?.edgeId === edgeId) this.store.set({ hover: null });
  };

  pin = (edgeId: string): void => {
    this.store.set({ pinned: edgeId, hover: null });
  };

  unpin = (): void => {
    this.store.set({ pinned: null });
  };

  /** Asks the worker once per plan key; components read the answer from `probes`. */
  ensureProbe = (plan: ProbePlan): void => {
    const engine = this.ctrl.engine;
    if (!plan.ok || !engine || this.store.get().probes.has(plan.key)) return;
    const key = plan.key;
    this.setProbe(key, { state: 'loading' });
    void engine.probe(plan.request).then((result) => this.setProbe(key, { state: 'done', result }));
  };

  private setProbe(key: string, entry: ProbeEntry): void {
    this.store.set((s) => {
      // A Map keeps insertion order: past the bound, the oldest answers go first.
      const probes = new Map(s.probes);
      probes.delete(key);
      probes.set(key, entry);
      for (const old of probes.keys()) {
        if (probes.size <= MAX_PROBES) break;
        probes.delete(old);
      }
      return { probes };
    });
  }

  // ---- timeline ----

  toggleTimeline = (): void => {
    this.store.set((s) => ({ timelineOpen: !s.timelineOpen }));
  };

  // ---- step mode ----

  /** Runs every output one node at a time: the first node runs, then the run waits for Next. */
  startStep = async (): Promise<void> => {
    const status = this.ctrl.store.get().run.status;
    if (status === 'running' || status === 'cancelling' || this.store.get().step.active) return;
    this.store.set({ step: { ...IDLE_STEP, active: true } });
    try {
      await this.ctrl.run(undefined, {
        step: true,
        onStart: (runId) => this.setStep({ runId }),
        onEvents: (events) => this.onStepEvents(events),
        pausedMs: () => {
          const { pausedMs, pausedSince } = this.store.get().step;
          return pausedMs + (pausedSince !== null ? Date.now() - pausedSince : 0);
        },
      });
    } finally {
      this.store.set({ step: IDLE_STEP });
    }
  };

  /** Runs the node the run waits before, then pauses again. */
  next = (): void => {
    const { runId, pausedAt } = this.store.get().step;
    if (!runId || !pausedAt) return;
    void this.ctrl.engine?.step(runId, 'next');
  };

  /** Runs the rest without pausing. */
  continueRun = (): void => {
    const { runId } = this.store.get().step;
    if (!runId) return;
    this.setStep({ pausedAt: null, zoneId: null, ...this.resumed() });
    void this.ctrl.engine?.step(runId, 'continue');
  };

  private onStepEvents(events: readonly TransferEvent[]): void {
    let { pausedAt, zoneId, pausedSince, pausedMs } = this.store.get().step;
    for (const e of events) {
      if (e.type === 'paused') {
        pausedAt = e.nodeId;
        zoneId = e.zoneId ?? null;
        pausedSince ??= Date.now();
      } else if (e.type === 'started' && e.nodeId === pausedAt) {
        pausedAt = null;
        zoneId = null;
        if (pausedSince !== null) pausedMs += Date.now() - pausedSince;
        pausedSince = null;
      }
    }
    this.setStep({ pausedAt, zoneId, pausedSince, pausedMs });
  }

  /** The pause that ends now, added to the time spent paused. */
  private resumed(): Pick<StepView, 'pausedSince' | 'pausedMs'> {
    const { pausedSince, pausedMs } = this.store.get().step;
    return { pausedSince: null, pausedMs: pausedMs + (pausedSince !== null ? Date.now() - pausedSince : 0) };
  }

  private setStep(patch: Partial<StepView>): void {
    this.store.set((s) => (s.step.active ? { step: { ...s.step, ...patch } } : {}));
  }
}

const controllers = new WeakMap<EditorController, InspectController>();

/** One InspectController per editor. */
export function inspectOf(ctrl: EditorController): InspectController {
  let c = controllers.get(ctrl);
  if (!c) controllers.set(ctrl, (c = new InspectController(ctrl)));
  return c;
}
