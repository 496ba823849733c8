import { expect, test } from '@playwright/test';
import { currentGraph, loadGraph, openEditor, shot, testGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  await openEditor(page);
});

const shared = testGraph(
  'Sums',
  [
    { id: 'a', type: 'values.integer', x: 0, y: 0, params: { value: 4 } },
    { id: 'b', type: 'values.integer', x: 0, y: 160, params: { value: 38 } },
    { id: 'sum', type: 'math.arithmetic', x: 340, y: 60 },
    { id: 'out', type: 'output.value', x: 680, y: 60 },
  ],
  [
    ['a', 'value', 'sum', 'a'],
    ['b', 'value', 'sum', 'b'],
    ['sum', 'result', 'out', 'value'],
  ],
);

test('a share link round-trips: copy, open in a new page, confirm, same graph', async ({ page, context }, testInfo) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await loadGraph(page, shared);
  // An edit, so the graph is autosaved and the second page opens it as its current graph.
  await page.getByTestId('graph-title').fill('Shared sums');
  await page.getByTestId('graph-title').press('End');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  const sent = await currentGraph(page);

  await page.getByTestId('share-button').click();
  await expect(page.getByTestId('toast-info')).toContainText('Share link copied');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/^http:\/\/localhost:\d+\/#g=[A-Za-z0-9_-]+$/);
  expect(link.length).toBeLessThan(8 * 1024);
  await shot(page, testInfo, 'share-copied');

  const second = await context.newPage();
  await second.goto(link);
  await expect(second.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  // The second page already has a graph with content (the one autosaved above): it asks first.
  const confirm = second.getByTestId('share-open-confirm');
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('Open the shared graph “Shared sums”?');
  await expect(confirm).toContainText('4 nodes');
  await shot(second, testInfo, 'share-open-confirm');
  await second.getByTestId('share-open-accept').click();
  await expect(confirm).toBeHidden();
  await expect(second.getByTestId('toast-info')).toContainText('Opened the shared graph');
  const received = await second.evaluate(() => JSON.parse(JSON.stringify(window.__weft!.getGraph())));
  expect(received).toEqual(sent);
  // The link is read once: the fragment is gone from the address.
  expect(new URL(second.url()).hash).toBe('');
  await expect(second.getByTestId('node-sum')).toBeVisible();
  await shot(second, testInfo, 'share-opened');
});

test('a damaged share link says so and keeps the open graph', async ({ page }, testInfo) => {
  await loadGraph(page, shared);
  const before = await currentGraph(page);
  // Same page, new fragment: the editor notices the hash change.
  await page.evaluate(() => {
    window.location.hash = 'g=eNrtWU1v2zAM_SuGz0lBMhXKbPr';
  });
  const dialog = page.getByTestId('share-open-error');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('This share link could not be opened');
  await expect(dialog).toContainText('damaged');
  await shot(page, testInfo, 'share-damaged');
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(dialog).toBeHidden();
  expect(await currentGraph(page)).toEqual(before);
});

test('a graph too big for a link says to share the file instead', async ({ page }, testInfo) => {
  // A description that does not compress makes the link long.
  let noise = '';
  let s = 11;
  for (let i = 0; i < 14_000; i++) noise += String.fromCharCode(33 + ((s = (s * 1103515245 + 12345) >>> 0) % 90));
  await loadGraph(page, { ...shared, metadata: { title: 'Long notes', description: noise } });
  await page.getByTestId('share-button').click();
  const message = page.getByTestId('share-too-large');
  await expect(message).toBeVisible();
  await expect(message).toContainText('limited to 8.0 KB');
  await expect(message).toContainText('share the file instead');
  await expect(page.getByTestId('share-save-file')).toBeVisible();
  await shot(page, testInfo, 'share-too-large');
});

test('a link longer than browsers carry says so instead of failing silently', async ({ page }) => {
  await loadGraph(page, shared);
  const before = await currentGraph(page);
  await page.evaluate(() => {
    window.location.hash = `g=${'A'.repeat(3 * 1024 * 1024)}`;
  });
  const dialog = page.getByTestId('share-open-error');
  await expect(dialog).toContainText('the link is 3.0 MB; browsers carry links of up to 2.0 MB whole');
  await dialog.getByRole('button', { name: 'OK' }).click();
  expect(await currentGraph(page)).toEqual(before);
});
