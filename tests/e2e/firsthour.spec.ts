import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { currentGraph, dragWire, handle, loadGraph, mod, node, openEditor, shot, testGraph, viewSettled } from './helpers';

/** A creator's first hour (issue 19): fields that take only what fits, problems that help. */

test('a number field refuses what its param does not take, says the range in words, and keeps the value', async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(page, testGraph('Steps', [{ id: 'sched', type: 'sampling.scheduler', x: 0, y: 0 }]));
  const steps = node(page, 'sched').getByTestId('param-sched-steps');
  await steps.fill('-5');
  await expect(node(page, 'sched').getByTestId('param-sched-steps-range')).toHaveText('Steps takes a whole number from 1 to 1000; it stays 20.');
  await shot(page, testInfo, 'number-range');
  await steps.fill('1e9');
  await expect(node(page, 'sched').getByTestId('param-sched-steps-range')).toContainText('from 1 to 1000');
  await steps.fill('12');
  await expect(node(page, 'sched').getByTestId('param-sched-steps-range')).toHaveCount(0);
  await steps.fill('-5');
  await steps.blur();
  // Leaving the field puts back the value in force; the graph never held -5 or 1e9.
  await expect(steps).toHaveValue('12');
  const sched = (await currentGraph(page)).nodes.find((n) => n.id === 'sched') as unknown as { params: { steps: number } };
  expect(sched.params.steps).toBe(12);
  await expect(page.getByTestId('issues-count')).toHaveText('0');
});

test('inputs not yet connected are a calm to-do until Run; problems name their node and lead to it', async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(
    page,
    testGraph('Building', [
      { id: 'n', type: 'values.number', x: 0, y: 0, params: { value: 2 } },
      { id: 'mul', type: 'math.arithmetic', x: 320, y: 0, params: { operation: 'multiply', b: 3 } },
      { id: 'out', type: 'output.value', x: 640, y: 0 },
    ], [['mul', 'result', 'out', 'value']]),
  );
  const mul = node(page, 'mul');
  // Building: no red, a quiet line on the node, and the panel lists it as a step to take.
  await expect(mul.getByTestId('node-to-connect')).toHaveText("Connect 'a'");
  await expect(mul).not.toHaveClass(/has-issue/);
  const issue = page.getByTestId('issue').filter({ hasText: 'Arithmetic' });
  await expect(issue).toHaveText("○Arithmetic: required input 'a' is not connected");
  await expect(issue).toHaveClass(/sev-todo/);
  await shot(page, testInfo, 'problems-building');
  // Clicking the problem selects the node and brings it into view.
  await page.evaluate(() => window.__weft!.viewport!.set({ x: -4000, y: -4000, zoom: 1 }));
  await expect(mul).not.toBeInViewport();
  await issue.click();
  await expect(mul).toHaveClass(/selected/);
  await expect(mul).toBeInViewport();
  // After Run, what is still not connected is an error that stops the run.
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'invalid');
  await expect(mul).toHaveClass(/has-issue/);
  await expect(mul.getByTestId('node-to-connect')).toHaveCount(0);
  await expect(page.getByTestId('issue').filter({ hasText: 'Arithmetic' })).toHaveClass(/sev-error/);
  await shot(page, testInfo, 'problems-after-run');
});

