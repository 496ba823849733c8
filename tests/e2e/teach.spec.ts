import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { loadGraph, node, openEditor, shot, viewSettled } from './helpers';

/** Teaching features on the first-visit graph: the step scrubber (time travel), Explain, the lesson. */

async function pixels(canvas: Locator): Promise<number[]> {
  await expect(canvas).toBeVisible();
  return canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
}

/** Shows a region of the graph (flow coordinates) at a zoom where nodes draw in full. */
async function look(page: Page, x: number, y: number, zoom: number): Promise<void> {
  await page.evaluate(({ x, y, zoom }) => window.__weft!.viewport!.set({ x: -x * zoom, y: -y * zoom, zoom }), { x, y, zoom });
  await viewSettled(page);
}

async function select(page: Page, id: string): Promise<void> {
  await node(page, id).locator('.wnode-header').click();
  await expect(page.getByTestId('inspector-title')).toBeVisible();
}

test('Explain on the scheduler plots its noise schedule from its current params', async ({ page }, testInfo) => {
  await openEditor(page);
  await look(page, 200, 200, 0.8);
  await select(page, 'scheduler');
  await page.getByTestId('explain-toggle').click();
  const panel = page.getByTestId('explain-panel');
  await expect(panel).toContainText('noise levels');
  await expect(panel).toContainText('ᾱ_t');
  await expect(panel).toContainText('schedule'); // its outputs, with types
  const plot = panel.getByTestId('explain-plot');
  await expect(plot.locator('path.curve')).toHaveAttribute('d', /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){19}$/);
  await expect(plot.locator('circle')).toHaveCount(20);
  await plot.scrollIntoViewIfNeeded();
  await shot(page, testInfo, 'explain-scheduler');
  // The plot follows the params: 8 steps give 8 points.
  const steps = page.getByTestId('inspector').locator('input[type=number]').first();
  await steps.fill('8');
  await expect(plot.locator('circle')).toHaveCount(8);
  // It stays open as the selection moves: the UNet step shows its guidance formula.
  await look(page, 1100, 100, 0.8);
  await select(page, 'unet-step');
  await expect(page.getByTestId('explain-panel')).toContainText('ε_uncond + g·(ε_cond − ε_uncond)');
});

test('the lesson walks the teaching graph node by node and closes cleanly', async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByTestId('lesson-open').click();
  const card = page.getByTestId('lesson-card');
  await expect(card).toHaveAttribute('data-step', '0');
  await expect(page.getByTestId('lesson-title')).toHaveText('Text to image, step by step');
  const visited: string[] = [];
  for (let i = 1; i <= 4; i++) {
    await page.getByTestId('lesson-next').click();
    await expect(card).toHaveAttribute('data-step', String(i));
    visited.push((await card.getAttribute('data-nodes'))!);
  }
  expect(visited).toEqual(['pipeline', 'prompt,negative', 'tokenize,tokenize-negative', 'encode,encode-negative']);
  // The step's nodes are ringed and centred in view.
  await expect(page.getByTestId('lesson-ring')).toHaveCount(1);
  await expect(page.getByTestId('lesson-title')).toHaveText('Text Encoder ×2');
  await viewSettled(page);
  const box = (await node(page, 'encode').boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  expect(box.x).toBeGreaterThan(canvas.x);
  expect(box.x + box.width).toBeLessThan(canvas.x + canvas.width);
  await expect(card).toContainText('cross-attention');
  await shot(page, testInfo, 'lesson');
  await page.keyboard.press('ArrowLeft');
  await expect(card).toHaveAttribute('data-step', '3');
  await page.keyboard.press('Escape');
  await expect(card).toHaveCount(0);
  await expect(page.getByTestId('lesson-ring')).toHaveCount(0);
  await expect(page.getByTestId('lesson-open')).toBeEnabled();
});

test('the denoising loop keeps its steps: scrub, decode one exactly, continue from one', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await openEditor(page);
  await page.evaluate(() => window.__weft!.setBackend('wasm'));
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 240_000 });
  const finalImage = await pixels(node(page, 'image').locator('canvas').first());

  // The zone's scrubber hangs under its frame.
  await look(page, 1060, 150, 0.62);
  const scrubber = page.getByTestId('scrubber-loop-out');
  const range = scrubber.getByTestId('scrubber-range');
  const step = scrubber.getByTestId('scrubber-step');
  await expect(step).toHaveText('20');
  await range.fill('1');
  await expect(step).toHaveText('1');
  const early = await pixels(scrubber.getByTestId('scrubber-preview'));
  await shot(page, testInfo, 'scrubber-step1');
  await range.fill('20');
  await expect(step).toHaveText('20');
  const last = await pixels(scrubber.getByTestId('scrubber-preview'));
  expect(last).not.toEqual(early);
  await shot(page, testInfo, 'scrubber-last');

  // Exact decode runs the graph's VAE on the latent kept at that step; the final image stays.
  await range.fill('8');
  await scrubber.getByTestId('scrubber-decode').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  await expect(scrubber.getByTestId('scrubber-exact')).toBeVisible();
  await expect(step).toHaveText('8');
  expect(await pixels(node(page, 'image').locator('canvas').first())).toEqual(finalImage);
  await shot(page, testInfo, 'scrubber-exact');

  // Continue from step 12: only steps 13..20 run, from the kept latent; nothing changed, so the same picture.
  await range.fill('12');
  await expect(scrubber.getByTestId('scrubber-continue')).toHaveText('Continue from 12');
  await scrubber.getByTestId('scrubber-continue').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await expect(scrubber.getByTestId('scrubber-meta')).toHaveText('continued from 12 · ran 8');
  const image = node(page, 'image').locator('canvas').first();
  expect(await pixels(image)).toEqual(finalImage);
  await node(page, 'loop-out').locator('.wnode-header').click();
  await expect(page.getByTestId('inspector')).toContainText('continued from the kept step 12: runs steps 13–20 of 20');
});

test('the Sampler node keeps its steps too and continues from one', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')) as { nodes: { id: string; params: Record<string, unknown> }[] };
  g.nodes.find((n) => n.id === 'scheduler')!.params.steps = 6;
  await loadGraph(page, g);
  await page.evaluate(() => window.__weft!.setBackend('wasm'));
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 180_000 });
  await look(page, 1060, 120, 0.9);
  const scrubber = page.getByTestId('scrubber-sampler');
  await expect(scrubber.getByTestId('scrubber-step')).toHaveText('6');
  await scrubber.getByTestId('scrubber-range').fill('2');
  await expect(scrubber.getByTestId('scrubber-continue')).toHaveText('Continue from 2');
  await scrubber.getByTestId('scrubber-continue').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await expect(scrubber.getByTestId('scrubber-meta')).toHaveText('continued from 2 · ran 4');
  await shot(page, testInfo, 'scrubber-sampler');
});
