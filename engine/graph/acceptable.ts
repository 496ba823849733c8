import type { z } from 'zod';
import { issueToLine, type PathPart } from '../errors';
import type { Graph } from './document';
import { plainDataIssue } from './parse';
import { EdgeV1Schema, GroupV1Schema, MetadataV1Schema, NodeV1Schema, ZoneV1Schema } from './schemaV1';
import { limitProblem } from './size';

/**
 * Whether a graph is one every reader opens: within the limits (size.ts), and each item plain data
 * that its schema accepts. The editor asks this of every edit and refuses one that would fail
 * (a 150,000-character description typed in, a pasted node with a `__proto__` key), so whatever
 * it saves opens again. Items are immutable (immer), so each is checked once.
 */
const checked = new WeakSet<object>();

function itemProblem(item: unknown, schema: z.ZodType, path: PathPart[]): string | undefined {
  if (typeof item === 'object' && item !== null && checked.has(item)) return undefined;
  const plain = plainDataIssue(item, path);
  if (plain) return issueToLine(plain);
  const r = schema.safeParse(item);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = [...path, ...(i.path as PathPart[])].map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
    return `${where}: ${i.message}`;
  }
  if (typeof item === 'object' && item !== null) checked.add(item);
  return undefined;
}

export function documentProblem(graph: Graph): string | undefined {
  const size = limitProblem(graph);
  if (size) return size;
  const lists: [keyof Pick<Graph, 'nodes' | 'edges' | 'zones' | 'groups'>, z.ZodType][] = [
    ['nodes', NodeV1Schema],
    ['edges', EdgeV1Schema],
    ['zones', ZoneV1Schema],
    ['groups', GroupV1Schema],
  ];
  const meta = itemProblem(graph.metadata, MetadataV1Schema, ['metadata']);
  if (meta) return meta;
  for (const [list, schema] of lists) {
    const items = graph[list] as readonly unknown[];
    for (let i = 0; i < items.length; i++) {
      const problem = itemProblem(items[i], schema, [list, i]);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Marks the items of a graph just parsed as checked (parsing checked them). */
export function markChecked(graph: Graph): void {
  checked.add(graph.metadata);
  for (const list of [graph.nodes, graph.edges, graph.zones, graph.groups]) for (const item of list) checked.add(item);
}
