'use client';
import { memo } from 'react';
import type { Node, NodeProps } from '@xyflow/react';

export type FrameData = { title: string; colour: string; kind: 'zone' | 'group'; detail?: string };
export type FrameFlowNode = Node<FrameData, 'frame'>;

/** A repeat zone or group drawn as a labelled translucent frame behind its nodes. */
export const FrameNodeView = memo(function FrameNodeView({ data }: NodeProps<FrameFlowNode>) {
  return (
    <div className={`frame frame-${data.kind}`} style={{ ['--frame' as string]: data.colour }} data-testid={`frame-${data.kind}`}>
      <div className="frame-title">
        {data.kind === 'zone' ? <span className="frame-icon">↻</span> : null}
        {data.title}
        {data.detail ? <span className="frame-detail">{data.detail}</span> : null}
      </div>
    </div>
  );
});
