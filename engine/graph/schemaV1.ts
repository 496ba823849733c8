import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * Graph document, schema version 1 (the baseline). Frozen: a format change adds schemaV2.ts,
 * a migration step in migrations.ts, a fixture in tests/fixtures/graphs and a test.
 */

export const IdSchema = z
  .string()
  .min(1, 'an id cannot be empty')
  .max(LIMITS.idLength, `an id has at most ${LIMITS.idLength} characters`)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'an id may use only letters, digits and _ . : -');

const Text = (max: number = LIMITS.textLength) => z.string().max(max, `text longer than ${max} characters`);

export const PositionSchema = z.object({
  x: z.number().finite(),
  y: z.number().finite(),
});

export const NodeModeSchema = z.enum(['normal', 'bypassed', 'muted']);

export const ColourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is written #rrggbb');

export const NodeV1Schema = z.object({
  id: IdSchema,
  /** The node type id, e.g. `math.arithmetic`. Unknown types are kept as inert placeholders. */
  type: z.string().min(1).max(128),
  typeVersion: z.number().int().min(1),
  position: PositionSchema,
  params: z.record(z.string().max(128), z.unknown()),
  label: Text(200).optional(),
  colour: ColourSchema.optional(),
  mode: NodeModeSchema.default('normal'),
});

export const PortRefSchema = z.object({
  node: IdSchema,
  port: z.string().min(1).max(128),
});

export const EdgeV1Schema = z.object({
  id: IdSchema,
  from: PortRefSchema,
  to: PortRefSchema,
});

export const CarriedSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a carried value name is a plain identifier'),
  type: z.string().min(1).max(64),
});

/**
 * A repeat zone: the body nodes run `iterations` times between a repeat-input node and a
 * repeat-output node; `carried` values flow from one iteration to the next.
 */
export const ZoneV1Schema = z.object({
  id: IdSchema,
  kind: z.literal('repeat'),
  title: Text(200).optional(),
  colour: ColourSchema.optional(),
  inputNode: IdSchema,
  outputNode: IdSchema,
  nodes: z.array(IdSchema).max(LIMITS.nodes),
  carried: z.array(CarriedSchema).max(32),
});

export const GroupV1Schema = z.object({
  id: IdSchema,
  title: Text(200),
  colour: ColourSchema.optional(),
  nodes: z.array(IdSchema).max(LIMITS.nodes),
});

export const MetadataV1Schema = z.object({
  title: Text(200),
  description: Text().optional(),
  created: z.string().max(64).optional(),
  modified: z.string().max(64).optional(),
});

export const GraphV1Schema = z.object({
  schemaVersion: z.literal(1),
  metadata: MetadataV1Schema,
  nodes: z.array(NodeV1Schema).max(LIMITS.nodes, `a graph has at most ${LIMITS.nodes} nodes`),
  edges: z.array(EdgeV1Schema).max(LIMITS.edges, `a graph has at most ${LIMITS.edges} edges`),
  zones: z.array(ZoneV1Schema).max(LIMITS.zones).default([]),
  groups: z.array(GroupV1Schema).max(LIMITS.groups).default([]),
});

export type GraphV1 = z.infer<typeof GraphV1Schema>;
