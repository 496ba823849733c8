'use client';
import { useEffect } from 'react';
import { useStore } from '@xyflow/react';

const zoomOf = (s: { transform: [number, number, number] }) => s.transform[2];

/**
 * Puts the canvas zoom in the CSS variable --rf-zoom on the flow element, so what must stay legible
 * when zoomed out (a compact node's key params) can size itself without re-rendering any node.
 */
export function ZoomVar() {
  const zoom = useStore(zoomOf);
  useEffect(() => {
    document.querySelector<HTMLElement>('.react-flow')?.style.setProperty('--rf-zoom', String(zoom));
  }, [zoom]);
  return null;
}
