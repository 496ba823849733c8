import { expect, test, type Page } from '@playwright/test';
import { currentGraph, loadGraph, mod, node, openEditor, shot, testGraph, viewSettled } from './helpers';

test.beforeEach(async ({ page }) => {
  await openEditor(page);
});

const three = testGraph(
  'Three',
  [
    { id: 'a', type: 'values.integer', x: 0, y: 0, params: { value: 2 } },
    { id: 'b', type: 'values.integer', x: 0, y: 180, params: { value: 3 } },
    { id: 'sum', type: 'math.arithmetic', x: 360, y: 60 },
  ],
  [
    ['a', 'value', 'sum', 'a'],
    ['b', 'value', 'sum', 'b'],
  ],
);

type Doc = { nodes: { id: string; type: string; mode: string; position: { x: number; y: number }; params: Record<string, unknown> }[]; groups: { id: string; title: string; colour?: string; nodes: string[] }[]; zones: { id: string; title?: string; inputNode: string; outputNode: string; nodes: string[]; carried: { name: string; type: string }[] }[] };
const doc = (page: Page): Promise<Doc> => page.evaluate(() => JSON.parse(JSON.stringify(window.__weft!.getGraph())));
const header = (page: Page, id: string) => node(page, id).locator('.wnode-header');

test('the template gallery shows a drawing of each template', async ({ page }, testInfo) => {
  await page.getByTestId('templates-button').click();
  const dialog = page.getByTestId('templates-dialog');
  await expect(dialog).toBeVisible();
  const thumbs = dialog.getByTestId('graph-thumbnail');
  const cards = dialog.locator('.template-card');
  await expect(thumbs).toHaveCount(await cards.count());
  expect(await cards.count()).toBeGreaterThanOrEqual(5);
  // The teaching graph: one box per node (two rects each: body and header), wires, its zone.
  const first = thumbs.first();
  expect(await first.locator('path').count()).toBeGreaterThan(5);
  expect(await first.locator('g > rect').count()).toBeGreaterThan(10);
  const box = (await first.boundingBox())!;
  expect(box.width).toBeGreaterThan(150);
  await shot(page, testInfo, 'templates-gallery');
  await dialog.getByTestId('template-best-of-n').click();
  await expect(dialog).toBeHidden();
});

test('group nodes with Ctrl+G, rename, colour, move the group as one edit, ungroup', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  await header(page, 'a').click();
  await header(page, 'b').click({ modifiers: [mod] });
  await expect(page.getByTestId('selection-tools')).toContainText('2 selected');
  await page.keyboard.press(`${mod}+g`);
  const frame = page.getByTestId('frame-group');
  await expect(frame).toBeVisible();
  // The new group's title is open for typing.
  const input = page.getByTestId('group-title-input');
  await expect(input).toBeFocused();
  await input.fill('Inputs');
  await input.press('Enter');
  await expect(frame.getByTestId('group-name')).toHaveText('Inputs');
  let g = await doc(page);
  expect(g.groups).toEqual([expect.objectContaining({ title: 'Inputs', nodes: ['a', 'b'] })]);

  await frame.getByTestId('group-colour').click();
  await frame.getByTestId('group-colour-e0a03a').click();
  await expect.poll(async () => (await doc(page)).groups[0].colour).toBe('#e0a03a');

  // Drag the title bar: both members move by the same amount, in one undo step.
  const before = (await doc(page)).nodes;
  const zoom = await page.evaluate(() => window.__weft!.viewport!.get().zoom);
  const title = frame.locator('.group-title');
  const t = (await title.boundingBox())!;
  await page.mouse.move(t.x + 30, t.y + t.height / 2);
  await page.mouse.down();
  await page.mouse.move(t.x + 90, t.y + t.height / 2 + 40, { steps: 5 });
  await page.mouse.move(t.x + 150, t.y + t.height / 2 + 80, { steps: 5 });
  await shot(page, testInfo, 'group-dragging');
  await page.mouse.up();
  await expect.poll(async () => (await doc(page)).nodes.find((n) => n.id === 'a')!.position.x).not.toBe(before.find((n) => n.id === 'a')!.position.x);
  g = await doc(page);
  for (const id of ['a', 'b']) {
    const was = before.find((n) => n.id === id)!.position;
    const now = g.nodes.find((n) => n.id === id)!.position;
    expect(Math.abs(now.x - was.x - 120 / zoom)).toBeLessThan(3);
    expect(Math.abs(now.y - was.y - 80 / zoom)).toBeLessThan(3);
  }
  expect(g.nodes.find((n) => n.id === 'sum')!.position).toEqual(before.find((n) => n.id === 'sum')!.position);
  await expect(page.getByTestId('undo-button')).toHaveAttribute('title', /Move group/);
  await shot(page, testInfo, 'group-moved');
  await page.getByTestId('undo-button').click();
  expect((await doc(page)).nodes.map((n) => n.position)).toEqual(before.map((n) => n.position));

  await frame.getByTestId('group-ungroup').click();
  await expect(frame).toHaveCount(0);
  expect((await doc(page)).groups).toEqual([]);
  expect((await doc(page)).nodes).toHaveLength(3);
});

