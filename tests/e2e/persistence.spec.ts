import { expect, test } from '@playwright/test';
import { currentGraph, node, openEditor, shot } from './helpers';

test('reload restores the autosaved graph', async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByTestId('graph-title').fill('My autosaved graph');
  const seeds = async () => (await currentGraph(page)).nodes.filter((n) => n.type === 'values.seed');
  const seedsBefore = (await seeds()).length;
  await page.getByTestId('palette-item-values.seed').dblclick();
  await expect.poll(async () => (await seeds()).length).toBe(seedsBefore + 1);
  const before = await currentGraph(page);
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('graph-title')).toHaveValue('My autosaved graph');
  expect(await currentGraph(page)).toEqual(before);
  const added = before.nodes.filter((n) => n.type === 'values.seed')[seedsBefore];
  await expect(node(page, added.id)).toBeVisible();
  await shot(page, testInfo, 'reload-restored');
});

test('library: rename, duplicate, open and delete graphs', async ({ page }, testInfo) => {
  await openEditor(page);
  const firstTitle = await page.getByTestId('graph-title').inputValue();
  const firstCount = (await currentGraph(page)).nodes.length;
  await page.getByTestId('library-button').click();
  const rows = page.getByTestId('library-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(firstTitle);
  await expect(rows.first()).toContainText(String(firstCount));

  // rename the open graph
  await rows.first().getByTestId('library-rename').click();
  await page.getByTestId('library-rename-input').fill('Renamed demo');
  await page.getByTestId('library-rename-input').press('Enter');
  await expect(rows.first()).toContainText('Renamed demo');
  await expect(page.getByTestId('graph-title')).toHaveValue('Renamed demo');

  // duplicate it
  await rows.first().getByTestId('library-duplicate').click();
  await expect(rows).toHaveCount(2);
  await expect(page.locator('[data-testid=library-row][data-title="Renamed demo (copy)"]')).toHaveCount(1);
  await shot(page, testInfo, 'library');

  // a new empty graph becomes the open one
  await page.getByTestId('library-new').click();
  await expect(page.getByTestId('library')).toBeHidden();
  await expect(page.getByTestId('graph-title')).toHaveValue('Untitled graph');
  expect((await currentGraph(page)).nodes).toHaveLength(0);

  // open the copy from the library
  await page.getByTestId('library-button').click();
  await expect(rows).toHaveCount(3);
  await page.locator('[data-testid=library-row][data-title="Renamed demo (copy)"]').getByTestId('library-open').click();
  await expect(page.getByTestId('graph-title')).toHaveValue('Renamed demo (copy)');
  expect((await currentGraph(page)).nodes.length).toBe(firstCount);

  // delete the untitled graph (two clicks: Delete, then Really delete)
  await page.getByTestId('library-button').click();
  const untitled = page.locator('[data-testid=library-row][data-title="Untitled graph"]');
  await untitled.getByTestId('library-delete').click();
  await untitled.getByTestId('library-delete-confirm').click();
  await expect(rows).toHaveCount(2);
  await expect(untitled).toHaveCount(0);

  // the library survives a reload
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('graph-title')).toHaveValue('Renamed demo (copy)');
  await page.getByTestId('library-button').click();
  await expect(rows).toHaveCount(2);
});
