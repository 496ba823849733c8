'use client';
import { memo } from 'react';
import { setMode } from '@/engine/commands/commands';
import type { NodeMode } from '@/engine/graph/document';
import { useController } from '../EditorContext';

const TOGGLES: readonly { mode: NodeMode; icon: string; testId: string; on: string; off: string }[] = [
  { mode: 'bypassed', icon: '⤼', testId: 'mode-bypass', on: 'Bypassed: inputs pass straight through. Click to run it again.', off: 'Bypass: pass the inputs through without running this node' },
  { mode: 'muted', icon: '⊘', testId: 'mode-mute', on: 'Muted: this node does not run. Click to run it again.', off: 'Mute: do not run this node (nodes that need it are skipped)' },
];

/** Bypass and mute toggles in a node's header (the same mode the inspector edits). */
export const NodeModeButtons = memo(function NodeModeButtons({ id, mode }: { id: string; mode: NodeMode }) {
  const ctrl = useController();
  return (
    <span className="wnode-modes nodrag">
      {TOGGLES.map((t) => (
        <button
          key={t.mode}
          type="button"
          className={`wnode-mode-btn${mode === t.mode ? ' on' : ''}`}
          aria-pressed={mode === t.mode}
          title={mode === t.mode ? t.on : t.off}
          data-testid={t.testId}
          onClick={() => ctrl.apply(setMode([id], mode === t.mode ? 'normal' : t.mode))}
        >
          {t.icon}
        </button>
      ))}
    </span>
  );
});