test('a sticky note is placed, written on and saved with the graph', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  await page.getByTestId('add-note-button').click();
  const note = page.locator('[data-type="ui.note"]');
  await expect(note).toBeVisible();
  await note.dblclick();
  const input = page.getByTestId('note-input');
  await expect(input).toBeFocused();
  await input.fill('Adds the two integers.\nTry changing b.');
  // Clicking the canvas ends the edit.
  await page.locator('.react-flow__pane').click({ position: { x: 20, y: 300 } });
  await expect(note.getByTestId('note-text')).toHaveText('Adds the two integers.\nTry changing b.');
  const saved = (await doc(page)).nodes.find((n) => n.type === 'ui.note')!;
  expect(saved.params.text).toBe('Adds the two integers.\nTry changing b.');
  await note.click();
  await shot(page, testInfo, 'sticky-note');
  // It is part of the document: it survives a reload.
  await page.evaluate(() => window.__weft!.saveNow());
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.locator('[data-type="ui.note"]').getByTestId('note-text')).toHaveText('Adds the two integers.\nTry changing b.');
  // Notes never run: the graph still runs to the same result.
  expect((await currentGraph(page)).nodes.filter((n) => n.type === 'ui.note')).toHaveLength(1);
});

test('wrap nodes in a repeat zone and edit what it carries', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  await header(page, 'sum').click();
  await page.getByTestId('repeat-button').click();
  const dialog = page.getByTestId('zone-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('zone-iterations').fill('6');
  await dialog.getByTestId('carried-add').click();
  await dialog.getByTestId('carried-name-0').fill('total');
  await dialog.getByTestId('carried-type-0').selectOption('number');
  await shot(page, testInfo, 'zone-create');
  await dialog.getByTestId('zone-save').click();
  await expect(dialog).toBeHidden();
  let g = await doc(page);
  expect(g.zones).toHaveLength(1);
  const zone = g.zones[0];
  expect(zone.nodes).toEqual(['sum']);
  expect(zone.carried).toEqual([{ name: 'total', type: 'number' }]);
  expect(g.nodes.find((n) => n.id === zone.inputNode)!.params.iterations).toBe(6);
  await expect(page.getByTestId('frame-zone')).toBeVisible();
  // The carried value is a port on both boundary nodes.
  await expect(node(page, zone.inputNode).getByTestId('handle-output-total')).toBeVisible();
  await expect(page.getByTestId('undo-button')).toHaveAttribute('title', /Create repeat zone/);

  // Edit: select the zone's input node, rename the carried value, change the count.
  await header(page, zone.inputNode).click();
  await page.getByTestId('edit-zone-button').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('zone-iterations')).toHaveValue('6');
  await dialog.getByTestId('carried-name-0').fill('2bad');
  await expect(dialog.getByTestId('zone-problems')).toContainText('not a plain name');
  await expect(dialog.getByTestId('zone-save')).toBeDisabled();
  await dialog.getByTestId('carried-name-0').fill('latent');
  await dialog.getByTestId('carried-type-0').selectOption('latent');
  await dialog.getByTestId('zone-iterations').fill('3');
  await dialog.getByTestId('zone-save').click();
  g = await doc(page);
  expect(g.zones[0].carried).toEqual([{ name: 'latent', type: 'latent' }]);
  expect(g.nodes.find((n) => n.id === zone.inputNode)!.params.iterations).toBe(3);
  await expect(page.getByTestId('frame-zone')).toContainText('3 iterations');
  await shot(page, testInfo, 'zone-edited');
});

