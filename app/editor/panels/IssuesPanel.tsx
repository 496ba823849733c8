'use client';
import { memo } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useController, useEditor } from '../EditorContext';

/** Every validation problem in the graph; clicking one selects and shows its node. */
export const IssuesPanel = memo(function IssuesPanel() {
  const issues = useEditor((s) => s.issues);
  const ctrl = useController();
  const rf = useReactFlow();
  const errors = issues.filter((i) => i.severity === 'error').length;
  return (
    <div className="issues" data-testid="issues-panel">
      <div className="issues-head">
        <span>Problems</span>
        <span className={`count ${errors ? 'count-error' : issues.length ? 'count-warn' : 'count-ok'}`} data-testid="issues-count">
          {issues.length}
        </span>
      </div>
      <div className="issues-list">
        {issues.length === 0 ? <div className="muted small pad">No problems found.</div> : null}
        {issues.map((i, k) => (
          <button
            type="button"
            key={k}
            className={`issue sev-${i.severity}`}
            data-testid="issue"
            onClick={() => {
              if (!i.nodeId) return;
              ctrl.selectNodes([i.nodeId]);
              const n = rf.getInternalNode(i.nodeId);
              if (n) rf.setCenter(n.internals.positionAbsolute.x + (n.measured.width ?? 200) / 2, n.internals.positionAbsolute.y + (n.measured.height ?? 100) / 2, { zoom: Math.max(rf.getZoom(), 0.8), duration: 300 });
            }}
          >
            <span className="issue-sev">{i.severity === 'error' ? '●' : '▲'}</span>
            <span className="issue-text">
              {i.path ? <span className="issue-path mono">{i.path}</span> : null}
              {i.message}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
});
