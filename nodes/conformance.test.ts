import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NODE_DEFINITIONS } from './index';
import { PORT_TYPES } from '@/engine/types/portTypes';

describe.each(NODE_DEFINITIONS.map((d) => [d.type, d] as const))('node %s', (_type, def) => {
  it('has a well-formed definition', () => {
    expect(def.type).toMatch(/^[a-z]+\.[A-Za-z0-9]+$/);
    expect(Number.isInteger(def.version) && def.version >= 1).toBe(true);
    expect(def.title.length).toBeGreaterThan(0);
    expect(def.category.length).toBeGreaterThan(0);
    expect(def.description).toMatch(/\.$/);
    for (const port of [...def.inputs, ...def.outputs]) {
      expect(PORT_TYPES).toContain(port.type);
      expect(port.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    }
    const names = (ports: readonly { name: string }[]) => ports.map((p) => p.name);
    expect(new Set(names(def.inputs)).size).toBe(def.inputs.length);
    expect(new Set(names(def.outputs)).size).toBe(def.outputs.length);
  });

  it('has defaults for every param, so a new node is valid', () => {
    const parsed = def.params.safeParse({});
    expect(parsed.success).toBe(true);
    // Every param can be described as JSON Schema (for the CLI and docs).
    expect(() => z.toJSONSchema(def.params)).not.toThrow();
  });
});
