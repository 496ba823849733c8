'use client';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import type { Edge } from '@xyflow/react';
import { useEditor } from '../EditorContext';
import { portColour, portTypeLabel } from '../canvas/theme';
import { planProbe } from './probeRequest';
import { ProbeView } from './ProbeView';
import { useInspect, useInspectController } from './useInspect';

/** React Flow edge handlers: hover shows the probe card, a click pins the probe panel. */
export function useWireProbe() {
  const inspect = useInspectController();
  const onEdgeMouseEnter = useCallback((e: ReactMouseEvent, edge: Edge) => inspect.hoverEdge(edge.id, e.clientX, e.clientY), [inspect]);
  const onEdgeMouseMove = useCallback((e: ReactMouseEvent, edge: Edge) => inspect.hoverEdge(edge.id, e.clientX, e.clientY), [inspect]);
  const onEdgeMouseLeave = useCallback((_e: ReactMouseEvent, edge: Edge) => inspect.leaveEdge(edge.id), [inspect]);
  const onEdgeClick = useCallback((_e: ReactMouseEvent, edge: Edge) => inspect.pin(edge.id), [inspect]);
  return { onEdgeMouseEnter, onEdgeMouseMove, onEdgeMouseLeave, onEdgeClick };
}

/** The small card that follows the pointer over a wire, once there is a run to look into. */
export const WireProbeCard = memo(function WireProbeCard() {
  const hover = useInspect((s) => s.hover);
  const pinned = useInspect((s) => s.pinned);
  const hasRun = useEditor((s) => s.nodeRuns.size > 0);
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 262, h: 160 });
  const visible = !!hover && hasRun && hover.edgeId !== pinned;
  useEffect(() => {
    const el = ref.current;
    if (!visible || !el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.offsetWidth, h: el.offsetHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, [visible]);
  if (!visible || !hover) return null;
  // Beside the pointer, flipped to stay inside the window.
  const left = hover.x + 16 + size.w > window.innerWidth ? hover.x - 16 - size.w : hover.x + 16;
  const top = Math.max(8, Math.min(hover.y + 16, window.innerHeight - size.h - 8));
  return (
    <div ref={ref} className="probe-card" style={{ left, top }} data-testid="probe-card" role="tooltip">
      <ProbeBody edgeId={hover.edgeId} size="card" />
      <div className="probe-hint">Click the wire to pin</div>
    </div>
  );
});

/** The pinned probe: stays open beside the canvas until closed or another wire is clicked. */
export const WireProbePanel = memo(function WireProbePanel() {
  const inspect = useInspectController();
  const pinned = useInspect((s) => s.pinned);
  if (!pinned) return null;
  return (
    <aside className="probe-panel" data-testid="probe-panel" aria-label="Wire probe">
      <style>{`.react-flow__edge[data-id="${pinned.replace(/["\\]/g, '\\$&')}"] .react-flow__edge-path { stroke-width: 3.5px; filter: drop-shadow(0 0 4px currentColor); }`}</style>
      <button type="button" className="probe-close icon-button" onClick={inspect.unpin} title="Close the probe" aria-label="Close the probe" data-testid="probe-close">
        ×
      </button>
      <ProbeBody edgeId={pinned} size="panel" />
    </aside>
  );
});

function ProbeBody({ edgeId, size }: { edgeId: string; size: 'card' | 'panel' }) {
  const inspect = useInspectController();
  const graph = useEditor((s) => s.graph);
  const runs = useEditor((s) => s.nodeRuns);
  const plan = useMemo(() => planProbe(graph, edgeId, runs), [graph, edgeId, runs]);
  const entry = useInspect((s) => (plan.ok ? s.probes.get(plan.key) : undefined));
  useEffect(() => {
    inspect.ensureProbe(plan);
  }, [inspect, plan]);
  const type = plan.portType;
  return (
    <>
      {plan.edge ? (
        <header className="probe-head">
          <span className="probe-wire mono" data-testid="probe-wire">
            {plan.edge.from.node}.{plan.edge.from.port} → {plan.edge.to.node}.{plan.edge.to.port}
          </span>
          {type ? (
            <span className="probe-type" style={{ color: portColour(type), borderColor: portColour(type) }}>
              {portTypeLabel(type)}
            </span>
          ) : null}
        </header>
      ) : null}
      {!plan.ok ? (
        <div className="probe-message" data-testid="probe-message">
          {plan.message}
        </div>
      ) : !entry || entry.state === 'loading' ? (
        <div className="probe-message muted">Reading the value…</div>
      ) : !entry.result.ok ? (
        <div className="probe-message" data-testid="probe-message">
          {entry.result.message}
        </div>
      ) : (
        <ProbeView summary={entry.result.summary} size={size} />
      )}
    </>
  );
}
