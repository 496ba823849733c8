import type { z } from 'zod';
import type { PortSpec, PortType } from './types/portTypes';
import type { Preview } from './values';
import type { Runtime } from './runtime';

/** What a node's `run` receives. */
export interface RunContext<P> {
  readonly nodeId: string;
  /** Parameters, parsed by the definition's zod schema (defaults filled in). */
  readonly params: P;
  /** Input values by port name; optional ports that are unconnected are absent. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Aborted when the run is cancelled: long work must check it (or pass it on) and stop. */
  readonly signal: AbortSignal;
  /** Reports progress in [0, 1], optionally with a preview picture or a line of text (tokens as they stream). */
  progress(fraction: number, preview?: Preview, text?: string): void;
  /** The model runtime of the host. */
  readonly runtime: Runtime;
  /** Set when the node runs inside a repeat zone. */
  readonly iteration?: { zoneId: string; index: number; count: number };
  /** Denoising time travel for loops (the Sampler): absent where the host keeps no steps. */
  readonly steps?: StepHistory;
}

/**
 * Where a loop keeps its steps. Call `begin` once, then `keep` with the state before each step
 * and, at the end, the final state. When `resume` is set the run continues from that kept step:
 * start there with its values (`begin` already holds the steps before it).
 */
export interface StepHistory {
  readonly resume?: { readonly step: number; readonly values: Readonly<Record<string, unknown>> };
  begin(count: number): void;
  keep(step: number, values: Readonly<Record<string, unknown>>, preview?: Preview): Promise<void>;
}

export type NodeOutputs = Record<string, unknown>;

/** One series over steps: the Explain panel draws it as a small line plot. */
export interface ExplainChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly values: readonly number[];
  /** Plot on a log scale (values must be positive). */
  readonly log?: boolean;
  readonly caption?: string;
}

/** How a node takes part in a repeat zone; ordinary nodes have none. */
export type ZoneRole = 'repeatInput' | 'repeatOutput';

/**
 * One node type. Everything else (palette, widgets, validation, CLI listing, docs) is derived
 * from this object; nothing outside nodes/ branches on a type id.
 */
export interface NodeDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Stable id, e.g. `math.arithmetic`. */
  readonly type: string;
  /** Bumped when params or ports change meaning; `migrate` lifts old params. */
  readonly version: number;
  readonly title: string;
  /** Palette category, e.g. 'Values', 'Math', 'Text', 'Tensors', 'Output', 'Flow', 'Debug'. */
  readonly category: string;
  /** One sentence: what it computes. */
  readonly description: string;
  /** A longer explanation for the Explain panel (what and why, the maths in a sentence). */
  readonly explain?: string;
  /** The maths in a line or two of plain text with Unicode symbols, for the Explain panel and docs. */
  readonly maths?: string;
  /** A small chart for the Explain panel computed from the params (the scheduler's noise levels). */
  explainChart?(params: z.infer<S>): ExplainChart | { error: string };
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** Parameters; every field has a default so a freshly added node is valid. */
  readonly params: S;
  /**
   * Port types this node is the usual source of: "Complete graph" adds it to feed a required input
   * of such a type that nothing in the graph can feed. At most one node type claims each type.
   */
  readonly supplies?: readonly PortType[];
  /** Marks sinks whose values a run reports (Output nodes). A run with no targets runs all of them. */
  readonly isOutput?: boolean;
  /** Runs models: its events name the backend that ran it (webgpu, wasm, cpu). */
  readonly usesModels?: boolean;
  /** Repeat-zone boundary nodes; their ports come from the zone's carried values. */
  readonly zoneRole?: ZoneRole;
  /** How the editor draws it: 'note' is a sticky note on the canvas (no ports, never runs). */
  readonly appearance?: 'note';
  /**
   * Optional idle-time warm-up (e.g. creating model sessions) so the first run does not pay for
   * it. Must only do work a run of this node would do anyway; failures are ignored (the run
   * reports them).
   */
  prewarm?(ctx: { params: z.infer<S>; runtime: Runtime; signal: AbortSignal }): Promise<void>;
  /** Lifts params written by an older version of this type to the current one. */
  migrate?(params: Record<string, unknown>, fromVersion: number): Record<string, unknown>;
  run(ctx: RunContext<z.infer<S>>): Promise<NodeOutputs> | NodeOutputs;
}

/** Helper that keeps the params type for `run` while storing the general type in the registry. */
export function defineNode<S extends z.ZodObject>(def: NodeDefinition<S>): NodeDefinition {
  return def as unknown as NodeDefinition;
}

export type Registry = ReadonlyMap<string, NodeDefinition>;

export function makeRegistry(defs: readonly NodeDefinition[]): Registry {
  const map = new Map<string, NodeDefinition>();
  for (const d of defs) {
    if (map.has(d.type)) throw new Error(`node type '${d.type}' is defined twice`);
    map.set(d.type, d);
  }
  return map;
}