test('detections reach an Output node as boxes with labels, not as text', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/detect-and-score.json', 'utf8')) as { nodes: { id: string; params: Record<string, unknown> }[] };
  g.nodes.find((n) => n.id === 'scheduler')!.params.steps = 6;
  g.nodes.find((n) => n.id === 'sampler')!.params.preview = false;
  await loadGraph(page, g as never);
  await page.evaluate(() => window.__weft!.setBackend('wasm'));
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 200_000 });
  const out = node(page, 'detections');
  const view = out.getByTestId('value-detections');
  await expect(view).toBeVisible();
  const said = (await view.locator('.muted').textContent()) ?? '';
  const count = Number(/^(\d+) detections?/.exec(said)?.[1] ?? NaN);
  expect(count).toBeGreaterThanOrEqual(1); // seed 0 on wasm finds at least the prompt's shape
  await expect(view.locator('svg rect')).toHaveCount(count);
  await expect(view.locator('.detection-label')).toHaveCount(count);
  await expect(view.locator('.detection-label').first()).toHaveText(/^\w+ \w+ (0?\.\d+|1)$/);
  await page.evaluate(() => window.__weft!.viewport!.set({ x: -1900, y: 360, zoom: 1 }));
  // Grown by its result, the node still clears the overlay image below it.
  const a = (await out.boundingBox())!;
  const b = (await node(page, 'overlay').boundingBox())!;
  expect(a.y + a.height).toBeLessThanOrEqual(b.y);
  await shot(page, testInfo, 'detections-output');
});

/** Boxes of the document nodes on screen, and the pairs that overlap. */
async function overlapsOnScreen(page: import('@playwright/test').Page): Promise<string[]> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>('.react-flow__node-weft')].map((el) => ({ id: el.dataset.id!, r: el.getBoundingClientRect() }));
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r;
        const b = boxes[j].r;
        if (Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top)) out.push(`${boxes[i].id} × ${boxes[j].id}`);
      }
    return out;
  });
}

test('new nodes land free of others and on screen: from the palette, the add search and a drop at the edge', async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(page, testGraph('Placing', [{ id: 'sched', type: 'sampling.scheduler', x: 0, y: 0 }]));
  await page.evaluate(() => window.__weft!.viewport!.set({ x: 300, y: 150, zoom: 1 }));
  const canvas = page.getByTestId('canvas');
  const area = (await canvas.boundingBox())!;
  // The palette adds beside the selection, then beside that, never on top.
  await node(page, 'sched').locator('.wnode-header').click();
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('palette-item-values.number').dblclick();
    await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(2 + i);
  }
  // The add search at the pointer, right by the scheduler.
  const sched = (await node(page, 'sched').boundingBox())!;
  await page.mouse.dblclick(sched.x + sched.width + 8, sched.y + 30);
  await page.keyboard.type('arith');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(5);
  // A drop at the very left edge of the canvas lands wholly on the canvas, not under the palette.
  await page.getByTestId('palette-item-debug.slow').dragTo(canvas, { targetPosition: { x: 4, y: area.height / 2 } });
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(6);
  await page.waitForTimeout(300);
  expect(await overlapsOnScreen(page)).toEqual([]);
  const dropped = (await currentGraph(page)).nodes.find((n) => n.type === 'debug.slow')!;
  const box = (await node(page, dropped.id).boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(area.x);
  for (const n of (await currentGraph(page)).nodes) await expect(node(page, n.id)).toBeInViewport();
  await shot(page, testInfo, 'placing');
});

