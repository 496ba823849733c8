import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { currentGraph, loadGraph, node, openEditor, shot, type DocGraph } from './helpers';

/** Issue 17: every run is kept in the browser; two can be compared; any run's graph reopens. */

const runDone = (page: Page) => expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });

const seedOf = (g: DocGraph) => (g.nodes.find((n) => n.id === 'noise') as unknown as { params: { seed?: number } } | undefined)?.params.seed;

async function setSeed(page: Page, seed: number) {
  await node(page, 'noise').locator('.wnode-header').click();
  const field = page.getByTestId('param-insp-noise-seed');
  await field.fill(String(seed));
  await field.blur();
  await expect.poll(async () => seedOf(await currentGraph(page))).toBe(seed);
}

test('two runs kept in the history are compared (the seed that changed, the pixels that moved), survive a reload, and reopen', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  g.metadata.title = 'History walk';
  g.nodes.find((n: { id: string }) => n.id === 'scheduler').params.steps = 4;
  await loadGraph(page, g);
  await setSeed(page, 7);
  await page.getByTestId('run-button').click();
  await runDone(page);
  await setSeed(page, 8);
  await page.getByTestId('run-button').click();
  await runDone(page);

  await page.getByTestId('history-button').click();
  const panel = page.getByTestId('history-panel');
  await expect(panel.getByTestId('history-row')).toHaveCount(2);
  await expect(panel.getByTestId('history-size')).toContainText('2 runs');
  await expect(panel.getByTestId('history-row').first()).toContainText('seed 8');
  await expect(panel.getByTestId('history-row').nth(1)).toContainText('seed 7');
  await expect(panel.getByTestId('history-row').first()).toContainText('History walk');
  await shot(page, testInfo, 'history-list');

  await expect(panel.getByTestId('history-diff')).toBeDisabled();
  for (const row of await panel.getByTestId('history-pick').all()) await row.check();
  await panel.getByTestId('history-diff').click();
  const diff = panel.getByTestId('run-diff');
  await expect(diff.getByTestId('diff-change')).toHaveCount(1);
  await expect(diff.getByTestId('diff-change')).toContainText('seed');
  await expect(diff.getByTestId('diff-change')).toContainText('7');
  await expect(diff.getByTestId('diff-change')).toContainText('8');
  await expect(diff.getByTestId('diff-figures')).toContainText('% of pixels changed');
  await expect(diff.getByTestId('diff-pixels')).toBeVisible();
  await expect(diff.getByTestId('diff-image-a')).toBeVisible();
  await expect(diff.getByTestId('diff-times')).toContainText('ms');
  // A and B are the two runs' pictures, as drawn: they differ, and the difference picture is not black.
  const pixels = await diff.getByTestId('diff-pixels').evaluate((c) => {
    const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 0) lit++;
    return lit;
  });
  expect(pixels).toBeGreaterThan(0);
  await shot(page, testInfo, 'history-diff');
  await panel.getByTestId('history-back').click();

  // The history is in IndexedDB: a reload keeps it.
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await page.getByTestId('history-button').click();
  await expect(panel.getByTestId('history-row')).toHaveCount(2);

  // Reopening the older run's graph opens it as a new library graph, with the seed it ran with.
  await panel.getByTestId('history-row').nth(1).getByTestId('history-open').click();
  await expect(panel).toBeHidden();
  await expect.poll(async () => seedOf(await currentGraph(page)), { timeout: 30_000 }).toBe(7);
  await expect(page.getByTestId('toast-info').last()).toContainText('Your previous graph is in the Library');

  // Delete one, then clear the rest.
  await page.getByTestId('history-button').click();
  await panel.getByTestId('history-row').first().getByTestId('history-delete').click();
  await expect(panel.getByTestId('history-row')).toHaveCount(1);
  await panel.getByTestId('history-clear').click();
  await panel.getByTestId('history-clear-confirm').click();
  await expect(panel.getByTestId('history-row')).toHaveCount(0);
  await expect(panel.getByTestId('history-size')).toContainText('0 runs');
});
