import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { readPngText } from '../../lib/png';
import { GRAPH_PNG_KEY } from '../../lib/graphPng';
import { loadGraph, openEditor, shot, showWholeGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  test.setTimeout(180_000);
  await openEditor(page);
});

const runDone = (page: Page, timeout = 150_000) => expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout });

async function openTemplate(page: Page, id: string) {
  await page.getByTestId('templates-button').click();
  await page.getByTestId(`template-${id}`).click();
  await expect(page.getByTestId('templates-dialog')).toBeHidden();
  await showWholeGraph(page);
}

test('the LoRA example draws a heart the base model cannot, and says what the LoRA changes', async ({ page }, testInfo) => {
  await openTemplate(page, 'lora-heart');
  await page.getByTestId('run-button').click();
  await runDone(page);
  // The LoRA was patched into the UNet in the page's worker (from the shipped .onnx beside the .ort).
  const info = page.getByTestId('node-lora-info').getByTestId('node-output');
  await expect(info).toContainText('heart.safetensors: 82 UNet layers, 0 text-encoder layers; rank 8, alpha 8');
  await expect(info).toContainText('largest changes, ‖ΔW‖ / ‖W‖:');
  // With and without the LoRA, the same seed draws different pictures.
  const drawn = [];
  for (const id of ['image', 'image-base']) {
    const canvas = page.getByTestId(`node-${id}`).getByTestId('output-image');
    await expect(canvas).toBeVisible();
    drawn.push(await canvas.evaluate((c) => (c as HTMLCanvasElement).toDataURL()));
  }
  expect(drawn[0]).not.toBe(drawn[1]);
  await shot(page, testInfo, 'lora-heart');
});

test('compare variants: fp16 and int8 copies made in the page, with their sizes on the graph', async ({ page }, testInfo) => {
  await openTemplate(page, 'compare-variants');
  await page.getByTestId('run-button').click();
  await runDone(page);
  await expect(page.getByTestId('node-fp16-info').getByTestId('node-output')).toContainText('UNet: 109 weights to fp16, 14.09 MB → 7.17 MB (0.51×)');
  await expect(page.getByTestId('node-int8-info').getByTestId('node-output')).toContainText('UNet: 102 weights to int8, 14.09 MB → 3.79 MB (0.27×)');
  await expect(page.getByTestId('node-int8-info').getByTestId('node-output')).toContainText('VAE decoder: 14 weights to int8');
  await shot(page, testInfo, 'compare-variants');
});

test('a LoRA file imports into the Models dialog under its own name', async ({ page }) => {
  await page.getByTestId('models-button').click();
  await page.getByTestId('import-file-input').setInputFiles('public/models/shapes-v1/loras/outlined.safetensors');
  await expect(page.getByTestId('models-import-ok')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('model-row').filter({ hasText: 'outlined' })).toContainText('LoRA · outlined.safetensors');
});

test('a 4 × 4 seed × guidance grid in the editor: one labelled image, saved with the graph and the sweep; Cancel stops the rest', async ({ page }, testInfo) => {
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  g.nodes.find((n: { id: string }) => n.id === 'scheduler').params.steps = 6;
  await loadGraph(page, g);
  await page.getByTestId('grid-button').click();
  const dialog = page.getByTestId('grid-dialog');
  await expect(dialog.getByTestId('grid-x')).toHaveValue('noise.seed');
  await expect(dialog.getByTestId('grid-y')).toHaveValue('sampler.guidance');
  await dialog.getByTestId('grid-x-values').fill('1..4');
  await dialog.getByTestId('grid-y-values').fill('3,5,7,9');
  await dialog.getByTestId('grid-run').click();
  await expect(dialog.getByTestId('grid-progress')).toContainText('of 16');
  const image = dialog.getByTestId('grid-image');
  await expect(image).toBeVisible({ timeout: 120_000 });
  // Row labels 'guidance=3' (10 characters) and a 68 px pitch: 88 + 4 × 68 by 20 + 4 × 68.
  expect(await image.evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height])).toEqual([360, 292]);
  await shot(page, testInfo, 'grid-4x4');
  const download = page.waitForEvent('download');
  await dialog.getByTestId('grid-save').click();
  const png = readFileSync(await (await download).path());
  const text = readPngText(new Uint8Array(png))!;
  expect(JSON.parse(text.chunks.get('weft-sweep')![0]).sweeps).toEqual([
    { key: 'noise.seed', values: ['1', '2', '3', '4'] },
    { key: 'sampler.guidance', values: ['3', '5', '7', '9'] },
  ]);
  expect(text.chunks.get(GRAPH_PNG_KEY)).toHaveLength(1);
  // Cancel: the cells not yet run are not run.
  await dialog.getByTestId('grid-x-values').fill('10..25');
  await dialog.getByTestId('grid-run').click();
  await expect(dialog.getByTestId('grid-progress')).toContainText('cell 2 of 64');
  await dialog.getByTestId('grid-cancel').click();
  await expect(dialog.getByTestId('grid-error')).toContainText(/^cancelled after \d+ of 64 cells$/);
});
