import type { ImageValue } from '@/engine/values';

/** Largest image a Load Image node keeps in the graph (its param's limit). */
export const MAX_IMAGE_DATA_URL = 4_000_000;
/** Largest .npy a Load Tensor node keeps in the graph, before base64 (4 MB of text). */
export const MAX_NPY_BYTES = 2_990_000;

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) bin += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(bin);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * The value of an image param when it is safe to show as an <img>: a base64 data URL of a PNG,
 * JPEG or WebP, which the browser decodes without any request. Anything else (an https: or
 * javascript: address from a hostile file) is never put in a src; null.
 */
export function imageDataUrlOrNull(value: string): string | null {
  return /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]*={0,2}$/.test(value) ? value : null;
}

/** Draws a picked PNG/JPEG/WebP on a canvas and returns it as a PNG data URL. */
export async function imageFileToPngDataUrl(file: Blob): Promise<{ ok: true; dataUrl: string; width: number; height: number } | { ok: false; message: string }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { ok: false, message: 'this file is not an image the browser can read; choose a PNG, JPEG or WebP' };
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  bitmap.close();
  const dataUrl = canvas.toDataURL('image/png');
  if (dataUrl.length > MAX_IMAGE_DATA_URL) {
    return { ok: false, message: `as a PNG this image is ${formatBytes(dataUrl.length)}; the limit is ${formatBytes(MAX_IMAGE_DATA_URL)}: use a smaller image` };
  }
  return { ok: true, dataUrl, width: canvas.width, height: canvas.height };
}

/** Starts a download of bytes under a file name. */
export function downloadBytes(bytes: Uint8Array, fileName: string, type: string): void {
  downloadBlob(new Blob([bytes as BlobPart], { type }), fileName);
}

/** Starts a download of a Blob (text is made one without a copy on this thread's heap). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A name safe for a downloaded file. */
export function safeFileName(name: string, fallback: string): string {
  return name.trim().replace(/[^\p{L}\p{N}._ -]+/gu, '').replace(/\s+/g, '-').slice(0, 80) || fallback;
}

export function imagesOf(value: unknown): ImageValue[] {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as { kind?: string; items?: unknown[] };
  if (v.kind === 'image') return [value as ImageValue];
  if (v.kind === 'list' && Array.isArray(v.items)) return v.items.flatMap(imagesOf);
  return [];
}
