import type { z } from 'zod';
import { issue, type GraphIssue, type PathPart } from '../errors';
import type { Registry } from '../nodeDefinition';
import { CURRENT_SCHEMA_VERSION, GraphSchema, type Graph } from './document';
import { LIMITS, formatMegabytes } from './limits';
import { graphChars } from './size';
import { MIGRATIONS, runMigrations, type MigrationStep } from './migrations';

export type ParseResult =
  | { ok: true; value: Graph; warnings: GraphIssue[]; migratedFrom?: number }
  | { ok: false; errors: GraphIssue[] };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Turns unknown input (parsed JSON from a file, a link, a PNG) into a current-version Graph, or a
 * list of errors with paths. Never throws (not even on a throwing getter or a Proxy), never runs
 * code of the file's, and copies the input into fresh plain objects so that keys like
 * `__proto__` cannot reach a prototype.
 */
export function parseGraph(input: unknown, registry?: Registry, steps: readonly MigrationStep[] = MIGRATIONS): ParseResult {
  try {
    return parseUnsafe(input, registry, steps);
  } catch (err) {
    // Only a bug can land here (sanitize catches what the input itself throws); say so, never throw.
    return { ok: false, errors: [issue('unreadable', '', `the graph could not be read: ${describeThrown(err)}`)] };
  }
}

function parseUnsafe(input: unknown, registry: Registry | undefined, steps: readonly MigrationStep[]): ParseResult {
  const errors: GraphIssue[] = [];
  const clean = sanitize(input, [], errors, 0);
  if (errors.length) return { ok: false, errors: errors.slice(0, 50) };
  if (typeof clean !== 'object' || clean === null || Array.isArray(clean)) {
    return { ok: false, errors: [issue('not_a_graph', '', 'a graph file holds a JSON object with schemaVersion, metadata, nodes and edges')] };
  }
  const version = (clean as Record<string, unknown>).schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: [issue('no_version', ['schemaVersion'], 'schemaVersion is missing or not a positive integer; is this a Weft graph file?')] };
  }
  const target = Math.max(CURRENT_SCHEMA_VERSION, ...steps.map((s) => s.from + 1));
  if (version > target) {
    return {
      ok: false,
      errors: [issue('newer_version', ['schemaVersion'], `this graph was saved by a newer Weft (schema version ${version}); this one reads versions up to ${target}`)],
    };
  }
  let doc: unknown = clean;
  if (version < target) {
    let migrated;
    try {
      migrated = runMigrations(clean, version, target, steps);
    } catch (e) {
      return { ok: false, errors: [issue('migration_failed', ['schemaVersion'], `could not upgrade from schema version ${version}: ${(e as Error).message}`)] };
    }
    if (!migrated.ok) return { ok: false, errors: zodIssues(migrated.issues, `(as schema version ${migrated.version}) `) };
    doc = migrated.doc;
  }
  const parsed = GraphSchema.safeParse(doc);
  if (!parsed.success) return { ok: false, errors: zodIssues(parsed.error.issues) };
  const graph = parsed.data as Graph;
  const warnings = registry ? upgradeNodeTypes(graph, registry) : [];
  const hard = warnings.filter((w) => w.severity === 'error');
  if (hard.length) return { ok: false, errors: hard };
  // Measured once the nodes are in their final form (the size cache keeps each node's JSON).
  const chars = graphChars(graph);
  if (chars > LIMITS.graphChars) {
    return { ok: false, errors: [issue('too_large', '', `the graph is ${formatMegabytes(chars)} as compact JSON; graphs are limited to ${formatMegabytes(LIMITS.graphChars)}`)] };
  }
  return { ok: true, value: graph, warnings, ...(version < target ? { migratedFrom: version } : {}) };
}

/** Parses the text of a graph file: size, JSON syntax, then parseGraph. */
export function parseGraphText(text: string, registry?: Registry): ParseResult {
  if (text.length > LIMITS.fileBytes) {
    return { ok: false, errors: [issue('too_large', '', `the file is ${formatMegabytes(text.length)}; graph files are limited to ${formatMegabytes(LIMITS.fileBytes)}`)] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [issue('invalid_json', '', `not valid JSON: ${(e as Error).message}`)] };
  }
  return parseGraph(json, registry);
}

/** Graphs up to this size are saved indented (readable, diffable); larger ones compactly. */
const INDENT_UP_TO = 1024 * 1024;

/**
 * The text of a graph file: indented while small, compact when large, so a saved file is never
 * more than the graph's compact size plus its indentation and always opens again.
 */
export function serializeGraph(graph: Graph): string {
  return graphChars(graph) <= INDENT_UP_TO ? JSON.stringify(graph, null, 2) : JSON.stringify(graph);
}