test('each paste lands offset from the original and from the paste before', async ({ page }) => {
  await openEditor(page);
  await loadGraph(page, testGraph('Pasting', [{ id: 'a', type: 'values.number', x: 0, y: 0 }]));
  await node(page, 'a').click();
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(2);
  await page.keyboard.press(`${mod}+v`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(3);
  const spots = (await currentGraph(page)).nodes.map((n) => `${n.position.x},${n.position.y}`);
  expect(new Set(spots).size).toBe(3);
});

test('the timeline docks under the canvas, which shrinks to make room; the minimap folds away and stays folded', async ({ page }, testInfo) => {
  await openEditor(page);
  const canvas = page.getByTestId('canvas');
  const before = (await canvas.boundingBox())!;
  await page.getByTestId('timeline-button').click();
  const panel = page.getByTestId('timeline-panel');
  await expect(panel).toBeVisible();
  await expect.poll(async () => (await canvas.boundingBox())!.height).toBeLessThan(before.height - 40);
  const docked = (await canvas.boundingBox())!;
  const tl = (await panel.boundingBox())!;
  // Side by side, not one over the other: the canvas ends where the timeline begins.
  expect(docked.y + docked.height).toBeLessThanOrEqual(tl.y + 1);
  // The minimap moved up with the canvas' bottom edge, clear of the timeline.
  const map = (await page.getByTestId('minimap').boundingBox())!;
  expect(map.y + map.height).toBeLessThanOrEqual(tl.y);
  await shot(page, testInfo, 'timeline-docked');
  await page.getByTestId('timeline-close').click();
  await expect.poll(async () => (await canvas.boundingBox())!.height).toBe(before.height);

  await page.getByTestId('minimap-hide').click();
  await expect(page.getByTestId('minimap')).toHaveCount(0);
  await expect(page.getByTestId('minimap-show')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('minimap-show')).toBeVisible();
  await expect(page.getByTestId('minimap')).toHaveCount(0);
  await shot(page, testInfo, 'minimap-folded');
  await page.getByTestId('minimap-show').click();
  await expect(page.getByTestId('minimap')).toBeVisible();
});

test('the light theme themes every panel, not only the canvas', async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByTestId('timeline-button').click();
  const lightness = () =>
    page.evaluate(() => {
      // Relative luminance of the first non-transparent background at or above each element.
      const lum = (el: Element | null): number => {
        for (let e = el; e; e = e.parentElement) {
          const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(getComputedStyle(e).backgroundColor);
          if (m && (m[4] === undefined || Number(m[4]) > 0.5)) {
            const [r, g, b] = [m[1], m[2], m[3]].map((v) => Number(v) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          }
        }
        return -1;
      };
      const at = (sel: string) => lum(document.querySelector(sel));
      return { runbar: at('[data-testid="runbar"]'), palette: at('[data-testid="palette"]'), inspector: at('[data-testid="inspector"]'), problems: at('.issues'), timeline: at('[data-testid="timeline-panel"]'), canvas: at('.react-flow'), node: at('.react-flow__node-weft .wnode'), minimap: at('[data-testid="minimap"]') };
    });
  const dark = await lightness();
  for (const [part, l] of Object.entries(dark)) expect(l, `${part} in the dark theme`).toBeLessThan(0.1);
  await page.getByTestId('theme-button').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const light = await lightness();
  for (const [part, l] of Object.entries(light)) expect(l, `${part} in the light theme`).toBeGreaterThan(0.6);
  await shot(page, testInfo, 'light-theme');
  await page.getByTestId('theme-button').click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', 'light');
});

test('the first visit opens readable on where the graph starts, and shows the whole on request', async ({ page }, testInfo) => {
  await openEditor(page);
  await expect(page.getByTestId('partial-view-hint')).toBeVisible();
  const zoom = await page.evaluate(() => window.__weft!.viewport!.get().zoom);
  expect(zoom).toBeGreaterThanOrEqual(0.8);
  // The prompt and the model loader are on screen, their text drawn at a readable size.
  for (const id of ['prompt', 'pipeline']) await expect(node(page, id)).toBeInViewport({ ratio: 0.9 });
  const px = await node(page, 'prompt').locator('.wnode-title').evaluate((el) => (parseFloat(getComputedStyle(el).fontSize) * el.getBoundingClientRect().height) / (el as HTMLElement).offsetHeight);
  expect(px).toBeGreaterThanOrEqual(10);
  await shot(page, testInfo, 'first-visit-1280');
  await page.getByTestId('show-whole-graph').click();
  await expect(page.getByTestId('partial-view-hint')).toHaveCount(0);
  const graph = await currentGraph(page);
  for (const n of graph.nodes) await expect(node(page, n.id)).toBeInViewport();
});

test('at 1920×1080 the first visit is readable too', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openEditor(page);
  const zoom = await page.evaluate(() => window.__weft!.viewport!.get().zoom);
  expect(zoom).toBeGreaterThanOrEqual(0.5);
  await expect(node(page, 'prompt')).toBeInViewport({ ratio: 0.9 });
  await shot(page, testInfo, 'first-visit-1920');
});

