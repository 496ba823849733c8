import { readFileSync, readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { loadGraph, openEditor, shot } from './helpers';

/** Every shipped graph (the examples, which are the templates and the first-visit graph) is laid out with no node over another. */
const EXAMPLES = readdirSync('examples').filter((f) => f.endsWith('.json'));

for (const file of EXAMPLES) {
  test(`no node of examples/${file} covers another`, async ({ page }, testInfo) => {
    await openEditor(page);
    await loadGraph(page, JSON.parse(readFileSync(`examples/${file}`, 'utf8')));
    // At zoom 1 every node shows its full body (params included), as a user working on it sees it.
    await page.evaluate(() => window.__weft!.viewport!.set({ x: 0, y: 0, zoom: 1 }));
    await page.waitForTimeout(800);
    // Boxes in flow units (the canvas' zoom divided out), as React Flow measured them.
    const overlaps = await page.evaluate(() => {
      const zoom = window.__weft!.viewport!.get().zoom;
      const boxes = [...document.querySelectorAll<HTMLElement>('.react-flow__node-weft')].map((el) => {
        const r = el.getBoundingClientRect();
        return { id: el.dataset.id!, x: r.x / zoom, y: r.y / zoom, w: r.width / zoom, h: r.height / zoom };
      });
      const out: string[] = [];
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
          const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
          if (dx > 0 && dy > 0) out.push(`${a.id} and ${b.id} overlap by ${Math.round(dx)}×${Math.round(dy)}`);
        }
      return out;
    });
    await shot(page, testInfo, `layout-${file.replace('.json', '')}`);
    expect(overlaps).toEqual([]);
  });
}
