'use client';
import { memo } from 'react';
import { NodeToolbar, Position } from '@xyflow/react';
import { registry } from '@/nodes';
import { useEditor } from '../EditorContext';
import { useInspect, useInspectController } from './useInspect';

/** Run bar controls: Step starts a stepped run; while it waits, Next runs one node, Continue the rest. */
export const StepControls = memo(function StepControls() {
  const inspect = useInspectController();
  const step = useInspect((s) => s.step);
  const busy = useEditor((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  if (!step.active) {
    return (
      <button type="button" className="btn" disabled={busy} onClick={() => void inspect.startStep()} title="Run one node at a time, pausing after each (the next node is highlighted)" data-testid="step-button">
        Step
      </button>
    );
  }
  return (
    <>
      <button type="button" className="btn primary" disabled={!step.pausedAt} onClick={inspect.next} title="Run the highlighted node, then pause again" data-testid="step-next-button">
        Next ▸
      </button>
      <button type="button" className="btn icon" onClick={inspect.continueRun} title="Continue: run the rest without pausing" aria-label="Continue" data-testid="step-continue-button">
        »
      </button>
    </>
  );
});

/** While a stepped run waits: the next node (or the whole repeat zone) glows and says so. */
export const StepMarker = memo(function StepMarker() {
  const inspect = useInspectController();
  const step = useInspect((s) => s.step);
  const graph = useEditor((s) => s.graph);
  if (!step.active || !step.pausedAt) return null;
  const zone = step.zoneId ? graph.zones.find((z) => z.id === step.zoneId) : undefined;
  const node = graph.nodes.find((n) => n.id === step.pausedAt);
  const ids = zone ? [zone.inputNode, ...zone.nodes, zone.outputNode] : [step.pausedAt];
  const name = zone ? `the repeat zone${zone.title ? '' : ` '${zone.id}'`} (all its iterations)` : node ? node.label || registry.get(node.type)?.title || node.id : step.pausedAt;
  const selector = ids.map((id) => `.react-flow__node[data-id="${cssString(id)}"] > .wnode`).join(',\n');
  return (
    <>
      <style>{`${selector} { box-shadow: 0 0 0 2px var(--warn), 0 0 22px rgba(229, 180, 84, 0.45); }`}</style>
      <NodeToolbar nodeId={step.pausedAt} isVisible position={Position.Top} offset={10}>
        <div className="step-next" data-testid="step-next" data-node={step.pausedAt}>
          <span className="step-next-label">Next:</span> {name}
          <button type="button" className="btn primary small-btn" onClick={inspect.next} data-testid="step-next-inline">
            Next ▸
          </button>
        </div>
      </NodeToolbar>
    </>
  );
});

/** A node id inside a double-quoted CSS attribute selector. */
function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\a ');
}
