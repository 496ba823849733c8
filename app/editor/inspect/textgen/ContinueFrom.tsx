'use client';
import { setParam } from '@/engine/commands/commands';
import { useController } from '../../EditorContext';

/**
 * Time travel for text: keeps the tokens before k as the Generate Text node's "Start with" text and
 * runs it again, so token k onwards is generated anew (with whatever settings the node has now).
 */
export function ContinueFrom({ nodeId, keep, k }: { nodeId: string; keep: string; k: number }) {
  const ctrl = useController();
  const node = ctrl.graph.nodes.find((n) => n.id === nodeId);
  if (!node || node.type !== 'textgen.generate') return null;
  return (
    <div className="gen-continue">
      <button
        type="button"
        className="btn"
        data-testid="probe-gen-continue"
        title="Keep the tokens before this one and generate the rest again (change the node's settings first to try others)"
        onClick={() => {
          if (ctrl.apply(setParam(nodeId, 'prefix', keep))) void ctrl.run();
        }}
      >
        Continue from token {k + 1}
      </button>
      {node.params.prefix ? (
        <button type="button" className="btn ghost" data-testid="probe-gen-clear-prefix" onClick={() => ctrl.apply(setParam(nodeId, 'prefix', '')) && void ctrl.run()}>
          Start over
        </button>
      ) : null}
    </div>
  );
}
