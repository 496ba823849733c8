import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { currentGraph, loadGraph, node, openEditor, shot, testGraph, showWholeGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  await openEditor(page);
});

const ONNX = 'public/models/shapes-v1/vae_encoder/model.onnx';

test('the Models dialog imports an ONNX file, lists it, deletes it; a non-ONNX file gets a clear error', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.getByTestId('models-button').click();
  const dialog = page.getByTestId('models-dialog');
  await expect(dialog).toBeVisible();
  // the shipped suite comes from its manifest
  await expect(page.getByTestId('shipped-list')).toContainText('vae_decoder/model.ort');
  await expect(page.getByTestId('storage-estimate')).toContainText('used of');
  await expect(page.getByTestId('storage-persist')).toContainText('persistent:');

  const rows = page.getByTestId('model-row');
  const before = await rows.count();
  await page.getByTestId('import-file-role').selectOption('vae');
  await page.getByTestId('import-file-input').setInputFiles(ONNX);
  await expect(page.getByTestId('models-import-ok')).toContainText('Imported model', { timeout: 60_000 });
  await expect(rows).toHaveCount(before + 1);
  const row = rows.filter({ hasText: 'file' }).last();
  await expect(row).toContainText('vae');
  await expect(row).toContainText(/[0-9a-f]{12}/);
  await shot(page, testInfo, 'models-imported');

  // a text file posing as a model
  await page.getByTestId('import-file-input').setInputFiles({ name: 'notes.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('these are not the weights you are looking for') });
  await expect(page.getByTestId('models-import-error')).toContainText('is not an ONNX file');
  await expect(rows).toHaveCount(before + 1);
  await shot(page, testInfo, 'models-not-onnx');

  await row.getByTestId('model-delete').click();
  await row.getByTestId('model-delete-confirm').click();
  await expect(rows).toHaveCount(before);
  await expect(page.getByTestId('models-import-ok')).toContainText('Deleted');
});

test('the backend picker says which backend runs and why, and remembers the choice', async ({ page }, testInfo) => {
  const reason = page.getByTestId('backend-reason');
  await expect(page.getByTestId('backend-active')).not.toHaveText('Starting…', { timeout: 60_000 });
  await expect(reason).not.toHaveText('');
  await expect(reason).not.toHaveText(/Starting/);
  await page.getByTestId('backend-active').hover();
  await expect(reason).toBeVisible();
  await shot(page, testInfo, 'backend-auto');

  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText('wasm', { timeout: 60_000 });
  await page.reload();
  await expect(page.getByTestId('backend-select')).toHaveValue('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText('wasm', { timeout: 60_000 });

  // Forcing WebGPU either runs on it or says plainly why it cannot.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await expect(page.getByTestId('backend-active')).not.toHaveText('Starting…', { timeout: 60_000 });
  const active = await page.getByTestId('backend-active').textContent();
  if (active === 'unavailable') await expect(reason).toContainText(/webgpu/i);
  else expect(active).toBe('webgpu');
  await shot(page, testInfo, 'backend-webgpu');
  await page.getByTestId('backend-select').selectOption('auto');
});

const IMAGE_GRAPH = testGraph(
  'Picture round trip',
  [
    { id: 'load', type: 'image.load', x: 0, y: 0 },
    { id: 'show', type: 'output.image', x: 340, y: 0, params: { name: 'blue square' } },
    { id: 'pipe', type: 'models.loadPipeline', x: 0, y: 400 },
    { id: 'npy', type: 'tensor.load', x: 340, y: 400 },
  ],
  [['load', 'image', 'show', 'image']],
);

async function dropFile(page: Page, name: string, type: string, bytes: Buffer) {
  await page.evaluate(
    ({ name, type, data }) => {
      const file = new File([Uint8Array.from(data)], name, { type });
      const dt = new DataTransfer();
      dt.items.add(file);
      const pane = document.querySelector('.react-flow__pane') ?? document.querySelector('.react-flow')!;
      const r = pane.getBoundingClientRect();
      const at = { clientX: r.x + r.width / 2, clientY: r.y + r.height / 2 };
      pane.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt, ...at }));
      pane.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt, ...at }));
    },
    { name, type, data: [...bytes] },
  );
}