test('bypass and mute from the node header', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  const sum = node(page, 'sum');
  await sum.hover();
  await sum.getByTestId('mode-bypass').click();
  await expect(sum).toHaveClass(/mode-bypassed/);
  await expect.poll(async () => (await doc(page)).nodes.find((n) => n.id === 'sum')!.mode).toBe('bypassed');
  await node(page, 'b').hover();
  await node(page, 'b').getByTestId('mode-mute').click();
  await expect(node(page, 'b')).toHaveClass(/mode-muted/);
  expect((await doc(page)).nodes.find((n) => n.id === 'b')!.mode).toBe('muted');
  await page.mouse.move(5, 400);
  await shot(page, testInfo, 'node-modes');
  // The buttons toggle back; the inspector shows the same field.
  await header(page, 'sum').click();
  await expect(page.getByTestId('inspector-mode')).toHaveValue('bypassed');
  await sum.getByTestId('mode-bypass').click();
  await expect(page.getByTestId('inspector-mode')).toHaveValue('normal');
});

test('auto-layout tidies a messy graph in one undoable step', async ({ page }, testInfo) => {
  await loadGraph(
    page,
    testGraph(
      'Messy',
      [
        { id: 'sum', type: 'math.arithmetic', x: -300, y: 40 },
        { id: 'a', type: 'values.integer', x: 500, y: 300 },
        { id: 'b', type: 'values.integer', x: 520, y: 330 },
        { id: 'twice', type: 'math.arithmetic', x: -280, y: 60 },
        { id: 'out', type: 'output.value', x: 100, y: -200 },
      ],
      [
        ['a', 'value', 'sum', 'a'],
        ['b', 'value', 'sum', 'b'],
        ['sum', 'result', 'twice', 'a'],
        ['twice', 'result', 'out', 'value'],
      ],
    ),
  );
  await shot(page, testInfo, 'layout-before');
  const before = (await doc(page)).nodes.map((n) => n.position);
  await page.getByTestId('auto-layout-button').click();
  await expect(page.getByTestId('undo-button')).toHaveAttribute('title', /Auto-layout/);
  await viewSettled(page);
  const boxes = await Promise.all(['a', 'b', 'sum', 'twice', 'out'].map(async (id) => ({ id, box: (await node(page, id).boundingBox())! })));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i].box;
      const q = boxes[j].box;
      const overlap = p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
      expect(overlap, `${boxes[i].id} overlaps ${boxes[j].id}`).toBe(false);
    }
  }
  const x = Object.fromEntries(boxes.map((b) => [b.id, b.box.x]));
  expect(x.a).toBeLessThan(x.sum);
  expect(x.sum).toBeLessThan(x.twice);
  expect(x.twice).toBeLessThan(x.out);
  await shot(page, testInfo, 'layout-after');
  await page.keyboard.press(`${mod}+z`);
  expect((await doc(page)).nodes.map((n) => n.position)).toEqual(before);
});

test('snap to grid is a remembered toggle', async ({ page }) => {
  await loadGraph(page, three);
  const snap = page.getByTestId('snap-button');
  await expect(snap).toHaveAttribute('aria-pressed', 'false');
  await snap.click();
  await expect(snap).toHaveAttribute('aria-pressed', 'true');
  const h = (await header(page, 'sum').boundingBox())!;
  await page.mouse.move(h.x + 40, h.y + 10);
  await page.mouse.down();
  await page.mouse.move(h.x + 80, h.y + 40, { steps: 4 });
  await page.mouse.move(h.x + 113, h.y + 57, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => (await doc(page)).nodes.find((n) => n.id === 'sum')!.position.x).not.toBe(360);
  const p = (await doc(page)).nodes.find((n) => n.id === 'sum')!.position;
  expect(p.x % 20).toBe(0);
  expect(p.y % 20).toBe(0);
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.getByTestId('snap-button')).toHaveAttribute('aria-pressed', 'true');
});

/** Contrast ratio of each element's text against the first opaque background behind it. */
async function contrasts(page: Page, selectors: string[]): Promise<Record<string, number>> {
  return page.evaluate((sels) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const out: Record<string, number> = {};
    for (const s of sels) {
      const el = document.querySelector(s);
      if (!el) {
        out[s] = -1;
        continue;
      }
      const fg = rgb(getComputedStyle(el).color);
      let bgEl: Element | null = el;
      let bg = [0, 0, 0];
      while (bgEl) {
        const c = getComputedStyle(bgEl).backgroundColor;
        const v = rgb(c);
        if (c.startsWith('rgb(') || (v.length === 4 && v[3] > 0.9)) {
          bg = v;
          break;
        }
        bgEl = bgEl.parentElement;
      }
      const [l1, l2] = [lum(fg), lum(bg)].sort((p, q) => q - p);
      out[s] = Math.round(((l1 + 0.05) / (l2 + 0.05)) * 10) / 10;
    }
    return out;
  }, selectors);
}

