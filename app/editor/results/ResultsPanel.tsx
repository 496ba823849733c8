'use client';
import { useEffect, useState } from 'react';
import { serializeGraph } from '@/engine/graph/parse';
import { pngWithGraph } from '@/lib/graphPng';
import { encodePng } from '@/lib/png';
import { useController, useEditor } from '../EditorContext';
import { PixelImage } from '../canvas/PixelImage';
import { downloadBytes, safeFileName } from '../files/fileData';
import type { ResultEntry } from './results';
import './results.css';

/**
 * This session's results, large: the picture scaled up with sharp pixels, the prompt and seed that
 * made it, Save PNG (with the graph inside), Copy, and every earlier result as a strip to pick from.
 */
export function ResultsPanel() {
  const ctrl = useController();
  const results = useEditor((s) => s.results);
  const open = useEditor((s) => s.resultsOpen);
  const [imageIndex, setImageIndex] = useState(0);
  useEffect(() => setImageIndex(open?.image ?? 0), [open]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') ctrl.store.set({ resultsOpen: null });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, ctrl]);
  if (!open) return null;
  const entry = results.find((r) => r.id === open.entry) ?? results[0];
  const close = () => ctrl.store.set({ resultsOpen: null });
  return (
    <div className="modal-backdrop" onPointerDown={(e) => e.target === e.currentTarget && close()}>
      <div className="modal modal-wide results-panel" role="dialog" aria-modal="true" aria-labelledby="results-title" data-testid="results-panel">
        <div className="modal-head">
          <h2 id="results-title">Results</h2>
          <span className="muted">{results.length ? `${results.length} this session` : 'none yet'}</span>
          <button type="button" className="btn ghost" onClick={close} data-testid="results-close" aria-label="Close">
            ×
          </button>
        </div>
        {entry ? <ResultView entry={entry} index={Math.min(imageIndex, entry.images.length - 1)} onIndex={setImageIndex} /> : <p className="muted">Run a graph with an Image Output node: its pictures appear here.</p>}
        {results.length > 1 ? (
          <div className="results-history" data-testid="results-history">
            {results.map((r) => (
              <button
                type="button"
                key={r.id}
                className={`results-thumb${r.id === entry?.id ? ' current' : ''}`}
                onClick={() => ctrl.store.set({ resultsOpen: { entry: r.id, image: 0 } })}
                title={`${r.prompt ?? r.name} · ${new Date(r.at).toLocaleTimeString()}`}
                data-testid="results-thumb"
              >
                <PixelImage image={r.images[0]} minWidth={48} maxWidth={48} />
              </button>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}

function ResultView({ entry, index, onIndex }: { entry: ResultEntry; index: number; onIndex: (i: number) => void }) {
  const ctrl = useController();
  const image = entry.images[index];
  const base = safeFileName(entry.name, 'image');
  const save = () => {
    downloadBytes(pngWithGraph(image, serializeGraph(entry.graph)), `${base}${entry.images.length > 1 ? `-${index + 1}` : ''}.png`, 'image/png');
    ctrl.toast('info', `Saved ${base}.png with the graph that made it inside`);
  };
  const copy = async () => {
    try {
      const blob = new Blob([encodePng(image) as BlobPart], { type: 'image/png' });
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })]);
      ctrl.toast('info', 'Copied the image');
    } catch (e) {
      ctrl.toast('error', `The browser did not let Weft copy the image: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <div className="results-view">
      <div className="results-large" data-testid="results-large">
        <PixelImage image={image} minWidth={384} maxWidth={384} testId="results-image" />
      </div>
      <div className="results-info">
        <dl>
          <dt>Prompt</dt>
          <dd data-testid="results-prompt">{entry.prompt ?? <span className="muted">(none found)</span>}</dd>
          {entry.negative ? (
            <>
              <dt>Negative</dt>
              <dd>{entry.negative}</dd>
            </>
          ) : null}
          <dt>Seed</dt>
          <dd data-testid="results-seed">{entry.seed ?? <span className="muted">(none)</span>}</dd>
          <dt>Output</dt>
          <dd>
            {entry.name} · {image.width}×{image.height}
            {entry.images.length > 1 ? ` · ${index + 1} of ${entry.images.length}` : ''}
          </dd>
          <dt>Made</dt>
          <dd>
            {new Date(entry.at).toLocaleTimeString()} · {entry.graphTitle || 'untitled graph'}
          </dd>
        </dl>
        {entry.images.length > 1 ? (
          <div className="results-batch">
            {entry.images.map((im, i) => (
              <button type="button" key={i} className={`results-thumb${i === index ? ' current' : ''}`} onClick={() => onIndex(i)} aria-label={`image ${i + 1}`}>
                <PixelImage image={im} minWidth={40} maxWidth={40} />
              </button>
            ))}
          </div>
        ) : null}
        <div className="results-actions">
          <button type="button" className="btn" onClick={save} data-testid="results-save">
            Save PNG
          </button>
          <button type="button" className="btn ghost" onClick={() => void copy()} data-testid="results-copy">
            Copy
          </button>
        </div>
      </div>
    </div>
  );
}

/** Run bar button: this session's results, large. */
export function ResultsButton() {
  const ctrl = useController();
  const count = useEditor((s) => s.results.length);
  return (
    <button
      type="button"
      className="btn icon results-button"
      onClick={() => ctrl.openResults()}
      data-testid="results-button"
      aria-label={`Results${count ? ` (${count})` : ''}`}
      title="Results: this session's images, large, with the prompt and seed that made them"
      disabled={count === 0}
    >
      <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden>
        <rect x="0.75" y="0.75" width="12.5" height="10.5" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <circle cx="4.5" cy="4" r="1.5" fill="currentColor" />
        <path d="M2 10 L6 6 L8 8 L10 5.5 L12 10 Z" fill="currentColor" />
      </svg>
      {count ? <span className="results-count">{count}</span> : null}
    </button>
  );
}
