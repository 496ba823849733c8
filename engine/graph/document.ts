import type { z } from 'zod';
import {
  GraphV1Schema,
  NodeV1Schema,
  EdgeV1Schema,
  ZoneV1Schema,
  GroupV1Schema,
  PortRefSchema,
  NodeModeSchema,
} from './schemaV1';

/** The current document schema. When v2 arrives, these aliases move to it. */
export const CURRENT_SCHEMA_VERSION = 1 as const;
export const GraphSchema = GraphV1Schema;

export type Graph = z.infer<typeof GraphV1Schema>;
export type GraphNode = z.infer<typeof NodeV1Schema>;
export type GraphEdge = z.infer<typeof EdgeV1Schema>;
export type Zone = z.infer<typeof ZoneV1Schema>;
export type Group = z.infer<typeof GroupV1Schema>;
export type PortRef = z.infer<typeof PortRefSchema>;
export type NodeMode = z.infer<typeof NodeModeSchema>;

export function emptyGraph(title = 'Untitled graph'): Graph {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, metadata: { title }, nodes: [], edges: [], zones: [], groups: [] };
}

/**
 * The key order each item has once parsed (zod writes a schema's keys in its order). Commands
 * that add an optional key put the item back in this order, so an edited graph saves to the
 * same text that reopening it gives.
 */
export const KEY_ORDER = {
  node: ['id', 'type', 'typeVersion', 'position', 'params', 'label', 'colour', 'mode'],
  group: ['id', 'title', 'colour', 'nodes'],
  zone: ['id', 'kind', 'title', 'colour', 'inputNode', 'outputNode', 'nodes', 'carried'],
  metadata: ['title', 'description', 'created', 'modified'],
} as const;

/** `item` with its keys in `order` (others after them, as they were); the same object when already so. */
export function inKeyOrder<T extends object>(item: T, order: readonly string[]): T {
  const keys = Object.keys(item);
  const rank = (k: string) => {
    const r = order.indexOf(k);
    return r < 0 ? order.length : r;
  };
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = rank(keys[i - 1]) <= rank(keys[i]);
  if (sorted) return item;
  const out: Record<string, unknown> = {};
  for (const k of [...keys].sort((a, b) => rank(a) - rank(b))) out[k] = (item as Record<string, unknown>)[k];
  return out as T;
}
