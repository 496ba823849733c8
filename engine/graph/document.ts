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