test('a wire let go on empty canvas offers the nodes that fit it, and the one picked arrives connected', async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(page, testGraph('Loose wire', [{ id: 'words', type: 'values.text', x: 0, y: 0, params: { value: 'Prompt:' } }]));
  const from = await node(page, 'words').getByTestId('handle-output-text').boundingBox();
  if (!from) throw new Error('no handle');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + 80, from.y + 60, { steps: 6 });
  await expect(page.locator('.react-flow__connection')).toHaveCount(1);
  // let go on empty canvas, below and right of the node
  const drop = { x: from.x + 140, y: from.y + 160 };
  await page.mouse.move(drop.x, drop.y, { steps: 6 });
  await page.mouse.up();
  const popup = page.getByTestId('add-popup');
  await expect(popup).toBeVisible();
  await expect(popup.getByTestId('add-popup-hint')).toHaveText('Nodes that take this output (text)');
  // Only nodes with a text input: a VAE Decode is not offered, Generate Text and Tokenizer are.
  await expect(popup.getByTestId('add-popup-item-latent.vaeDecode')).toHaveCount(0);
  await expect(popup.getByTestId('add-popup-item-conditioning.tokenize')).toBeVisible();
  await shot(page, testInfo, 'loose-wire-suggestions');
  await popup.getByTestId('add-popup-search').fill('generate');
  await popup.getByTestId('add-popup-item-textgen.generate').click();
  await expect(popup).toBeHidden();
  const g = await currentGraph(page);
  const added = g.nodes.find((n: { type: string }) => n.type === 'textgen.generate')!;
  expect(added).toBeDefined();
  expect(g.edges).toEqual([expect.objectContaining({ from: { node: 'words', port: 'text' }, to: { node: added.id, port: 'prompt' } })]);
  // It landed where the wire was let go (free of the Text node).
  const box = (await node(page, added.id).boundingBox())!;
  expect(Math.abs(box.x + box.width / 2 - drop.x)).toBeLessThan(box.width);
});

test('results open large with their prompt and seed, and this session keeps each run', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  g.nodes.find((n: { id: string }) => n.id === 'scheduler').params.steps = 4;
  await loadGraph(page, g);
  await expect(page.getByTestId('results-button')).toBeDisabled();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await node(page, 'image').getByTestId('output-image-open').click();
  const panel = page.getByTestId('results-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('results-prompt')).toHaveText('a large red circle on the left');
  await expect(panel.getByTestId('results-seed')).toHaveText('42');
  // 64×64 drawn at 384 px with sharp pixels
  const canvas = panel.getByTestId('results-image');
  expect((await canvas.boundingBox())!.width).toBeGreaterThanOrEqual(380);
  expect(await canvas.evaluate((c) => getComputedStyle(c).imageRendering)).toBe('pixelated');
  await panel.getByTestId('results-close').click();
  // A second run with another prompt: both are kept, the newest first.
  await page.evaluate(() => {
    const graph = structuredClone(window.__weft!.getGraph());
    graph.nodes.find((n) => n.id === 'prompt')!.params.text = 'a small blue star at the top right';
    window.__weft!.loadGraph(graph);
  });
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await page.getByTestId('results-button').click();
  await expect(panel.getByTestId('results-prompt')).toHaveText('a small blue star at the top right');
  await expect(panel.getByTestId('results-thumb')).toHaveCount(2);
  await shot(page, testInfo, 'results-panel');
  await panel.getByTestId('results-thumb').nth(1).click();
  await expect(panel.getByTestId('results-prompt')).toHaveText('a large red circle on the left');
  const download = page.waitForEvent('download');
  await panel.getByTestId('results-save').click();
  expect((await download).suggestedFilename()).toBe('image.png');
});

