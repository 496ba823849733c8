import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { currentGraph, loadGraph, openEditor, shot, testGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  await openEditor(page);
});

const SAMPLE = testGraph(
  'Saved sample',
  [
    { id: 'x', type: 'values.number', x: 0, y: 0, params: { value: 3 } },
    { id: 'out', type: 'output.value', x: 320, y: 0 },
  ],
  [['x', 'value', 'out', 'value']],
);

test('save to a file and open it again', async ({ page }, testInfo) => {
  await loadGraph(page, SAMPLE);
  const downloadPromise = page.waitForEvent('download');
  await page.getByTestId('save-button').click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toBe('Saved-sample.json');
  const file = testInfo.outputPath('saved.json');
  await download.saveAs(file);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  expect(saved.nodes.map((n: { id: string }) => n.id)).toEqual(['x', 'out']);

  // Change the graph, then open the file: the saved graph comes back as a new library graph.
  await loadGraph(page, testGraph('Something else', [{ id: 'other', type: 'values.text', x: 0, y: 0 }]));
  const other = await currentGraph(page);
  await page.getByTestId('open-file-input').setInputFiles(file);
  await expect.poll(async () => (await currentGraph(page)).metadata.title).toBe('Saved sample');
  const g = await currentGraph(page);
  expect(g.nodes.map((n) => n.id)).toEqual(['x', 'out']);
  expect(g.edges).toHaveLength(1);
  await expect(page.getByTestId('node-x')).toBeVisible();
  await shot(page, testInfo, 'file-opened');
  await expect(page.getByTestId('toast-info')).toContainText('Your previous graph is in the Library');
  // Opening never replaces a library graph: the one open before is there, unchanged.
  await page.getByTestId('library-button').click();
  await page.locator('[data-testid=library-row][data-title="Something else"]').getByTestId('library-open').click();
  await expect.poll(async () => (await currentGraph(page)).metadata.title).toBe('Something else');
  expect(await currentGraph(page)).toEqual(other);
});

test('a broken file is refused with the list of errors and the graph is untouched', async ({ page }, testInfo) => {
  await loadGraph(page, SAMPLE);
  const before = await currentGraph(page);
  const broken = {
    schemaVersion: 1,
    metadata: { title: 'Broken' },
    nodes: [{ id: 'bad id!', type: 'values.number', typeVersion: 1, position: { x: 'left', y: 0 }, params: {} }],
    edges: [{ id: 'e1', from: { node: 'nope', port: 'value' } }],
  };
  await page.getByTestId('open-file-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  const dialog = page.getByTestId('file-errors');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('broken.json could not be opened');
  const items = page.getByTestId('file-error-list').locator('li');
  expect(await items.count()).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('file-error-list')).toContainText('nodes[0].');
  await expect(page.getByTestId('file-error-list')).toContainText('edges[0].');
  await shot(page, testInfo, 'broken-file');
  await page.getByTestId('file-errors-close').click();
  await expect(dialog).toBeHidden();
  expect(await currentGraph(page)).toEqual(before);

  // Not JSON at all
  await page.getByTestId('open-file-input').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{ this is not json') });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('notes.json could not be opened');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(await currentGraph(page)).toEqual(before);
});
