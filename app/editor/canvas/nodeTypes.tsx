import type { NodeTypes } from '@xyflow/react';
import { GraphNodeView } from './GraphNodeView';
import { FrameNodeView } from './FrameNodeView';

function DotGrid() {
  return <div className="dot-grid" />;
}

/** At module scope so React Flow never sees a new object (which would remount every node). */
export const nodeTypes: NodeTypes = { weft: GraphNodeView, frame: FrameNodeView, grid: DotGrid };