test('the steps of a loop are reachable from the run bar at any zoom', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  g.nodes.find((n: { id: string }) => n.id === 'scheduler').params.steps = 4;
  await loadGraph(page, g);
  await expect(page.getByTestId('steps-button')).toBeDisabled();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  // zoomed far out: no scrubber on the node
  await page.evaluate(() => window.__weft!.viewport!.set({ x: 0, y: 0, zoom: 0.3 }));
  await page.getByTestId('steps-button').click();
  const panel = page.getByTestId('steps-panel');
  await expect(panel).toBeVisible();
  const scrubber = panel.getByTestId('scrubber-sampler');
  await expect(scrubber).toBeVisible();
  await scrubber.getByTestId('scrubber-range').fill('1');
  await expect(scrubber.getByTestId('scrubber-step')).toHaveText('1');
  // docked under the canvas like the timeline: inside the window, the page does not scroll
  const box = (await panel.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(720);
  const sb = (await scrubber.boundingBox())!;
  expect(sb.y + sb.height).toBeLessThanOrEqual(box.y + box.height + 1);
  expect(await page.evaluate(() => document.scrollingElement!.scrollTop)).toBe(0);
  await shot(page, testInfo, 'steps-panel');
  await panel.getByTestId('steps-close').click();
  await expect(panel).toBeHidden();
});

test('zoomed out to the whole graph, a node keeps its key params readable and editable', async ({ page }, testInfo) => {
  await openEditor(page);
  const g = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
  await loadGraph(page, g);
  await page.getByTestId('show-whole-graph').click();
  await page.waitForTimeout(400);
  const zoom = await page.evaluate(() => window.__weft!.viewport!.get().zoom);
  expect(zoom).toBeLessThan(0.45);
  // compact: the full fields are gone, the key ones stay as chips about 11 px tall on screen
  await expect(node(page, 'prompt').getByTestId('param-prompt-text')).toHaveCount(0);
  const chip = node(page, 'prompt').getByTestId('key-param-prompt-text');
  await expect(chip).toContainText('a large red circle on the left');
  const fontPx = await chip.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(fontPx * zoom).toBeGreaterThan(9);
  await expect(node(page, 'scheduler').getByTestId('key-param-scheduler-steps')).toContainText('20');
  await expect(node(page, 'noise').getByTestId('key-param-noise-seed')).toContainText('42');
  await shot(page, testInfo, 'key-params-zoomed-out');
  // a click opens the ordinary field at screen size; the edit lands on the node
  await chip.click();
  const editor = page.getByTestId('key-param-editor');
  await expect(editor).toBeVisible();
  await editor.getByTestId('param-prompt-text').fill('two small yellow stars');
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();
  await expect(chip).toContainText('two small yellow stars');
  const text = await page.evaluate(() => window.__weft!.getGraph().nodes.find((n) => n.id === 'prompt')!.params.text);
  expect(text).toBe('two small yellow stars');
  await node(page, 'scheduler').getByTestId('key-param-scheduler-steps').click();
  await editor.getByTestId('param-scheduler-steps').fill('8');
  await page.keyboard.press('Escape');
  await expect(node(page, 'scheduler').getByTestId('key-param-scheduler-steps')).toContainText('8');
});

