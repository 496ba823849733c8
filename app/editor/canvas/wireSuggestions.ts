import { canConnect } from '@/engine/types/canConnect';
import type { PortSpec } from '@/engine/types/portTypes';
import type { NodeDefinition } from '@/engine/nodeDefinition';

/** A wire dragged from a port and let go over empty canvas. */
export interface LooseWire {
  readonly nodeId: string;
  readonly port: string;
  /** 'output': dragged from an output (the new node takes it as input); 'input': the reverse. */
  readonly side: 'output' | 'input';
  readonly spec: PortSpec;
}

/**
 * The port of `def` a loose wire would connect to, or null: the first that accepts it, preferring one
 * of the same type to one that takes any value (so a text wire lands on 'text', not on an 'any').
 */
export function portFor(def: NodeDefinition, wire: LooseWire): string | null {
  if (def.zoneRole || def.appearance === 'note') return null;
  const ports = wire.side === 'output' ? def.inputs : def.outputs;
  const fits = ports.filter((p) => (wire.side === 'output' ? canConnect(wire.spec, p) : canConnect(p, wire.spec)).ok);
  const exact = fits.find((p) => p.type === wire.spec.type);
  return (exact ?? fits.find((p) => p.type !== 'any') ?? fits[0])?.name ?? null;
}

/** Node types that fit a loose wire, those with a port of exactly its type first. */
export function suggestionsFor(defs: readonly NodeDefinition[], wire: LooseWire): NodeDefinition[] {
  const fit = defs.filter((d) => portFor(d, wire) !== null);
  const ports = (d: NodeDefinition) => (wire.side === 'output' ? d.inputs : d.outputs);
  const exact = (d: NodeDefinition) => ports(d).some((p) => p.type === wire.spec.type && p.type !== 'any');
  return [...fit.filter(exact), ...fit.filter((d) => !exact(d))];
}

/** A node's "Connect 'latent'" to-do asking the canvas to offer what can feed that input. */
export interface SuggestionRequest {
  readonly nodeId: string;
  readonly port: string;
  /** Where the to-do was clicked, in page pixels. */
  readonly screen: { x: number; y: number };
}

const listeners = new Set<(r: SuggestionRequest) => void>();

export function askSuggestions(r: SuggestionRequest): void {
  for (const l of listeners) l(r);
}

export function onSuggestionRequest(listener: (r: SuggestionRequest) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
