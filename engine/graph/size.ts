import type { Graph } from './document';
import { LIMITS, formatMegabytes } from './limits';

/**
 * The compact JSON of a graph, built from the JSON of its items. Edits are immer recipes, so an
 * unchanged node keeps its object and its cached JSON: after one edit only the changed items are
 * written again. The text equals `JSON.stringify(graph)` exactly.
 */
const itemJson = new WeakMap<object, string>();

/** `JSON.stringify(item)`, cached per (immutable) item object. */
export function jsonOfItem(item: object): string {
  let json = itemJson.get(item);
  if (json === undefined) {
    json = JSON.stringify(item);
    itemJson.set(item, json);
  }
  return json;
}

const LISTS = new Set(['nodes', 'edges', 'zones', 'groups']);

/** The graph's compact JSON (`JSON.stringify(graph)`), reusing the cached JSON of unchanged items. */
export function compactJson(graph: Graph, itemText: (item: object, list: string) => string = jsonOfItem): string {
  return compactJsonParts(graph, itemText).join('');
}

/**
 * The same text in pieces (one per item, and the punctuation between), for writers that take a
 * list of strings (a Blob) and need not join megabytes into one string first.
 */
export function compactJsonParts(graph: Graph, itemText: (item: object, list: string) => string = jsonOfItem): string[] {
  const parts: string[] = ['{'];
  let first = true;
  for (const key of Object.keys(graph)) {
    const value = (graph as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (LISTS.has(key) && Array.isArray(value)) {
      parts.push('[');
      value.forEach((item: object, i) => parts.push(i ? ',' : '', itemText(item, key)));
      parts.push(']');
    } else parts.push(JSON.stringify(value));
  }
  parts.push('}');
  return parts;
}

/** Fills the JSON cache a few items at a time in idle moments, so the first save after opening a big graph is cheap. */
export function warmJsonCache(graph: Graph, whenIdle: (work: () => boolean) => void): void {
  const items: object[] = [...graph.nodes, ...graph.edges];
  let next = 0;
  whenIdle(() => {
    const end = Math.min(items.length, next + 200);
    for (; next < end; next++) jsonOfItem(items[next]);
    return next < items.length;
  });
}

/** Characters of the graph's compact JSON, without building it. */
export function graphChars(graph: Graph): number {
  let n = 2;
  let first = true;
  for (const key of Object.keys(graph)) {
    const value = (graph as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    n += (first ? 0 : 1) + JSON.stringify(key).length + 1;
    first = false;
    if (LISTS.has(key) && Array.isArray(value)) {
      n += 2 + Math.max(0, value.length - 1);
      for (const item of value) n += jsonOfItem(item).length;
    } else n += JSON.stringify(value).length;
  }
  return n;
}

/**
 * Why a graph is past the limits every reader enforces, or undefined when it is within them. The
 * editor refuses an edit that would make this say something, so whatever it saves opens again.
 */
export function limitProblem(graph: Graph): string | undefined {
  if (graph.nodes.length > LIMITS.nodes) return `a graph holds at most ${LIMITS.nodes.toLocaleString('en')} nodes`;
  if (graph.edges.length > LIMITS.edges) return `a graph holds at most ${LIMITS.edges.toLocaleString('en')} wires`;
  if (graph.zones.length > LIMITS.zones) return `a graph holds at most ${LIMITS.zones.toLocaleString('en')} repeat zones`;
  if (graph.groups.length > LIMITS.groups) return `a graph holds at most ${LIMITS.groups.toLocaleString('en')} groups`;
  const chars = graphChars(graph);
  if (chars > LIMITS.graphChars) return `the graph would be ${formatMegabytes(chars)}; a graph is at most ${formatMegabytes(LIMITS.graphChars)} (as compact JSON)`;
  return undefined;
}
