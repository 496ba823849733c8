'use client';
import { memo } from 'react';
import { setMode } from '@/engine/commands/commands';
import type { NodeMode } from '@/engine/graph/document';
import { useController } from './EditorContext';

/** Bypass and mute toggles in a node's header (the same mode the inspector edits). */
export const NodeModeButtons = memo(function NodeModeButtons({ id, mode }: { id: string; mode: NodeMode }) {
  const ctrl = useController();
  const toggle = (m: NodeMode) => ctrl.apply(setMode([id], mode === m ? 'normal' : m));
  return (
    <span className="wnode-modes nodrag">
      <button
        type="button"
        className={`wnode-mode-btn${mode === 'bypassed' ? ' on' : ''}`}
        aria-pressed={mode === 'bypassed'}
        title={mode === 'bypassed' ? 'Bypassed: inputs pass straight through. Click to run it again.' : 'Bypass: pass the inputs through without running this node'}
        data-testid="mode-bypass"
        onClick={() => toggle('bypassed')}
      >
        ⤼
      </button>
      <button
        type="button"
        className={`wnode-mode-btn${mode === 'muted' ? ' on' : ''}`}
        aria-pressed={mode === 'muted'}
        title={mode === 'muted' ? 'Muted: this node does not run. Click to run it again.' : 'Mute: do not run this node (nodes that need it are skipped)'}
        data-testid="mode-mute"
        onClick={() => toggle('muted')}
      >
        ⊘
      </button>
    </span>
  );
});
