import type { ImageValue } from '@/engine/values';

/** Conversions between model tensors (NCHW float, pixels in [-1, 1]) and RGBA images. */

/** [B,3,H,W] in [-1,1] → images, as diffusers does: round(clamp(x/2 + 0.5, 0, 1) · 255). */
export function tensorToImages(data: Float32Array, dims: readonly number[]): ImageValue[] {
  const [b, c, h, w] = dims;
  if (dims.length !== 4 || (c !== 3 && c !== 1)) throw new Error(`an image tensor is [batch,3,height,width]; got [${dims.join(',')}]`);
  const plane = h * w;
  const out: ImageValue[] = [];
  for (let n = 0; n < b; n++) {
    const px = new Uint8ClampedArray(plane * 4);
    const base = n * c * plane;
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < 3; k++) {
        const x = data[base + (c === 3 ? k : 0) * plane + i];
        px[i * 4 + k] = Math.round(Math.min(1, Math.max(0, x / 2 + 0.5)) * 255);
      }
      px[i * 4 + 3] = 255;
    }
    out.push({ kind: 'image', width: w, height: h, data: px });
  }
  return out;
}

/** Images → [B,3,H,W] in [-1,1], resized (bilinear) to width×height. */
export function imagesToTensor(images: readonly ImageValue[], width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((img, n) => {
    const src = img.width === width && img.height === height ? img : resizeImage(img, width, height);
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < 3; k++) out[(n * 3 + k) * plane + i] = (src.data[i * 4 + k] / 255) * 2 - 1;
    }
  });
  return out;
}

/** Bilinear resize (half-pixel centres), with box pre-averaging when shrinking by 2x or more. */
export function resizeImage(img: ImageValue, width: number, height: number): ImageValue {
  let src = img;
  while (src.width >= width * 2 && src.height >= height * 2) src = halve(src);
  if (src.width === width && src.height === height) return src;
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(src.height - 1, Math.floor(fy));
    const y1 = Math.min(src.height - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(src.width - 1, Math.floor(fx));
      const x1 = Math.min(src.width - 1, x0 + 1);
      const tx = fx - x0;
      for (let k = 0; k < 4; k++) {
        const a = src.data[(y0 * src.width + x0) * 4 + k];
        const b = src.data[(y0 * src.width + x1) * 4 + k];
        const c = src.data[(y1 * src.width + x0) * 4 + k];
        const d = src.data[(y1 * src.width + x1) * 4 + k];
        out[(y * width + x) * 4 + k] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
      }
    }
  }
  return { kind: 'image', width, height, data: out };
}

function halve(img: ImageValue): ImageValue {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < 4; k++) {
        const i = (2 * y * img.width + 2 * x) * 4 + k;
        out[(y * w + x) * 4 + k] = (img.data[i] + img.data[i + 4] + img.data[i + img.width * 4] + img.data[i + img.width * 4 + 4]) / 4;
      }
  return { kind: 'image', width: w, height: h, data: out };
}
