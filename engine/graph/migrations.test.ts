import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MIGRATIONS, SCHEMAS_BY_VERSION, type MigrationStep } from './migrations';
import { parseGraph } from './parse';
import { CURRENT_SCHEMA_VERSION } from './document';
import { validateGraph } from './validate';
import { registry } from '@/nodes';

const dir = 'tests/fixtures/graphs';
const fixtures = readdirSync(dir).filter((f) => /^v\d+-.*\.json$/.test(f));

describe('schema versions and migrations', () => {
  it('has a frozen schema and a fixture for every version up to the current one', () => {
    for (let v = 1; v <= CURRENT_SCHEMA_VERSION; v++) {
      expect(SCHEMAS_BY_VERSION[v], `schema v${v}`).toBeDefined();
      expect(fixtures.some((f) => f.startsWith(`v${v}-`)), `fixture for v${v}`).toBe(true);
    }
  });

  it('has exactly one step from each old version', () => {
    for (let v = 1; v < CURRENT_SCHEMA_VERSION; v++) expect(MIGRATIONS.filter((m) => m.from === v)).toHaveLength(1);
  });

  it.each(fixtures)('%s parses, migrates to the current version and validates', (file) => {
    const doc = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
    const from = doc.schemaVersion as number;
    expect(SCHEMAS_BY_VERSION[from].safeParse(doc).success).toBe(true);
    const r = parseGraph(doc, registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    if (from < CURRENT_SCHEMA_VERSION) expect(r.migratedFrom).toBe(from);
    expect(validateGraph(r.value, registry).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('runs every step of a chain in order, checking each input against its frozen schema', () => {
    // A stand-in future: v1 -> v2 renames metadata.title to name, v2 -> v3 renames it back.
    const v2 = z.object({ schemaVersion: z.literal(2), name: z.string() }).passthrough();
    const ran: number[] = [];
    const steps: MigrationStep[] = [
      {
        from: 1,
        schema: SCHEMAS_BY_VERSION[1],
        up: (d) => {
          ran.push(1);
          const { metadata, ...rest } = d as { metadata: { title: string } };
          return { ...rest, schemaVersion: 2, name: metadata.title };
        },
      },
      {
        from: 2,
        schema: v2,
        up: (d) => {
          ran.push(2);
          const { name, ...rest } = d as { name: string };
          return { ...rest, schemaVersion: 1, metadata: { title: name } };
        },
      },
    ];
    const doc = JSON.parse(readFileSync(`${dir}/v1-arithmetic.json`, 'utf8'));
    const r = parseGraph(doc, registry, steps);
    expect(ran).toEqual([1, 2]);
    expect(r.ok && r.value.metadata.title).toBe('Arithmetic (v1 fixture)');
    // A file that does not fit its own version's schema is refused with the version named.
    const broken = { ...doc, nodes: 'none' };
    const bad = parseGraph(broken, registry, steps);
    expect(!bad.ok && bad.errors[0].message).toMatch(/as schema version 1/);
  });

  it('upgrades node params written by an older node version', () => {
    const doc = JSON.parse(readFileSync(`${dir}/v1-arithmetic.json`, 'utf8'));
    const fake = new Map(registry);
    const number = registry.get('values.number')!;
    fake.set('values.number', { ...number, version: 2, migrate: (p) => ({ value: (p.value as number) * 10 }) });
    const r = parseGraph(doc, fake);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const a = r.value.nodes.find((n) => n.id === 'a')!;
    expect(a.typeVersion).toBe(2);
    expect(a.params).toEqual({ value: 20 });
  });
});
