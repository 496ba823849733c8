'use client';
import { memo } from 'react';
import type { Node, NodeProps } from '@xyflow/react';
import { GroupFrameTitle } from './GroupFrameTitle';
import { ZoneScrubber } from '../teach/ZoneScrubber';

export type FrameData = { title: string; colour: string; kind: 'zone' | 'group'; detail?: string };
export type FrameFlowNode = Node<FrameData, 'frame'>;

/** A repeat zone or group drawn as a labelled translucent frame behind its nodes. */
export const FrameNodeView = memo(function FrameNodeView({ id, data }: NodeProps<FrameFlowNode>) {
  if (data.kind === 'group') {
    // Groups get a title bar that moves, renames, colours and ungroups them.
    return (
      <div className="frame frame-group" style={{ ['--frame' as string]: data.colour }} data-testid="frame-group">
        <GroupFrameTitle groupId={id.slice('frame/group/'.length)} title={data.title} colour={data.colour} />
      </div>
    );
  }
  return (
    <div className={`frame frame-${data.kind}`} style={{ ['--frame' as string]: data.colour }} data-testid={`frame-${data.kind}`}>
      <div className="frame-title">
        {data.kind === 'zone' ? <span className="frame-icon">↻</span> : null}
        {data.title}
        {data.detail ? <span className="frame-detail">{data.detail}</span> : null}
      </div>
      {data.kind === 'zone' ? <ZoneScrubber zoneId={id.slice('frame/zone/'.length)} /> : null}
    </div>
  );
});
