'use client';
import { StepMarker } from './StepMode';
import { WireProbeCard, WireProbePanel } from './WireProbe';
import './inspect.css';

/** Everything the "see inside" tools draw over the canvas; rendered as a child of <ReactFlow>. */
export function InspectLayer() {
  return (
    <>
      <StepMarker />
      <WireProbePanel />
      <WireProbeCard />
    </>
  );
}
