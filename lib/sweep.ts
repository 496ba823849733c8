/**
 * A sweep: every combination of some params' values over one graph (an X/Y/Z grid), as `weft
 * batch` queues it and the editor's Grid dialog runs it. Pure: specs and graphs in, cells out.
 */
import { produce } from 'immer';
import type { Graph } from '@/engine/graph/document';

export const MAX_CELLS = 1024;

export interface Sweep {
  /** `NODE.PARAM` */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Cell {
  /** The value index of each sweep. */
  readonly index: readonly number[];
  /** `NODE.PARAM=VALUE` per sweep. */
  readonly sets: readonly string[];
  readonly label: string;
}

/**
 * Values as a list (`a,b,c`) or a range: `from..to` (step 1) or `from..to:step`, inclusive.
 * Returns the values, or why they cannot be read.
 */
export function parseValues(raw: string): { ok: true; values: string[] } | { ok: false; message: string } {
  const range = /^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*(?::\s*(\d+(?:\.\d+)?))?\s*$/.exec(raw);
  if (range) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
    if (!(step > 0) || to < from) return { ok: false, message: `'${raw}': a range goes up, from..to, with a step above 0` };
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > MAX_CELLS) return { ok: false, message: `'${raw}' makes ${n} values; a sweep makes at most ${MAX_CELLS} cells` };
    return { ok: true, values: Array.from({ length: n }, (_, i) => String(Number((from + i * step).toFixed(10)))) };
  }
  const values = raw.split(',').map((v) => v.trim()).filter((v) => v.length);
  if (!values.length) return { ok: false, message: 'no values: give a list (1,2,3) or a range (1..16)' };
  return { ok: true, values };
}

/** `NODE.PARAM=v1,v2,…` or `NODE.PARAM=from..to[:step]`, as `weft batch --sweep` takes it. */
export function parseSweep(s: string): { ok: true; sweep: Sweep } | { ok: false; message: string } {
  const m = /^([A-Za-z0-9_.:-]+?\.[A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(s);
  if (!m) return { ok: false, message: `--sweep ${s}: expected NODE.PARAM=v1,v2,… or NODE.PARAM=from..to[:step]` };
  const v = parseValues(m[2]);
  if (!v.ok) return { ok: false, message: `--sweep ${s}: ${v.message}` };
  return { ok: true, sweep: { key: m[1], values: v.values } };
}

/** Every combination, the first sweep varying fastest (X), then Y, then Z. */
export function cellsOf(sweeps: readonly Sweep[]): Cell[] | { error: string } {
  const count = sweeps.reduce((n, s) => n * s.values.length, 1);
  if (count > MAX_CELLS) return { error: `the sweep makes ${count} cells; at most ${MAX_CELLS}` };
  const cells: Cell[] = [];
  for (let k = 0; k < count; k++) {
    let rest = k;
    const index = sweeps.map((s) => {
      const i = rest % s.values.length;
      rest = Math.floor(rest / s.values.length);
      return i;
    });
    const sets = sweeps.map((s, j) => `${s.key}=${s.values[index[j]]}`);
    cells.push({ index, sets, label: sets.join(' ') });
  }
  return cells;
}

/** A value as `--set` reads it: JSON when it parses (numbers, true, quoted text), else the text. */
export function valueOf(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The graph with one cell's values set (node ids must exist; the caller checked). */
export function withCell(graph: Graph, sweeps: readonly Sweep[], cell: Cell): Graph {
  return produce(graph, (g) => {
    sweeps.forEach((s, j) => {
      const dot = s.key.lastIndexOf('.');
      const node = g.nodes.find((n) => n.id === s.key.slice(0, dot));
      if (node) node.params[s.key.slice(dot + 1)] = valueOf(s.values[cell.index[j]]) as never;
    });
  });
}

/** Short column/row labels: the param's name and the value (`seed=3`). */
export function axisLabels(s: Sweep): string[] {
  const param = s.key.slice(s.key.lastIndexOf('.') + 1);
  return s.values.map((v) => `${param}=${v}`);
}
