import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EXAMPLES, exampleJson } from '../examples/build';
import { parseGraphText } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { registry } from '@/nodes';

describe.each(Object.keys(EXAMPLES))('example %s', (name) => {
  const text = readFileSync(`examples/${name}.json`, 'utf8');
  it('is what examples/build.ts writes', () => {
    expect(text).toBe(exampleJson(name));
  });
  it('parses and validates without errors', () => {
    const r = parseGraphText(text, registry);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(validateGraph(r.value, registry).filter((i) => i.severity === 'error')).toEqual([]);
  });
});

describe('docs', () => {
  it('docs/nodes.md is written from the current definitions', async () => {
    const { nodeReferenceMarkdown } = await import('@/engine/nodeDocs');
    const { NODE_DEFINITIONS } = await import('@/nodes');
    expect(readFileSync('docs/nodes.md', 'utf8')).toBe(nodeReferenceMarkdown(NODE_DEFINITIONS));
  });
});
