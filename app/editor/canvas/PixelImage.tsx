'use client';
import { memo, useEffect, useRef } from 'react';
import type { ImageValue } from '@/engine/values';

/**
 * An RGBA image drawn on a canvas, scaled up by a whole factor to at least `minWidth` CSS
 * pixels with crisp (pixelated) edges, and never wider than `maxWidth`.
 */
export const PixelImage = memo(function PixelImage({ image, minWidth = 128, maxWidth = 216, className = '', testId }: { image: ImageValue; minWidth?: number; maxWidth?: number; className?: string; testId?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { width, height, data } = image;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || data.length !== width * height * 4) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(data), width, height), 0, 0);
  }, [width, height, data]);
  const scale = width >= minWidth ? Math.min(1, maxWidth / width) : Math.min(Math.ceil(minWidth / width), Math.max(1, Math.floor(maxWidth / width)));
  return (
    <canvas
      ref={ref}
      className={`pixel-image ${className}`}
      width={width}
      height={height}
      style={{ width: Math.round(width * scale), height: Math.round(height * scale) }}
      title={`${width}×${height}`}
      data-testid={testId}
    />
  );
});
