import type { z } from 'zod';
import { GraphV1Schema } from './schemaV1';

/**
 * One step lifts a document from `from` to `from + 1`. `schema` is the frozen schema of version
 * `from`; the input is checked against it before the step runs. v1 is the baseline, so the
 * list is empty today; a v2 adds { from: 1, schema: GraphV1Schema, up } here, a fixture
 * tests/fixtures/graphs/v1-*.json, and the migration test picks both up.
 */
export interface MigrationStep {
  from: number;
  schema: z.ZodType;
  up(doc: unknown): unknown;
}

export const MIGRATIONS: readonly MigrationStep[] = [];

/** The frozen schema of each version, by number. */
export const SCHEMAS_BY_VERSION: Readonly<Record<number, z.ZodType>> = { 1: GraphV1Schema };

export type MigrationResult =
  | { ok: true; doc: unknown; applied: number[] }
  | { ok: false; version: number; issues: z.core.$ZodIssue[] };

/** Runs the steps from `version` up to `target`; each input is validated by its version's schema. */
export function runMigrations(doc: unknown, version: number, target: number, steps: readonly MigrationStep[] = MIGRATIONS): MigrationResult {
  let cur = doc;
  const applied: number[] = [];
  for (let v = version; v < target; v++) {
    const step = steps.find((s) => s.from === v);
    if (!step) throw new Error(`no migration from schema version ${v}`);
    const parsed = step.schema.safeParse(cur);
    if (!parsed.success) return { ok: false, version: v, issues: parsed.error.issues };
    cur = step.up(parsed.data);
    applied.push(v);
  }
  return { ok: true, doc: cur, applied };
}
