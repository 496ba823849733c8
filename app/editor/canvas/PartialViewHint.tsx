'use client';
import { Panel, useReactFlow, type FitViewOptions } from '@xyflow/react';

/** Says the canvas opened on part of a wide graph, and shows the whole with one click. */
export function PartialViewHint({ fitOptions, onDone }: { fitOptions: FitViewOptions; onDone: () => void }) {
  const rf = useReactFlow();
  return (
    <Panel position="bottom-left" className="partial-view-hint" data-testid="partial-view-hint">
      <span>Showing where this graph starts, at a size you can read.</span>
      <button
        type="button"
        className="btn small"
        data-testid="show-whole-graph"
        onClick={() => {
          void rf.fitView({ ...fitOptions, duration: 250 });
          onDone();
        }}
      >
        Show the whole graph
      </button>
      <button type="button" className="icon-button" aria-label="Dismiss" title="Dismiss" onClick={onDone}>
        ×
      </button>
    </Panel>
  );
}
