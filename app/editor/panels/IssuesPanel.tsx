'use client';
import { memo, useMemo } from 'react';
import { useReactFlow } from '@xyflow/react';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { completeGraph, completionPlan } from '../canvas/completeGraph';

/**
 * Every validation problem in the graph, each under the name of its node ("Sampler: input
 * 'latent' is not connected"); clicking one selects its node and brings it into view. Before the
 * first Run, inputs not yet connected are listed calmly as steps still to take.
 */
export const IssuesPanel = memo(function IssuesPanel() {
  const issues = useEditor((s) => s.issues);
  const nodes = useEditor((s) => s.graph.nodes);
  const building = useEditor((s) => !s.runAttempted);
  const ctrl = useController();
  const rf = useReactFlow();
  const titles = useMemo(() => new Map(nodes.map((n) => [n.id, n.label || registry.get(n.type)?.title || n.type])), [nodes]);
  const todo = (code: string) => building && code === 'missing_input';
  const errors = issues.filter((i) => i.severity === 'error' && !todo(i.code)).length;
  const graph = useEditor((s) => s.graph);
  const gaps = issues.some((i) => i.code === 'missing_input');
  // What "Complete graph" would do, for its tooltip; offered only when it would do something.
  const plan = useMemo(() => (gaps ? completionPlan(ctrl) : null), [gaps, graph, ctrl]);
  const canComplete = plan !== null && (plan.nodes.length > 0 || plan.edges.length > 0);
  return (
    <div className="issues" data-testid="issues-panel">
      <div className="issues-head">
        <span>Problems</span>
        <span className={`count ${errors ? 'count-error' : issues.length ? 'count-warn' : 'count-ok'}`} data-testid="issues-count">
          {issues.length}
        </span>
        {canComplete ? (
          <button type="button" className="btn issues-complete" data-testid="complete-graph" title={`Complete graph: ${plan.summary}`} onClick={() => completeGraph(ctrl, rf)}>
            Complete graph
          </button>
        ) : null}
      </div>
      <div className="issues-list">
        {issues.length === 0 ? <div className="muted small pad">No problems found.</div> : null}
        {issues.map((i, k) => {
          const title = i.nodeId !== undefined ? titles.get(i.nodeId) : undefined;
          // The node is named in front; the validator's "node 'id' (Title): " lead is not repeated.
          const text = title !== undefined ? i.message.replace(/^node '[^']*' \([^)]*\): /, '') : i.message;
          return (
            <button
              type="button"
              key={k}
              className={`issue ${todo(i.code) ? 'sev-todo' : `sev-${i.severity}`}`}
              data-testid="issue"
              title={i.path ? `${i.path}: ${i.message}` : i.message}
              onClick={() => {
                if (!i.nodeId) return;
                ctrl.selectNodes([i.nodeId]);
                const n = rf.getInternalNode(i.nodeId);
                if (n) rf.setCenter(n.internals.positionAbsolute.x + (n.measured.width ?? 200) / 2, n.internals.positionAbsolute.y + (n.measured.height ?? 100) / 2, { zoom: Math.max(rf.getZoom(), 0.8), duration: 300 });
              }}
            >
              <span className="issue-sev">{todo(i.code) ? '○' : i.severity === 'error' ? '●' : '▲'}</span>
              <span className="issue-text">
                {title !== undefined ? <span className="issue-node">{title}: </span> : i.path ? <span className="issue-path mono">{i.path}</span> : null}
                {text}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
});