/** Lifts node params written by older versions of their type; unknown types are kept as they are. */
function upgradeNodeTypes(graph: Graph, registry: Registry): GraphIssue[] {
  const out: GraphIssue[] = [];
  graph.nodes.forEach((node, i) => {
    const def = registry.get(node.type);
    if (!def) {
      out.push(issue('unknown_type', ['nodes', i, 'type'], `unknown node type '${node.type}': kept as an inert placeholder`, { severity: 'warning', nodeId: node.id }));
      return;
    }
    if (node.typeVersion > def.version) {
      out.push(
        issue('newer_node_version', ['nodes', i, 'typeVersion'], `node '${node.id}' is ${def.title} version ${node.typeVersion}, newer than this Weft's version ${def.version}`, {
          severity: 'warning',
          nodeId: node.id,
        }),
      );
      return;
    }
    if (node.typeVersion < def.version) {
      if (!def.migrate) {
        out.push(issue('no_node_migration', ['nodes', i, 'typeVersion'], `node '${node.id}' (${def.title}) is version ${node.typeVersion} and cannot be upgraded to ${def.version}`, { nodeId: node.id }));
        return;
      }
      // A new node object, never a changed one: caches keyed by node objects stay true.
      graph.nodes[i] = { ...node, params: def.migrate(node.params, node.typeVersion), typeVersion: def.version };
    }
  });
  return out;
}

function zodIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): GraphIssue[] {
  return issues.slice(0, 50).map((i) => issue(i.code, i.path as PathPart[], prefix + describeZodIssue(i)));
}

function describeZodIssue(i: z.core.$ZodIssue): string {
  const field = i.path.length ? String(i.path[i.path.length - 1]) : 'the document';
  if (i.code === 'invalid_type') {
    const received = /received (\w+)/.exec(i.message)?.[1];
    return received === undefined || received === 'undefined' ? `${field} is required (expected ${i.expected})` : `${field} should be ${i.expected}, not ${received}`;
  }
  return i.message;
}

/**
 * The first reason `value` is not plain graph data (a forbidden key, too deep, a string past the
 * limit, something that is not JSON), with its path; undefined when it is plain data.
 */
export function plainDataIssue(value: unknown, path: PathPart[] = []): GraphIssue | undefined {
  const errors: GraphIssue[] = [];
  sanitize(value, path, errors, path.length);
  return errors[0];
}

function describeThrown(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return 'an unreadable error';
  }
}

/**
 * Copies JSON-like input into fresh objects, refusing forbidden keys, deep nesting and long
 * strings. Input that is not plain data (a getter that throws, a Proxy) is refused at its path.
 */
function sanitize(value: unknown, path: PathPart[], errors: GraphIssue[], depth: number): unknown {
  try {
    return sanitizeValue(value, path, errors, depth);
  } catch (err) {
    errors.push(issue('unreadable', path, `this value could not be read: ${describeThrown(err)}`));
    return undefined;
  }
}

function sanitizeValue(value: unknown, path: PathPart[], errors: GraphIssue[], depth: number): unknown {
  if (errors.length >= 50) return undefined;
  if (depth > LIMITS.depth) {
    errors.push(issue('too_deep', path, `nested more than ${LIMITS.depth} levels deep`));
    return undefined;
  }
  if (typeof value === 'string') {
    if (value.length > LIMITS.stringLength) errors.push(issue('string_too_long', path, `text of ${value.length} characters; the limit is ${LIMITS.stringLength}`));
    return value;
  }
  // -0 is written 0 by JSON: it is 0 here too, so a graph equals itself reopened.
  if (typeof value === 'number') return value === 0 ? 0 : value;
  if (value === null || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.length > LIMITS.edges) {
      errors.push(issue('too_many_items', path, `a list of ${value.length} items is longer than any graph needs`));
      return undefined;
    }
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      let child: unknown;
      try {
        child = value[i];
      } catch (err) {
        errors.push(issue('unreadable', [...path, i], `this value could not be read: ${describeThrown(err)}`));
        continue;
      }
      items.push(sanitize(child, [...path, i], errors, depth + 1));
    }
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object)) {
      if (FORBIDDEN_KEYS.has(key)) {
        errors.push(issue('forbidden_key', [...path, key], `the key '${key}' is not allowed in a graph file`));
        continue;
      }
      let child: unknown;
      try {
        child = (value as Record<string, unknown>)[key];
      } catch (err) {
        errors.push(issue('unreadable', [...path, key], `this value could not be read: ${describeThrown(err)}`));
        continue;
      }
      out[key] = sanitize(child, [...path, key], errors, depth + 1);
    }
    return out;
  }
  errors.push(issue('not_json', path, `a ${typeof value} is not a JSON value`));
  return undefined;
}
