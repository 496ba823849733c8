'use client';
import { useController, useEditor } from '../EditorContext';
import { StepScrubber } from './StepScrubber';
import './teach.css';

/** The loops of the last run that kept their steps: each one's scrubber, at any zoom. */
function useLoops(): { id: string; title: string }[] {
  const runs = useEditor((s) => s.nodeRuns);
  const graph = useEditor((s) => s.graph);
  const out: { id: string; title: string }[] = [];
  for (const [id, r] of runs) {
    if (!r.steps) continue;
    const node = graph.nodes.find((n) => n.id === id);
    if (!node) continue;
    const zone = graph.zones.find((z) => z.outputNode === id);
    out.push({ id, title: zone?.title ?? node.label ?? (node.type === 'sampling.sampler' ? 'Sampler' : id) });
  }
  return out;
}

/** Run bar button: opens the steps of the last run's denoising loops without zooming in to them. */
export function StepsButton() {
  const ctrl = useController();
  const open = useEditor((s) => s.stepsOpen);
  const loops = useLoops();
  return (
    <button
      type="button"
      className={`btn icon${open ? ' active' : ''}`}
      aria-label="Steps"
      aria-pressed={open}
      disabled={loops.length === 0 && !open}
      onClick={() => ctrl.store.set({ stepsOpen: !open })}
      data-testid="steps-button"
      title={loops.length ? 'Every kept step of the last run: scrub, decode one exactly, continue from it' : 'A run whose loops keep their steps (Sampler previews, or a loop with Preview and keep every step) makes them scrubbable here'}
    >
      <svg width="14" height="12" viewBox="0 0 14 12" aria-hidden>
        <rect x="0" y="5" width="14" height="2" rx="1" fill="currentColor" opacity="0.5" />
        <circle cx="5" cy="6" r="3" fill="currentColor" />
        <rect x="0" y="0" width="2" height="12" rx="1" fill="currentColor" />
        <rect x="12" y="0" width="2" height="12" rx="1" fill="currentColor" />
      </svg>
    </button>
  );
}

export function StepsPanel() {
  const ctrl = useController();
  const open = useEditor((s) => s.stepsOpen);
  const loops = useLoops();
  if (!open) return null;
  return (
    <div className="steps-panel" data-testid="steps-panel">
      <div className="steps-panel-head">
        <b>Steps of the last run</b>
        <button type="button" className="btn ghost small" onClick={() => ctrl.store.set({ stepsOpen: false })} aria-label="Close steps" data-testid="steps-close">
          ×
        </button>
      </div>
      {loops.length === 0 ? <div className="muted">No loop kept its steps in the last run.</div> : null}
      <div className="steps-panel-loops">
        {loops.map((l) => (
          <div key={l.id} className="steps-panel-loop" data-testid={`steps-loop-${l.id}`}>
            <div className="steps-panel-title">{l.title}</div>
            <StepScrubber nodeId={l.id} variant="frame" />
          </div>
        ))}
      </div>
    </div>
  );
}
