'use client';
import type { ImageValue } from '@/engine/values';
import type { Detection } from '@/ml/values';
import { PixelImage } from './PixelImage';
import { formatNumber } from './ValueView';

/**
 * Boxes drawn over the picture they were found in (or a blank of its size, when the picture is
 * not at hand), in the detections' pixel space, each labelled with its colour, shape and score.
 */
export function DetectionBoxes({ image, width, height, boxes, side, labels = false }: { image?: ImageValue; width: number; height: number; boxes: readonly Detection[]; side: number; labels?: boolean }) {
  const k = side / Math.max(width, height, 1);
  const w = Math.round(width * k);
  const h = Math.round(height * k);
  return (
    <div className="probe-boxes" style={{ width: w, height: h }} data-testid="detection-boxes">
      {image ? <PixelImage image={image} minWidth={w} maxWidth={w} /> : <div className="probe-boxes-blank" />}
      <svg width={w} height={h} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
        {boxes.map((b, i) => (
          <rect key={i} x={b.box[0]} y={b.box[1]} width={b.box[2] - b.box[0]} height={b.box[3] - b.box[1]} vectorEffect="non-scaling-stroke">
            <title>{`${b.colour} ${b.shape} ${formatNumber(b.score)}`}</title>
          </rect>
        ))}
      </svg>
      {labels
        ? boxes.map((b, i) => (
            <span key={i} className="detection-label" style={labelPlace(b, k, w)}>
              {b.colour} {b.shape} {formatNumber(Math.round(b.score * 100) / 100)}
            </span>
          ))
        : null}
    </div>
  );
}

/** Above the box's top corner on the side nearer the middle, so the label stays inside the picture. */
function labelPlace(b: Detection, k: number, w: number): { left?: number; right?: number; top: number } {
  const top = Math.max(0, Math.round(b.box[1] * k) - 14);
  return b.box[0] * k > w / 2 ? { right: Math.max(0, Math.round(w - b.box[2] * k)), top } : { left: Math.round(b.box[0] * k), top };
}
