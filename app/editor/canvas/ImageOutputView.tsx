'use client';
import { memo, useCallback } from 'react';
import { serializeGraph } from '@/engine/graph/parse';
import { pngWithGraph } from '@/lib/graphPng';
import type { TransferValue } from '@/workers/transfer';
import { useController } from '../EditorContext';
import { PixelImage } from './PixelImage';
import { downloadBytes, imagesOf, safeFileName } from '../files/fileData';
import '../ml.css';

/**
 * An image output's result: one image large enough to read, a batch as a grid, and
 * "Save PNG", which writes each image with the current graph inside.
 */
export const ImageOutputView = memo(function ImageOutputView({ nodeId, value }: { nodeId: string; value: TransferValue }) {
  const ctrl = useController();
  const images = imagesOf(value);
  const save = useCallback(() => {
    const graph = ctrl.graph;
    const node = graph.nodes.find((n) => n.id === nodeId);
    const base = safeFileName(typeof node?.params.name === 'string' ? node.params.name : '', 'image');
    const json = serializeGraph(graph);
    images.forEach((img, i) => downloadBytes(pngWithGraph(img, json), `${base}${images.length > 1 ? `-${i + 1}` : ''}.png`, 'image/png'));
    ctrl.toast('info', images.length > 1 ? `Saved ${images.length} PNGs with the graph inside` : `Saved ${base}.png with the graph inside`);
  }, [ctrl, nodeId, images]);
  if (!images.length) return null;
  const grid = images.length > 1;
  const cols = grid ? Math.ceil(Math.sqrt(images.length)) : 1;
  const cell = grid ? Math.floor((216 - (cols - 1) * 4) / cols) : 216;
  return (
    <div className="image-output" data-testid="image-output">
      <div className={grid ? 'image-grid' : 'image-single'} style={grid ? { gridTemplateColumns: `repeat(${cols}, ${cell}px)` } : undefined}>
        {images.map((img, i) => (
          <button type="button" key={i} className="image-open nodrag" onClick={() => ctrl.openResults(nodeId, i)} title="Open large, with the prompt and seed" data-testid="output-image-open">
            <PixelImage image={img} minWidth={grid ? Math.min(cell, 128) : 128} maxWidth={cell} testId="output-image" />
          </button>
        ))}
      </div>
      <div className="image-output-bar">
        <span className="muted mono">
          {images.length > 1 ? `${images.length} × ` : ''}
          {images[0].width}×{images[0].height}
        </span>
        <button type="button" className="btn small nodrag" onClick={save} data-testid={`save-png-${nodeId}`} title="Download as PNG, with this graph embedded so the image reopens its pipeline">
          Save PNG
        </button>
      </div>
    </div>
  );
});
