import { expect, test } from '@playwright/test';
import { node, openEditor, shot, testGraph, type TestGraphNode } from './helpers';

/** A 400-node grid of number → arithmetic chains, big enough for the overview. */
function bigGraph() {
  const nodes: TestGraphNode[] = [];
  const edges: [string, string, string, string][] = [];
  for (let c = 0; c < 16; c++) {
    for (let r = 0; r < 25; r++) {
      nodes.push(c === 0 ? { id: `n${c}_${r}`, type: 'values.number', x: 0, y: r * 260, params: { value: r } } : { id: `n${c}_${r}`, type: 'math.arithmetic', x: c * 320, y: r * 260 });
      if (c > 0) edges.push([`n${c - 1}_${r}`, c === 1 ? 'value' : 'result', `n${c}_${r}`, 'a']);
    }
  }
  return testGraph('Big graph', nodes, edges);
}

test('a big graph zoomed out is drawn as an overview; clicking a node zooms in to it', async ({ page }, info) => {
  await openEditor(page);
  const g = bigGraph();
  expect(await page.evaluate((doc) => window.__weft!.loadGraph(doc), g)).toEqual({ ok: true });
  const overview = page.getByTestId('overview-canvas');
  await expect(overview).toHaveAttribute('data-drawn', '400');
  // No DOM nodes while in the overview.
  await expect(page.locator('.react-flow__node-weft')).toHaveCount(0);
  await shot(page, info, 'overview');

  // Click where node n3_12 is drawn: the view zooms in to it and selects it.
  const at = await page.evaluate(() => {
    const vp = window.__weft!.viewport!.get();
    const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    return { x: pane.left + vp.x + (3 * 320 + 120) * vp.zoom, y: pane.top + vp.y + (12 * 260 + 40) * vp.zoom };
  });
  await page.mouse.click(at.x, at.y);
  await expect(node(page, 'n3_12')).toBeVisible();
  await expect(overview).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => window.__weft!.viewport!.get().zoom)).toBeGreaterThan(0.8);
  await expect(node(page, 'n3_12')).toHaveClass(/selected/);
  await shot(page, info, 'overview-zoomed-in');
});