test('the first hour, in one walk: build text to image from an empty canvas, run, change the prompt, see it large, open a file and get the graph back', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await openEditor(page);
  // an empty canvas (the helper waits for a node, and there is none yet)
  expect(await page.evaluate((g) => window.__weft!.loadGraph(g), testGraph('My first pipeline', []))).toEqual({ ok: true });
  await expect(page.locator('.react-flow__node-weft')).toHaveCount(0);
  const types = ['models.loadPipeline', 'conditioning.prompt', 'conditioning.tokenize', 'conditioning.encodeText', 'sampling.scheduler', 'latent.empty', 'latent.noise', 'sampling.initialLatent', 'sampling.sampler', 'latent.vaeDecode', 'output.image'];
  const ids = new Map<string, string>();
  for (const [i, type] of types.entries()) {
    await page.getByTestId('palette-search').fill('');
    await page.getByTestId(`palette-item-${type}`).dblclick();
    await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(i + 1);
    ids.set(type, (await currentGraph(page)).nodes.find((n) => n.type === type)!.id);
  }
  const id = (t: string) => ids.get(t)!;
  await page.getByTestId('auto-layout-button').click();
  await page.waitForTimeout(600);
  await page.locator('.react-flow__controls-fitview').click();
  await viewSettled(page);
  const wires: [string, string, string, string][] = [
    ['models.loadPipeline', 'tokenizer', 'conditioning.tokenize', 'tokenizer'],
    ['conditioning.prompt', 'text', 'conditioning.tokenize', 'text'],
    ['models.loadPipeline', 'textEncoder', 'conditioning.encodeText', 'textEncoder'],
    ['conditioning.tokenize', 'tokens', 'conditioning.encodeText', 'tokens'],
    ['models.loadPipeline', 'unet', 'sampling.sampler', 'unet'],
    ['sampling.scheduler', 'schedule', 'sampling.sampler', 'schedule'],
    ['conditioning.encodeText', 'embedding', 'sampling.sampler', 'positive'],
    ['latent.empty', 'latent', 'latent.noise', 'latent'],
    ['sampling.scheduler', 'schedule', 'sampling.initialLatent', 'schedule'],
    ['latent.noise', 'noise', 'sampling.initialLatent', 'noise'],
    ['sampling.initialLatent', 'latent', 'sampling.sampler', 'latent'],
    ['models.loadPipeline', 'vae', 'latent.vaeDecode', 'vae'],
    ['sampling.sampler', 'latent', 'latent.vaeDecode', 'latent'],
    ['latent.vaeDecode', 'image', 'output.image', 'image'],
  ];
  for (const [ft, fp, tt, tp] of wires) {
    await dragWire(page, handle(page, id(ft), 'output', fp), handle(page, id(tt), 'input', tp));
  }
  await expect.poll(async () => (await currentGraph(page)).edges.length).toBe(wires.length);
  await expect(page.getByTestId('issues-count')).toHaveText('0');
  await shot(page, testInfo, 'walk-built');
  // fewer steps, so the walk stays quick: through the key param on the zoomed-out node, or the field
  const steps = page.getByTestId(`param-${id('sampling.scheduler')}-steps`);
  if (await steps.count()) await steps.fill('6');
  else {
    await page.getByTestId(`key-param-${id('sampling.scheduler')}-steps`).click();
    await page.getByTestId('key-param-editor').getByTestId(`param-${id('sampling.scheduler')}-steps`).fill('6');
    await page.keyboard.press('Escape');
  }
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await expect(node(page, id('output.image')).getByTestId('output-image')).toBeVisible();
  // change the prompt and run again
  const prompt = page.getByTestId(`param-${id('conditioning.prompt')}-text`);
  if (await prompt.count()) await prompt.fill('a small blue star at the top right');
  else {
    await page.getByTestId(`key-param-${id('conditioning.prompt')}-text`).click();
    await page.getByTestId('key-param-editor').getByTestId(`param-${id('conditioning.prompt')}-text`).fill('a small blue star at the top right');
    await page.keyboard.press('Escape');
  }
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  // view it large
  await node(page, id('output.image')).getByTestId('output-image-open').click();
  const panel = page.getByTestId('results-panel');
  await expect(panel.getByTestId('results-prompt')).toHaveText('a small blue star at the top right');
  await expect(panel.getByTestId('results-thumb')).toHaveCount(2);
  await shot(page, testInfo, 'walk-result');
  await panel.getByTestId('results-close').click();
  // open a file: it opens as a graph of its own; the pipeline built here waits in the library
  await page.getByTestId('open-file-input').setInputFiles('examples/best-of-n.json');
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBeGreaterThan(types.length);
  await page.getByTestId('library-button').click();
  const row = page.locator('[data-testid="library-row"][data-title="My first pipeline"]');
  await expect(row).toHaveCount(1);
  await row.getByTestId('library-open').click();
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(types.length);
  expect((await currentGraph(page)).edges).toHaveLength(wires.length);
});