test('an image output saves a PNG with the graph inside; dropping it back restores the graph', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await loadGraph(page, IMAGE_GRAPH);
  // the file widget turns the picked image into a PNG data URL with a thumbnail
  await node(page, 'load').getByTestId('param-load-dataUrl').setInputFiles('tests/fixtures/images/blue-square.png');
  await expect(node(page, 'load').getByTestId('param-load-dataUrl-thumb')).toBeVisible();
  // a .npy file is kept as base64 and shown by name and size
  await node(page, 'npy').getByTestId('param-npy-data').setInputFiles({ name: 'three.npy', mimeType: 'application/octet-stream', buffer: npy([1, 2, 3]) });
  await expect(node(page, 'npy').getByTestId('param-npy-data-info')).toContainText('three.npy · 140 B');
  // the model source offers the shipped suite
  await expect(node(page, 'pipe').getByTestId('param-pipe-source')).toHaveValue('shipped:shapes-v1');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  const img = node(page, 'show').getByTestId('output-image');
  await expect(img).toBeVisible();
  // small images are scaled up to be readable
  expect((await img.boundingBox())!.width).toBeGreaterThanOrEqual(128 * 0.99 * (await zoom(page)));
  await shot(page, testInfo, 'image-output');

  const saved = await currentGraph(page);
  const downloadPromise = page.waitForEvent('download');
  await node(page, 'show').getByTestId('save-png-show').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('blue-square.png');
  const file = testInfo.outputPath('saved.png');
  await download.saveAs(file);
  const png = readFileSync(file);
  expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

  // something else on the canvas, then the PNG dropped on it
  await loadGraph(page, testGraph('Something else', [{ id: 'other', type: 'values.text', x: 0, y: 0 }]));
  await dropFile(page, 'saved.png', 'image/png', png);
  await expect.poll(async () => (await currentGraph(page)).metadata.title).toBe('Picture round trip');
  const restored = (await currentGraph(page)) as unknown as { nodes: { id: string; params: unknown }[] };
  const original = saved as unknown as { nodes: { id: string; params: unknown }[] };
  expect(restored.nodes.map((n) => n.id)).toEqual(original.nodes.map((n) => n.id));
  expect(restored.nodes.map((n) => n.params)).toEqual(original.nodes.map((n) => n.params));
  await expect(node(page, 'show')).toBeVisible();
  await shot(page, testInfo, 'png-dropped-back');

  // a PNG with no graph: a clear message, the graph untouched
  await dropFile(page, 'plain.png', 'image/png', readFileSync('tests/fixtures/images/blue-square.png'));
  await expect(page.getByTestId('file-errors')).toContainText('has no graph in it');
  await expect(page.getByTestId('file-errors')).toContainText('carries no Weft graph');
  expect((await currentGraph(page)).metadata.title).toBe('Picture round trip');
  await shot(page, testInfo, 'png-without-graph');
});

test('the Templates dialog opens an example, and Undo brings the graph back', async ({ page }, testInfo) => {
  await loadGraph(page, testGraph('Mine', [{ id: 'mine', type: 'values.text', x: 0, y: 0 }]));
  await page.getByTestId('templates-button').click();
  await expect(page.getByTestId('templates-dialog')).toBeVisible();
  await shot(page, testInfo, 'templates');
  await page.getByTestId('template-text-to-image-sampler').click();
  await expect(page.getByTestId('templates-dialog')).toBeHidden();
  await expect.poll(async () => (await currentGraph(page)).nodes.some((n) => n.type === 'sampling.sampler')).toBe(true);
  await page.getByTestId('undo-button').click();
  await expect.poll(async () => (await currentGraph(page)).metadata.title).toBe('Mine');
});

/** A NumPy v1 .npy file of float32 values. */
function npy(values: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${values.length},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(new Float32Array(values).buffer)]);
}

async function zoom(page: Page): Promise<number> {
  return page.evaluate(() => {
    const t = document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? '';
    const m = /scale\(([\d.]+)\)/.exec(t);
    return m ? Number(m[1]) : 1;
  });
}

test('the sampler shows a live preview, and model nodes say which backend ran them', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8')) as { nodes: { id: string; params: Record<string, unknown> }[] };
  g.nodes.find((n) => n.id === 'scheduler')!.params.steps = 6;
  await loadGraph(page, g);
  await showWholeGraph(page);
  await page.getByTestId('backend-select').selectOption('wasm');
  await expect(page.getByTestId('backend-active')).toHaveText('wasm', { timeout: 60_000 });
  await page.getByTestId('run-button').click();
  // zoomed out, the badge shows the live preview (zoomed in, the step scrubber draws it)
  await expect(node(page, 'sampler').getByTestId('run-preview')).toBeVisible({ timeout: 200_000 });
  await shot(page, testInfo, 'sampler-preview');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 200_000 });
  await expect(node(page, 'sampler').getByTestId('node-run-state')).toContainText('wasm');
  await expect(node(page, 'decode').getByTestId('node-run-state')).toContainText('wasm');
  // zoom in on the sampler and the output: small images are drawn large enough to read
  const pos = (id: string) => (g as unknown as { nodes: { id: string; position: { x: number; y: number } }[] }).nodes.find((n) => n.id === id)!.position;
  const s = pos('sampler');
  await page.evaluate(({ x, y }) => window.__weft!.viewport!.set({ x: 40 - x, y: 40 - y, zoom: 1 }), s);
  await expect(node(page, 'image').getByTestId('output-image')).toBeVisible();
  await expect(node(page, 'sampler').getByTestId('scrubber-sampler')).toBeVisible();
  await shot(page, testInfo, 'sampler-done');
});
