import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { loadGraph, node, openEditor, shot, showWholeGraph } from './helpers';

/**
 * A diffusers-style ONNX export dropped into the Models dialog as a folder, then run in the page.
 * The folders are stand-ins written by tools/standins (the real SD-Turbo / SD 1.5 graphs at tiny widths,
 * random weights, external data files), as fp32 and as fp16 exports.
 */
const root = mkdtempSync(path.join(tmpdir(), 'weft-e2e-standins-'));
test.afterAll(() => rmSync(root, { recursive: true, force: true }));

function standIn(variant: 'sd-turbo' | 'sd15', precision: 'fp32' | 'fp16'): string {
  const dir = path.join(root, `${variant}-${precision}`);
  execFileSync('npx', ['tsx', 'tools/standins/write.ts', dir, variant, 'tiny', precision], { stdio: 'pipe' });
  return dir;
}

type ExampleGraph = { nodes: { id: string; params: Record<string, unknown> }[] } & Record<string, unknown>;

function samplerGraph(modelId: string, scheduler: string, steps: number, guidance: number): ExampleGraph {
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')) as ExampleGraph;
  const set = (id: string, k: string, v: unknown) => void (g.nodes.find((n) => n.id === id)!.params[k] = v);
  set('pipeline', 'source', `store:${modelId}`);
  set('scheduler', 'scheduler', scheduler);
  set('scheduler', 'steps', steps);
  set('scheduler', 'spacing', 'config');
  set('sampler', 'guidance', guidance);
  set('sampler', 'preview', false);
  return g;
}

async function importFolder(page: Page, dir: string): Promise<string> {
  await page.getByTestId('models-button').click();
  const dialog = page.getByTestId('models-dialog');
  await expect(dialog).toBeVisible();
  const rows = page.getByTestId('model-row');
  const before = new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id'))));
  await page.getByTestId('import-folder-input').setInputFiles(dir);
  await expect(page.getByTestId('models-import-ok')).toContainText('Imported', { timeout: 120_000 });
  const after = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-model-id')));
  const id = after.find((x) => x && !before.has(x));
  expect(id, 'a new row in the Models dialog').toBeTruthy();
  await expect(page.locator(`[data-model-id="${id}"]`)).toContainText('folder');
  const close = page.getByTestId('models-close');
  await expect(close).toBeEnabled({ timeout: 60_000 });
  await close.click();
  await expect(dialog).toBeHidden();
  return id!;
}

async function runAndRead(page: Page): Promise<number[]> {
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 200_000 });
  if (await page.getByTestId('show-whole-graph').count()) await showWholeGraph(page);
  const canvas = node(page, 'image').locator('canvas').first();
  await expect(canvas).toBeVisible();
  return canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
}

test('an SD-Turbo-shaped export, fp32 and fp16, imported as folders, draws the same picture in the page', async ({ page }, testInfo) => {
  test.setTimeout(400_000);
  const fp32 = standIn('sd-turbo', 'fp32');
  const fp16 = standIn('sd-turbo', 'fp16');
  await openEditor(page);
  expect(await page.evaluate(() => window.__weft!.setBackend('wasm'))).toMatchObject({ ok: true, backend: 'wasm' });

  const id32 = await importFolder(page, fp32);
  await loadGraph(page, samplerGraph(id32, 'euler-ancestral', 1, 0));
  const a = await runAndRead(page);
  expect(a.length).toBe(64 * 64 * 4);
  expect(new Set(a).size).toBeGreaterThan(20); // random weights still draw a picture, not a flat colour
  await shot(page, testInfo, 'standin-turbo-fp32');

  const id16 = await importFolder(page, fp16);
  await loadGraph(page, samplerGraph(id16, 'euler-ancestral', 1, 0));
  const b = await runAndRead(page);
  await shot(page, testInfo, 'standin-turbo-fp16');
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  // the fp16 export rounds weights and activations to half precision: within 2/255, as in Node (tests/standins.test.ts)
  expect(worst).toBeLessThanOrEqual(2);
});

test('an SD 1.5-shaped export (int64 timestep, 77-token CLIP, PNDM, guidance 7.5) imported as a folder runs in the page', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const dir = standIn('sd15', 'fp16');
  await openEditor(page);
  expect(await page.evaluate(() => window.__weft!.setBackend('wasm'))).toMatchObject({ ok: true, backend: 'wasm' });
  const id = await importFolder(page, dir);
  await loadGraph(page, samplerGraph(id, 'pndm', 2, 7.5));
  const px = await runAndRead(page);
  expect(new Set(px).size).toBeGreaterThan(20);
  await expect(node(page, 'sampler').getByTestId('node-run-state')).toHaveAttribute('data-status', 'done');
  await shot(page, testInfo, 'standin-sd15-fp16');
});
