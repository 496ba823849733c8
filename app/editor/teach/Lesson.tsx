'use client';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ViewportPortal, useReactFlow } from '@xyflow/react';
import { registry } from '@/nodes';
import { useEditor } from '../EditorContext';
import { lessonSteps, type LessonStep } from './lessonSteps';
import './teach.css';

/** Space the lesson card takes at the bottom of the canvas: nodes are centred above it. */
const CARD_SPACE = 190;
const ZOOM = 0.85;

/**
 * "Lesson": a step-by-step walk through the open graph in execution order. Each step centres
 * and rings its nodes on the canvas and tells what they do; Back/Next or the arrow keys move,
 * Esc or Close ends it and leaves the canvas as it was.
 */
export const Lesson = memo(function Lesson() {
  const graph = useEditor((s) => s.graph);
  const [at, setAt] = useState<number | null>(null);
  const open = at !== null;
  const steps = useMemo(() => (open ? lessonSteps(graph, registry) : []), [graph, open]);
  const launch = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => {
    setAt(null);
    launch.current?.focus();
  }, []);
  const hasNodes = useEditor((s) => s.graph.nodes.length > 0);
  if (!hasNodes && at === null) return null;
  return (
    <>
      <button ref={launch} className="btn lesson-launch" data-testid="lesson-open" title="A guided walk through this graph, node by node" onClick={() => setAt(0)} disabled={at !== null}>
        Lesson
      </button>
      {at !== null && steps.length ? <LessonCard steps={steps} at={Math.min(at, steps.length - 1)} go={setAt} close={close} /> : null}
    </>
  );
});

function LessonCard({ steps, at, go, close }: { steps: LessonStep[]; at: number; go: (i: number) => void; close: () => void }) {
  const rf = useReactFlow();
  const step = steps[at];
  const last = at === steps.length - 1;
  const cardRef = useRef<HTMLDivElement>(null);

  // Centre the step's nodes above the card (the introduction shows the whole graph).
  useEffect(() => {
    if (!step.nodeIds.length) {
      void rf.fitView({ padding: 0.12, duration: 300 });
      return;
    }
    const box = bounds(rf, step.nodeIds);
    if (box) void rf.setCenter(box.x + box.w / 2, box.y + box.h / 2 + CARD_SPACE / 2 / ZOOM, { zoom: ZOOM, duration: 300 });
  }, [rf, step]);

  useEffect(() => {
    cardRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      const typing = (e.target as HTMLElement | null)?.closest('input, textarea, select, [contenteditable]');
      if (typing) return;
      if (e.key === 'Escape') close();
      else if (e.key === 'ArrowRight' && !last) go(at + 1);
      else if (e.key === 'ArrowLeft' && at > 0) go(at - 1);
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [at, last, go, close]);

  return (
    <>
      <ViewportPortal>{step.nodeIds.length ? <Ring ids={step.nodeIds} /> : null}</ViewportPortal>
      <div className="lesson-card" role="dialog" aria-label="Lesson" tabIndex={-1} ref={cardRef} data-testid="lesson-card" data-step={at} data-nodes={step.nodeIds.join(',')}>
        <div className="lesson-kicker">
          <span>Lesson · how this graph works</span>
          <span>
            {at + 1} / {steps.length}
          </span>
        </div>
        <div className="lesson-title" data-testid="lesson-title">
          {step.title}
        </div>
        <p className="lesson-text">{step.text}</p>
        {step.maths ? <div className="explain-maths">{step.maths}</div> : null}
        <div className="lesson-actions">
          <div className="lesson-dots" aria-hidden>
            {steps.map((_, i) => (
              <span key={i} className={i === at ? 'on' : ''} />
            ))}
          </div>
          <span className="spacer" />
          <button className="btn ghost" data-testid="lesson-close" onClick={close}>
            Close
          </button>
          <button className="btn" data-testid="lesson-back" disabled={at === 0} onClick={() => go(at - 1)}>
            Back
          </button>
          {last ? (
            <button className="btn primary" data-testid="lesson-finish" onClick={close}>
              Finish
            </button>
          ) : (
            <button className="btn primary" data-testid="lesson-next" onClick={() => go(at + 1)}>
              Next
            </button>
          )}
        </div>
      </div>
    </>
  );
}

/** A glowing ring around the step's nodes, drawn in flow coordinates so it pans and zooms with them. */
function Ring({ ids }: { ids: readonly string[] }) {
  const rf = useReactFlow();
  const box = bounds(rf, ids);
  if (!box) return null;
  const pad = 8;
  return <div className="lesson-ring" data-testid="lesson-ring" style={{ transform: `translate(${box.x - pad}px, ${box.y - pad}px)`, width: box.w + pad * 2, height: box.h + pad * 2 }} />;
}

function bounds(rf: ReturnType<typeof useReactFlow>, ids: readonly string[]): { x: number; y: number; w: number; h: number } | undefined {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const id of ids) {
    const n = rf.getInternalNode(id);
    if (!n) continue;
    const { x, y } = n.internals.positionAbsolute;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + (n.measured.width ?? 240));
    maxY = Math.max(maxY, y + (n.measured.height ?? 120));
  }
  return Number.isFinite(minX) ? { x: minX, y: minY, w: maxX - minX, h: maxY - minY } : undefined;
}