test("a node's to-do offers what can feed the input it names, and wires the one picked", async ({ page }, testInfo) => {
  await openEditor(page);
  await loadGraph(page, testGraph('To-do', [{ id: 'decode', type: 'latent.vaeDecode', x: 300, y: 0 }]));
  await node(page, 'decode').getByTestId('to-connect-latent').click();
  const popup = page.getByTestId('add-popup');
  await expect(popup.getByTestId('add-popup-hint')).toHaveText('Nodes that take their output to this input (latent)');
  await expect(popup.getByTestId('add-popup-item-sampling.sampler')).toBeVisible();
  await expect(popup.getByTestId('add-popup-item-conditioning.prompt')).toHaveCount(0);
  await shot(page, testInfo, 'to-do-suggestions');
  await popup.getByTestId('add-popup-item-sampling.sampler').click();
  const g = await currentGraph(page);
  const sampler = g.nodes.find((n) => n.type === 'sampling.sampler')!;
  expect(g.edges).toEqual([expect.objectContaining({ from: { node: sampler.id, port: 'latent' }, to: { node: 'decode', port: 'latent' } })]);
  await expect(node(page, 'decode').getByTestId('to-connect-latent')).toHaveCount(0);
});

test('Complete graph builds what a lone Image Output needs, in one undoable step, and it runs', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await openEditor(page);
  await loadGraph(page, testGraph('Complete me', [{ id: 'image', type: 'output.image', x: 600, y: 0 }]));
  // From the input's to-do: the suggestions lead with the one-click completion, saying what it adds.
  await node(page, 'image').getByTestId('to-connect-image').click();
  const action = page.getByTestId('add-popup').getByTestId('add-popup-action');
  await expect(action).toContainText('Complete graph');
  await expect(action).toContainText('Adds VAE Decode, Load Pipeline, Sampler');
  await shot(page, testInfo, 'complete-offer');
  await action.click();
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(11);
  const g = await currentGraph(page);
  expect(g.edges).toHaveLength(17);
  await expect(page.getByTestId('issues-count')).toHaveText('0');
  await expect(page.getByTestId('toast-info').last()).toContainText('Complete graph: Adds VAE Decode');
  await viewSettled(page);
  await shot(page, testInfo, 'complete-done');
  // No new node covers another.
  const boxes = await page.locator('.react-flow__node-weft').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      expect(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom, `nodes ${i} and ${j} overlap`).toBe(false);
    }
  // One Undo takes all of it back; Redo brings it again.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(1);
  // The problems list offers the same, for the whole graph.
  await page.getByTestId('complete-graph').click();
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(11);
  await expect(page.getByTestId('complete-graph')).toHaveCount(0);
  const scheduler = (await currentGraph(page)).nodes.find((n) => n.type === 'sampling.scheduler')!;
  const steps = page.getByTestId(`param-${scheduler.id}-steps`);
  if (await steps.count()) await steps.fill('4');
  else {
    await page.getByTestId(`key-param-${scheduler.id}-steps`).click();
    await page.getByTestId('key-param-editor').getByTestId(`param-${scheduler.id}-steps`).fill('4');
    await page.keyboard.press('Escape');
  }
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout: 120_000 });
  await expect(node(page, 'image').getByTestId('output-image')).toBeVisible();
  await shot(page, testInfo, 'complete-ran');
});
