'use client';
import { useCallback, useMemo, useRef, useState } from 'react';
import { serializeGraph } from '@/engine/graph/parse';
import type { ImageValue } from '@/engine/values';
import { encodePng } from '@/lib/png';
import { GRAPH_PNG_KEY } from '@/lib/graphPng';
import { cellsOf, parseValues, type Sweep } from '@/lib/sweep';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { PixelImage } from '../canvas/PixelImage';
import { downloadBytes, safeFileName } from '../files/fileData';
import { sweepableParams, type GridProgress, type SweepableParam } from './gridRun';
import './grid.css';
import { useEscape } from '../dialogs/useEscape';

/** The run bar's Grid button: an X/Y sweep of any two params, run here, as one labelled image. */
export function GridButton() {
  const [open, setOpen] = useState(false);
  const busy = useEditor((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  return (
    <>
      <button type="button" className="btn icon" disabled={busy && !open} onClick={() => setOpen(true)} data-testid="grid-button" aria-label="X/Y grid" title="X/Y grid: run the graph over the values of one or two params and see the images side by side">
        <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden>
          {[0, 5, 10].flatMap((x) => [0, 5, 10].map((y) => <rect key={`${x}-${y}`} x={x} y={y} width="4" height="4" rx="0.8" fill="currentColor" />))}
        </svg>
      </button>
      {open ? <GridDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function GridDialog({ onClose }: { onClose: () => void }) {
  const ctrl = useController();
  const graph = useEditor((s) => s.graph);
  const params = useMemo(() => sweepableParams(graph, registry), [graph]);
  const outputs = useMemo(() => graph.nodes.filter((n) => n.type === 'output.image'), [graph]);
  const pick = (re: RegExp) => params.find((p) => re.test(p.key));
  const [x, setX] = useState<SweepableParam | undefined>(() => pick(/\.seed$/) ?? params[0]);
  const [xValues, setXValues] = useState(() => x?.suggestion ?? '');
  const [y, setY] = useState<SweepableParam | undefined>(() => pick(/\.guidance$/));
  const [yValues, setYValues] = useState(() => y?.suggestion ?? '');
  const [output, setOutput] = useState(() => outputs[0]?.id ?? '');
  const [progress, setProgress] = useState<GridProgress | null>(null);
  const [result, setResult] = useState<{ image: ImageValue; sweeps: Sweep[]; failed: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const escape = useCallback(() => {
    if (!running.current) onClose();
  }, [onClose]);
  useEscape(escape);

  const sweeps: Sweep[] = [];
  const problems: string[] = [];
  if (!x) problems.push('This graph has no param to sweep.');
  else {
    const v = parseValues(xValues);
    if (v.ok) sweeps.push({ key: x.key, values: v.values });
    else problems.push(`X: ${v.message}`);
  }
  if (y && y.key !== x?.key) {
    const v = parseValues(yValues);
    if (v.ok) sweeps.push({ key: y.key, values: v.values });
    else problems.push(`Y: ${v.message}`);
  }
  if (!output) problems.push('The graph has no Image Output for the grid to show.');
  const cells = sweeps.length ? cellsOf(sweeps) : [];
  if ('error' in cells) problems.push(cells.error);
  const count = Array.isArray(cells) ? cells.length : 0;

  const start = async () => {
    running.current = true;
    setError(null);
    setResult(null);
    const r = await ctrl.runGrid(sweeps, output, setProgress);
    running.current = false;
    setProgress(null);
    if (r.ok) setResult({ image: r.image, sweeps, failed: r.failed });
    else setError(r.message);
  };
  const save = () => {
    if (!result) return;
    const sweep = JSON.stringify({ sweeps: result.sweeps, output });
    downloadBytes(encodePng(result.image, [[GRAPH_PNG_KEY, serializeGraph(graph)], ['weft-sweep', sweep]]), `${safeFileName(graph.metadata.title ?? '', 'grid')}-grid.png`, 'image/png');
  };
  /** An axis's param picked by key, its values reset to that param's suggestion. */
  const choose = (setParam: (p: SweepableParam | undefined) => void, setValues: (v: string) => void) => (key: string) => {
    const p = params.find((q) => q.key === key);
    setParam(p);
    if (p) setValues(p.suggestion);
  };
  const select = (value: string | undefined, set: (v: string) => void, testId: string, allowNone: boolean) => (
    <select value={value ?? ''} onChange={(e) => set(e.target.value)} data-testid={testId}>
      {allowNone ? <option value="">(none: one row)</option> : null}
      {params.map((p) => (
        <option key={p.key} value={p.key}>
          {p.label} ({p.key})
        </option>
      ))}
    </select>
  );

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !running.current && onClose()}>
      <div className="modal grid-dialog" role="dialog" aria-modal="true" aria-labelledby="grid-title" data-testid="grid-dialog">
        <h2 id="grid-title">X/Y grid</h2>
        <p className="muted">Runs the graph once per cell with the values below (a list, 1,2,3, or a range, 1..16 or 0..1:0.25). What a cell does not change is reused from the cache.</p>
        <div className="grid-fields">
          <label>X</label>
          {select(x?.key, choose(setX, setXValues), 'grid-x', false)}
          <input value={xValues} onChange={(e) => setXValues(e.target.value)} data-testid="grid-x-values" />
          <label>Y</label>
          {select(y?.key, choose(setY, setYValues), 'grid-y', true)}
          <input value={yValues} disabled={!y} onChange={(e) => setYValues(e.target.value)} data-testid="grid-y-values" />
          <label>Image</label>
          <select value={output} onChange={(e) => setOutput(e.target.value)} data-testid="grid-output">
            {outputs.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label ?? 'Image Output'} ({String(n.params.name ?? n.id)})
              </option>
            ))}
          </select>
          <span />
        </div>
        {problems.length ? (
          <ul className="grid-problems" data-testid="grid-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
        {progress ? (
          <p className="grid-progress" data-testid="grid-progress">
            cell {Math.min(progress.done + 1, progress.total)} of {progress.total}
            {progress.label ? `: ${progress.label}` : ''}
            <progress max={progress.total} value={progress.done} />
          </p>
        ) : null}
        {error ? <p className="models-error" role="alert" data-testid="grid-error">{error}</p> : null}
        {result ? (
          <div className="grid-result" data-testid="grid-result">
            <PixelImage image={result.image} minWidth={result.image.width} maxWidth={Math.max(result.image.width * 2, 640)} testId="grid-image" />
            {result.failed.length ? <p className="muted small">{result.failed.length} cells failed: {result.failed.join('; ')}</p> : null}
          </div>
        ) : null}
        <div className="modal-actions">
          {result ? (
            <button type="button" className="btn" onClick={save} data-testid="grid-save">
              Save PNG
            </button>
          ) : null}
          {progress ? (
            <button type="button" className="btn danger" onClick={ctrl.cancel} data-testid="grid-cancel">
              Cancel
            </button>
          ) : (
            <button type="button" className="btn primary" disabled={problems.length > 0} onClick={() => void start()} data-testid="grid-run">
              Run {count} cell{count === 1 ? '' : 's'}
            </button>
          )}
          <button type="button" className="btn ghost" disabled={!!progress} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