test('the light theme is remembered and every panel stays readable in both themes', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  await header(page, 'sum').click();
  const texts = ['.palette-name', '.panel-title', '.wnode-title', '.port-label', '.insp-title', '.insp-desc', '[data-testid="library-button"]', '.title-input', '.issues-head', '.toolbar-group .btn'];
  const dark = await contrasts(page, texts);
  await page.getByTestId('theme-button').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  // Buttons fade their background over 120 ms: measure the settled colours.
  await page.waitForTimeout(400);
  const light = await contrasts(page, texts);
  for (const s of texts) {
    expect(dark[s], `${s} in the dark theme`).toBeGreaterThanOrEqual(4.5);
    expect(light[s], `${s} in the light theme`).toBeGreaterThanOrEqual(4.5);
  }
  // The canvas and panels really changed colour.
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector('.inspector')!).backgroundColor);
  expect(bg).toBe('rgb(255, 255, 255)');
  await shot(page, testInfo, 'theme-light');
  await page.getByTestId('templates-button').click();
  await shot(page, testInfo, 'theme-light-templates');
  await page.keyboard.press('Escape');
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-button').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('the palette works from the keyboard', async ({ page }, testInfo) => {
  await loadGraph(page, three);
  const search = page.getByTestId('palette-search');
  await search.focus();
  await page.keyboard.type('arith');
  await page.keyboard.press('ArrowDown');
  const item = page.getByTestId('palette-item-math.arithmetic');
  await expect(item).toBeFocused();
  await shot(page, testInfo, 'palette-keyboard');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await doc(page)).nodes.filter((n) => n.type === 'math.arithmetic').length).toBe(2);
  // Tab also reaches the items; Space adds too.
  await search.fill('');
  await search.focus();
  await page.keyboard.press('Tab');
  await expect(page.locator('.palette-item').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('.palette-item').nth(1)).toBeFocused();
  const type = await page.locator('.palette-item').nth(1).getAttribute('data-testid');
  await page.keyboard.press(' ');
  await expect.poll(async () => (await doc(page)).nodes.some((n) => `palette-item-${n.type}` === type)).toBe(true);
});

test('a graph that needs a missing model says which, and a model imported here fixes it; Models lists who uses each', async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await loadGraph(
    page,
    testGraph('Decoder check', [
      { id: 'vae', type: 'models.loadModel', x: 0, y: 0, params: { source: 'store:gone-model', path: 'model.onnx', role: 'vae' } },
      { id: 'pipe', type: 'models.loadPipeline', x: 0, y: 320 },
    ]),
  );
  const banner = page.getByTestId('missing-model');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('store:gone-model');
  await expect(banner).toContainText('Load Model (vae)');
  await shot(page, testInfo, 'missing-model');

  await banner.getByTestId('missing-model-import').click();
  const dialog = page.getByTestId('models-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId('import-file-role').selectOption('vae');
  await page.getByTestId('import-file-input').setInputFiles('public/models/shapes-v1/vae_decoder/model.ort');
  await expect(page.getByTestId('models-import-ok')).toContainText('Imported model', { timeout: 60_000 });
  await page.getByTestId('models-close').click();

  // The imported copy has its own id: point the graph at it.
  const replace = banner.getByTestId('missing-model-replace');
  const option = await replace.locator('option').last().getAttribute('value');
  await replace.selectOption(option!);
  await expect(banner).toBeHidden();
  const g = await doc(page);
  expect(g.nodes.find((n) => n.id === 'vae')!.params.source).toBe(`store:${option}`);

  await page.getByTestId('models-button').click();
  const row = dialog.locator(`[data-model-id="${option}"]`);
  await expect(row.getByTestId('used-by')).toContainText('Decoder check');
  await expect(dialog.getByTestId('shipped-used-by')).toContainText('Decoder check');
  await shot(page, testInfo, 'models-used-by');
});
