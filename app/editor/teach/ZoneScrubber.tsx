'use client';
import { memo } from 'react';
import { useEditor } from '../EditorContext';
import { StepScrubber } from './StepScrubber';

/** A repeat zone's step scrubber, under its frame; the zone keeps its steps on its output node. */
export const ZoneScrubber = memo(function ZoneScrubber({ zoneId }: { zoneId: string }) {
  const outputNode = useEditor((s) => s.graph.zones.find((z) => z.id === zoneId)?.outputNode);
  return outputNode ? <StepScrubber nodeId={outputNode} variant="frame" /> : null;
});
