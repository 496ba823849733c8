/**
 * The editor's X/Y grid: the params a grid can sweep, and the run of every cell through the
 * editor's worker one after another (its cache keeps what a cell does not change: a seed sweep
 * reruns the noise and what follows, not the text encoder), stopped by Cancel.
 */
import type { Graph } from '@/engine/graph/document';
import type { Registry } from '@/engine/nodeDefinition';
import { isImageValue, type ImageValue } from '@/engine/values';
import { labelledGrid } from '@/lib/grid';
import { axisLabels, cellsOf, withCell, type Sweep } from '@/lib/sweep';
import type { RunResult } from '@/workers/transfer';
import { paramFields } from '../canvas/paramFields';

export interface SweepableParam {
  /** `NODE.PARAM` */
  readonly key: string;
  readonly label: string;
  /** Suggested values: the current one and a few around it. */
  readonly suggestion: string;
}

/** Params a grid can sweep: numbers, seeds, choices, switches and text, of every node. */
export function sweepableParams(graph: Graph, registry: Registry): SweepableParam[] {
  const out: SweepableParam[] = [];
  for (const n of graph.nodes) {
    const def = registry.get(n.type);
    if (!def) continue;
    for (const f of paramFields(def)) {
      const current = n.params[f.key] ?? f.default;
      let suggestion: string | undefined;
      if (f.kind === 'seed') suggestion = `${Number(current ?? 0)}..${Number(current ?? 0) + 3}`;
      else if (f.kind === 'number') suggestion = f.integer ? `${current},${Number(current) * 2}` : `${current},${Number(current) * 1.5}`;
      else if (f.kind === 'enum') suggestion = f.options.slice(0, 3).join(',');
      else if (f.kind === 'boolean') suggestion = 'false,true';
      else if (f.kind === 'text') suggestion = JSON.stringify(String(current ?? ''));
      if (suggestion !== undefined) out.push({ key: `${n.id}.${f.key}`, label: `${n.label ?? def.title} · ${f.label}`, suggestion });
    }
  }
  return out;
}

export interface GridProgress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

export type GridResult = { ok: true; image: ImageValue; cells: number; failed: string[] } | { ok: false; message: string };

/**
 * Runs each cell's graph (`run` is the editor bridge's run) and assembles a labelled grid of the
 * chosen image output. X is the first sweep, Y the second.
 */
export async function runGrid(
  graph: Graph,
  sweeps: readonly Sweep[],
  outputNode: string,
  run: (g: Graph, signal: AbortSignal) => Promise<RunResult>,
  signal: AbortSignal,
  onProgress: (p: GridProgress) => void,
): Promise<GridResult> {
  const cells = cellsOf(sweeps);
  if ('error' in cells) return { ok: false, message: cells.error };
  const images = new Map<number, ImageValue>();
  const failed: string[] = [];
  for (let k = 0; k < cells.length; k++) {
    if (signal.aborted) return { ok: false, message: `cancelled after ${k} of ${cells.length} cells` };
    onProgress({ done: k, total: cells.length, label: cells[k].label });
    const r = await run(withCell(graph, sweeps, cells[k]), signal);
    if (!r.ok) return { ok: false, message: r.message };
    if (r.report.status === 'cancelled') return { ok: false, message: `cancelled after ${k} of ${cells.length} cells` };
    const v = r.report.outputs.get(outputNode)?.get('image');
    const image = v && typeof v === 'object' && v.kind === 'list' ? v.items[0] : v;
    if (r.report.status === 'ok' && isImageValue(image)) images.set(k, image);
    else failed.push(`${cells[k].label}: ${r.report.status === 'ok' ? 'no image' : [...r.report.nodes.values()].find((n) => n.error)?.error?.message ?? r.report.status}`);
  }
  onProgress({ done: cells.length, total: cells.length, label: '' });
  const [xs, ys] = sweeps;
  const rows = (ys?.values ?? ['']).map((_, y) => xs.values.map((__, x) => images.get(cells.findIndex((c) => c.index[0] === x && (c.index[1] ?? 0) === y))));
  return { ok: true, image: labelledGrid(rows, axisLabels(xs), ys ? axisLabels(ys) : []), cells: cells.length, failed };
}
