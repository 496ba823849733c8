import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { node, openEditor, shot, testGraph } from './helpers';

/**
 * Opening a graph never touches the network: image params that are addresses are not put in an
 * <img>, model sources that are URLs are not fetched (not by opening, not by warming, not by
 * Run: only the user's import in the Models dialog downloads), and the app's content security
 * policy lets the browser refuse any image or connection elsewhere.
 */
let server: Server;
let hits: string[] = [];
let base = '';

test.beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'image/png' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
test.afterAll(() => server.close());
test.beforeEach(() => {
  hits = [];
});

test('a graph naming remote images and models opens and runs without a single request', async ({ page }, testInfo) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("img-src 'self' data: blob:");
  await openEditor(page);
  const graph = testGraph('Remote things', [
    { id: 'tracker', type: 'image.load', x: 0, y: 0, params: { dataUrl: `${base}/tracker.png` } },
    { id: 'script', type: 'image.load', x: 0, y: 320, params: { dataUrl: 'javascript:alert(1)' } },
    { id: 'pipe', type: 'models.loadPipeline', x: 360, y: 0, params: { source: `url:${base}/model` } },
    { id: 'one', type: 'models.loadModel', x: 360, y: 320, params: { source: `url:${base}/unet`, path: 'model.onnx', role: 'unet' } },
    { id: 'show', type: 'output.image', x: 720, y: 0 },
  ]);
  graph.edges.push({ id: 'e1', from: { node: 'tracker', port: 'image' }, to: { node: 'show', port: 'image' } });
  const file = testInfo.outputPath('remote.json');
  writeFileSync(file, JSON.stringify(graph));
  await page.getByTestId('open-file-input').setInputFiles(file);
  await expect(node(page, 'tracker')).toBeVisible();
  // Neither address is used as an image; each says why it is not shown.
  await expect(node(page, 'tracker').getByTestId('param-tracker-dataUrl-not-shown')).toContainText(`starts “${base}`);
  await expect(node(page, 'script').getByTestId('param-script-dataUrl-not-shown')).toContainText('javascript:alert(1)');
  await expect(page.locator('img[src^="http"], img[src^="javascript"]')).toHaveCount(0);
  await shot(page, testInfo, 'remote-not-shown');

  await page.waitForTimeout(1500); // the graph's models are warmed meanwhile
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(node(page, 'tracker')).toContainText('the image must be a PNG data URL');
  await expect.poll(() => hits).toEqual([]);
  expect(dialogs).toEqual([]);
});

test('a model URL a graph names is not fetched by running it either: the node says to import it', async ({ page }) => {
  await openEditor(page);
  const graph = testGraph('A remote pipeline', [{ id: 'pipe', type: 'models.loadPipeline', x: 0, y: 0, params: { source: `url:${base}/model` } }]);
  expect((await page.evaluate((g) => window.__weft!.loadGraph(g), graph)).ok).toBe(true);
  await page.evaluate(() => window.__weft!.run(['pipe']));
  await expect(node(page, 'pipe')).toContainText('has not been imported; import it from the model library first');
  expect(hits).toEqual([]);
});
