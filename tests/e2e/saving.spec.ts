import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { encodePng } from '../../lib/png';
import { currentGraph, loadGraph, node, openEditor, shot, testGraph } from './helpers';

/** A 280×280 picture of noise: about 300 KB as a PNG, whatever encoder writes it. */
function noisePng(): Buffer {
  let s = 12345;
  const data = new Uint8ClampedArray(280 * 280 * 4).map((_, i) => (i % 4 === 3 ? 255 : (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24));
  return Buffer.from(encodePng({ kind: 'image', width: 280, height: 280, data }));
}

/** Makes every IndexedDB write fail as a full disk does, until `storageRecovers`. */
async function storageFails(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __failWrites?: boolean; __realPut?: typeof IDBObjectStore.prototype.put };
    w.__failWrites = true;
    w.__realPut ??= IDBObjectStore.prototype.put;
    const real = w.__realPut;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (w.__failWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return real.apply(this, args);
    };
  });
}

async function storageRecovers(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __failWrites?: boolean }).__failWrites = false));
}

test('a Load Image with a 250 KB PNG saves and reopens after a reload', async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(page, testGraph('A picture', [{ id: 'load', type: 'image.load', x: 0, y: 0 }]));
  const id = 'load';
  const png = noisePng();
  expect(png.length).toBeGreaterThan(250 * 1024);
  await node(page, id).getByTestId(`param-${id}-dataUrl`).setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: png });
  await expect(node(page, id).getByTestId(`param-${id}-dataUrl-thumb`)).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  const saved = await currentGraph(page);
  const dataUrl = (saved.nodes.find((n) => n.id === id) as unknown as { params: { dataUrl: string } }).params.dataUrl;
  expect(dataUrl.length).toBeGreaterThan(330_000);

  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(node(page, id).getByTestId(`param-${id}-dataUrl-thumb`)).toBeVisible();
  await expect(page.getByTestId('recovery-banner')).toHaveCount(0);
  expect(await currentGraph(page)).toEqual(saved);
  await shot(page, testInfo, 'big-image-reopened');
});

test('a save storage refused is retried until it lands, and the banner says what happens meanwhile', async ({ page }, testInfo) => {
  await openEditor(page);
  await storageFails(page);
  await page.getByTestId('graph-title').fill('Written while the disk was full');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  await expect(page.getByTestId('storage-error')).toContainText('Browser storage is full');
  await expect(page.getByTestId('storage-error')).toContainText('Weft keeps trying');
  await shot(page, testInfo, 'storage-full');
  // Space comes back: the retry writes the edit with no action from the user.
  await storageRecovers(page);
  await expect(page.getByTestId('save-state')).toHaveText('Saved', { timeout: 20_000 });
  await expect(page.getByTestId('storage-error')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('graph-title')).toHaveValue('Written while the disk was full');
});

test('an edit marked "Not saved" survives the browser being killed', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const profile = mkdtempSync(path.join(tmpdir(), 'weft-profile-'));
  const { launchOptions, baseURL, viewport } = testInfo.project.use;
  const launch = () => chromium.launchPersistentContext(profile, { ...launchOptions, viewport, baseURL });
  let context = await launch();
  let page = context.pages()[0] ?? (await context.newPage());
  await openEditor(page);
  await page.getByTestId('graph-title').fill('Saved before');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await storageFails(page);
  await page.getByTestId('graph-title').fill('Typed while storage failed');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  // Later (Chromium writes localStorage to disk within about 5 s of a change), a hard kill: no
  // pagehide, no beforeunload, no last chance to write.
  await page.waitForTimeout(7000);
  // (The [/] keeps the pattern from matching the shell that runs pkill.)
  execSync(`pkill -9 -f 'user-data-dir=[/]${profile.slice(1)}'`);
  await context.close().catch(() => undefined);

  context = await launch();
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto('/');
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('graph-title')).toHaveValue('Typed while storage failed');
  await expect(page.getByTestId('toast-warning')).toContainText('could not be saved last time were recovered');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await shot(page, testInfo, 'recovered-after-kill');
  await context.close();
});

test('another graph does not open over edits storage has not taken', async ({ page }) => {
  await openEditor(page);
  await page.getByTestId('graph-title').fill('Kept open');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await storageFails(page);
  await page.getByTestId('graph-title').fill('Kept open, edited');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved');
  await page.getByTestId('library-button').click();
  await page.getByTestId('library-new').click();
  await expect(page.getByTestId('toast-error')).toContainText('latest edits are not saved yet');
  await expect(page.getByTestId('graph-title')).toHaveValue('Kept open, edited');
  await storageRecovers(page);
  await expect(page.getByTestId('save-state')).toHaveText('Saved', { timeout: 20_000 });
  await page.getByTestId('library-new').click();
  await expect(page.getByTestId('graph-title')).toHaveValue('Untitled graph');
  await page.getByTestId('library-button').click();
  await expect(page.locator('[data-testid=library-row][data-title="Kept open, edited"]')).toHaveCount(1);
});
