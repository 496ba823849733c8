/**
 * A labelled grid of images (an X/Y sweep): one row per Y value, one column per X value, the values
 * written above the columns and left of the rows in a small pixel font, so the grid PNG says what
 * each cell is without anything else open. Pure: images in, an image out.
 */
import type { ImageValue } from '@/engine/values';

/** 3×5 glyphs, rows top to bottom, 1 = ink. Unknown characters draw as '?'. */
const GLYPHS: ReadonlyMap<string, string> = new Map(Object.entries({
  '0': '111101101101111', '1': '010110010010111', '2': '111001111100111', '3': '111001111001111', '4': '101101111001001',
  '5': '111100111001111', '6': '111100111101111', '7': '111001010010010', '8': '111101111101111', '9': '111101111001111',
  a: '010101111101101', b: '110101110101110', c: '011100100100011', d: '110101101101110', e: '111100110100111',
  f: '111100110100100', g: '011100101101011', h: '101101111101101', i: '111010010010111', j: '001001001101010',
  k: '101101110101101', l: '100100100100111', m: '101111111101101', n: '110101101101101', o: '010101101101010',
  p: '110101110100100', q: '010101101110011', r: '110101110101101', s: '011100010001110', t: '111010010010010',
  u: '101101101101111', v: '101101101101010', w: '101101111111101', x: '101101010101101', y: '101101010010010',
  z: '111001010100111', '.': '000000000000010', ',': '000000000010100', '=': '000111000111000', '-': '000000111000000',
  '_': '000000000000111', ':': '000010000010000', ' ': '000000000000000', '?': '111001011000010', '/': '001001010100100',
  '+': '000010111010000', '(': '010100100100010', ')': '010001001001010', '#': '101111101111101',
}));
const SCALE = 2;
const CHAR_W = 4 * SCALE;
const LINE_H = 7 * SCALE;

function drawText(img: ImageValue, text: string, x0: number, y0: number, maxWidth: number): void {
  const chars = [...text.toLowerCase()].slice(0, Math.max(0, Math.floor(maxWidth / CHAR_W)));
  chars.forEach((ch, k) => {
    const g = GLYPHS.get(ch) ?? GLYPHS.get('?')!;
    for (let r = 0; r < 5; r++)
      for (let c = 0; c < 3; c++) {
        if (g[r * 3 + c] !== '1') continue;
        for (let dy = 0; dy < SCALE; dy++)
          for (let dx = 0; dx < SCALE; dx++) {
            const x = x0 + k * CHAR_W + c * SCALE + dx;
            const y = y0 + r * SCALE + dy;
            if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
            const i = (y * img.width + x) * 4;
            img.data[i] = img.data[i + 1] = img.data[i + 2] = 20;
          }
      }
  });
}

/**
 * cells[y][x] (undefined: a cell that failed, left grey). xLabels name the columns, yLabels the rows;
 * a one-axis sweep has one row and no row labels.
 */
export function labelledGrid(cells: readonly (readonly (ImageValue | undefined)[])[], xLabels: readonly string[], yLabels: readonly string[], title = ''): ImageValue {
  const first = cells.flat().find((c): c is ImageValue => c !== undefined);
  const cw = first?.width ?? 64;
  const ch = first?.height ?? 64;
  const gap = 4;
  const left = yLabels.length ? Math.min(160, Math.max(...yLabels.map((l) => l.length)) * CHAR_W + 8) : gap;
  const top = (title ? LINE_H : 0) + LINE_H + 6;
  const cols = Math.max(1, xLabels.length);
  const rows = Math.max(1, cells.length);
  const width = left + cols * (cw + gap);
  const height = top + rows * (ch + gap);
  const img: ImageValue = { kind: 'image', width, height, data: new Uint8ClampedArray(width * height * 4).fill(255) };
  if (title) drawText(img, title, left, 2, width - left);
  xLabels.forEach((l, x) => drawText(img, l, left + x * (cw + gap), top - LINE_H, cw + gap));
  yLabels.forEach((l, y) => drawText(img, l, 4, top + y * (ch + gap) + Math.floor(ch / 2) - 5, left - 6));
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const cell = cells[y]?.[x];
      const ox = left + x * (cw + gap);
      const oy = top + y * (ch + gap);
      for (let py = 0; py < ch; py++)
        for (let px = 0; px < cw; px++) {
          const o = ((oy + py) * width + ox + px) * 4;
          if (cell && px < cell.width && py < cell.height) {
            const s = (py * cell.width + px) * 4;
            img.data[o] = cell.data[s];
            img.data[o + 1] = cell.data[s + 1];
            img.data[o + 2] = cell.data[s + 2];
          } else img.data[o] = img.data[o + 1] = img.data[o + 2] = 200;
          img.data[o + 3] = 255;
        }
    }
  return img;
}
