import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { encodePng } from '../../lib/png';
import { currentGraph, loadGraph, openEditor, shot, viewSettled } from './helpers';

/** Issue 15: a ComfyUI user brings their workflow. */

const fixture = (name: string) => readFileSync(`tests/fixtures/comfy/${name}`, 'utf8');

/** A PNG as ComfyUI saves it: the API prompt and the UI workflow in tEXt chunks. */
function comfyPng(): Buffer {
  const image = { kind: 'image' as const, width: 8, height: 8, channels: 4 as const, data: new Uint8ClampedArray(8 * 8 * 4).fill(180) };
  return Buffer.from(encodePng(image, [
    ['prompt', fixture('default-api.json')],
    ['workflow', fixture('default-ui-0.4.json')],
  ]));
}

test("ComfyUI's default workflow PNG opens as the same graph, with a report of what mapped; its checkpoint resolves to a model that is here", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await openEditor(page);
  const before = await currentGraph(page);
  await page.getByTestId('open-file-input').setInputFiles({ name: 'ComfyUI_00001_.png', mimeType: 'image/png', buffer: comfyPng() });
  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible();
  await expect(report.getByRole('heading')).toHaveText('Opened ComfyUI_00001_.png from ComfyUI');
  await expect(report.getByTestId('import-report-list')).toContainText('Imported a ComfyUI UI workflow (0.4): 7 nodes mapped to 14 Weft nodes.');
  await expect(report.getByTestId('import-report-list')).toContainText("ComfyUI's 'normal' takes the same evenly spaced timesteps");
  await shot(page, testInfo, 'comfy-report');
  await report.getByTestId('import-report-close').click();
  const g = await currentGraph(page);
  expect(g.metadata.title).toBe('ComfyUI_00001_');
  expect(g.nodes).toHaveLength(14);
  const full = await page.evaluate(() => window.__weft!.getGraph());
  expect(full.nodes.find((n) => n.id === 'comfy-6-text')!.params.text).toBe('beautiful scenery nature glass bottle landscape, , purple galaxy bottle,');
  // The checkpoint is a model reference: the banner offers the models present.
  const banner = page.getByTestId('missing-model');
  await expect(banner).toContainText('store:v1-5-pruned-emaonly-fp16.safetensors');
  await viewSettled(page);
  await shot(page, testInfo, 'comfy-opened');
  await banner.getByTestId('missing-model-replace').selectOption('shipped:shapes-v1');
  await expect(banner).toHaveCount(0);
  expect((await page.evaluate(() => window.__weft!.getGraph())).nodes.find((n) => n.id === 'comfy-4')!.params.source).toBe('shipped:shapes-v1');
  // The graph open before waits in the library.
  await page.getByTestId('library-button').click();
  await expect(page.locator(`[data-testid="library-row"][data-title="${before.metadata.title}"]`)).toHaveCount(1);
  await page.keyboard.press('Escape');
});

test('a malformed ComfyUI workflow is refused with the path of the problem, and the open graph stays', async ({ page }) => {
  await openEditor(page);
  const before = await currentGraph(page);
  const bad = { '3': { class_type: 'KSampler', inputs: { model: ['4', 0] } } };
  await page.getByTestId('open-file-input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
  const dialog = page.getByTestId('file-errors');
  await expect(dialog).toContainText('bad.json could not be opened as a ComfyUI workflow');
  await expect(dialog.getByTestId('file-error-list')).toContainText(`["3"].inputs.model: links to node '4', which is not in the workflow`);
  await dialog.getByTestId('file-errors-close').click();
  expect(await currentGraph(page)).toEqual(before);
});

test('a Weft graph downloads as a ComfyUI API prompt', async ({ page }) => {
  await openEditor(page);
  await loadGraph(page, JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')));
  const download = page.waitForEvent('download');
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.getByTestId('export-comfy-button').click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.comfyui-api\.json$/);
  const prompt = JSON.parse(readFileSync(await file.path(), 'utf8')) as Record<string, { class_type: string }>;
  expect(Object.values(prompt).map((n) => n.class_type)).toContain('KSampler');
});

test('nodes Weft cannot map stay as placeholders that say what they were; the report names them', async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByTestId('open-file-input').setInputFiles('tests/fixtures/comfy/features-ui-0.4.json');
  const report = page.getByTestId('import-report');
  await expect(report.getByTestId('import-report-list')).toContainText('1 node could not be mapped (kept as a placeholder that does not run): UltimateSDUpscale (#11)');
  await expect(report.getByTestId('import-report-list')).toContainText("The LoRA 'pixel-art.safetensors' is a file reference");
  await expect(report.getByTestId('import-report-list')).toContainText("Weft has no 'heun' sampler");
  await report.getByTestId('import-report-close').click();
  await expect(page.locator('.react-flow__node[data-id="comfy-11"]')).toContainText('comfy.UltimateSDUpscale');
  await expect(page.locator('.react-flow__node[data-id="comfy-2"]')).toContainText('Load LoRA');
  await viewSettled(page);
  await shot(page, testInfo, 'comfy-placeholders');
});
