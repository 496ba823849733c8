import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { encodeNpy } from '../../engine/npy';
import { clickWire, hoverWire, loadGraph, node, openEditor, shot, testGraph, showWholeGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  // Generous: these run beside model training on a small shared machine.
  test.setTimeout(180_000);
  await openEditor(page);
});

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/** Known data with a NaN and an Inf: the probe must count them and leave them out of the statistics. */
const KNOWN = [-1.5, 0, 2.25, NaN, Infinity, 4, 0.5, -0.25];
const finite = KNOWN.filter(Number.isFinite);
const MEAN = finite.reduce((a, b) => a + b, 0) / finite.length;
const STD = Math.sqrt(finite.reduce((a, b) => a + (b - MEAN) ** 2, 0) / finite.length);

function tensorGraph() {
  const npy = encodeNpy('float32', [2, 4], new Float32Array(KNOWN));
  return testGraph(
    'Probe',
    [
      { id: 'known', type: 'tensor.load', x: 0, y: 0, params: { data: base64(npy) } },
      { id: 'stats', type: 'tensor.stats', x: 380, y: 0 },
      { id: 'out', type: 'output.value', x: 720, y: 0, params: { name: 'summary' } },
      { id: 'noise', type: 'tensor.gaussianNoise', x: 0, y: 360, params: { seed: 7, shape: [1, 4, 32, 32] } },
      { id: 'noise-stats', type: 'tensor.stats', x: 380, y: 360 },
      { id: 'out2', type: 'output.value', x: 720, y: 360, params: { name: 'noise' } },
    ],
    [
      ['known', 'tensor', 'stats', 'tensor'],
      ['stats', 'summary', 'out', 'value'],
      ['noise', 'tensor', 'noise-stats', 'tensor'],
      ['noise-stats', 'summary', 'out2', 'value'],
    ],
  );
}

const runDone = (page: Page, timeout = 60_000) => expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout });

test('the wire probe shows the statistics of a known tensor, on hover and pinned', async ({ page }, testInfo) => {
  await loadGraph(page, tensorGraph());
  // Before a run there is nothing to look into: no card.
  await hoverWire(page, 'e1');
  await expect(page.getByTestId('probe-card')).toHaveCount(0);

  await page.getByTestId('run-button').click();
  await runDone(page);
  await hoverWire(page, 'e1');
  const card = page.getByTestId('probe-card');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('probe-wire')).toHaveText('known.tensor → stats.tensor');
  // The first answer waits for the worker (slow on a loaded machine); later ones come from the page's cache.
  await expect(card.getByTestId('probe-shape')).toHaveText('[2×4]', { timeout: 45_000 });
  await expect(card.getByTestId('probe-dtype')).toHaveText('float32');
  await expect(card.getByTestId('probe-min')).toHaveAttribute('data-value', String(Math.min(...finite)));
  await expect(card.getByTestId('probe-max')).toHaveAttribute('data-value', String(Math.max(...finite)));
  await expect(card.getByTestId('probe-nan')).toHaveText('1');
  await expect(card.getByTestId('probe-inf')).toHaveText('1');
  expect(Number(await card.getByTestId('probe-mean').getAttribute('data-value'))).toBeCloseTo(MEAN, 6);
  expect(Number(await card.getByTestId('probe-std').getAttribute('data-value'))).toBeCloseTo(STD, 6);
  await expect(card.getByTestId('probe-histogram').locator('rect')).toHaveCount(40);

  // A click pins it; the pinned panel stays when the pointer leaves, and closes with ×.
  await clickWire(page, 'e1');
  const panel = page.getByTestId('probe-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId('probe-max')).toHaveAttribute('data-value', '4');
  await page.mouse.move(5, 300);
  await expect(page.getByTestId('probe-card')).toHaveCount(0);
  await expect(panel).toBeVisible();

  // Another wire on hover beside the pinned one: standard-normal noise.
  await hoverWire(page, 'e3');
  await expect(card.getByTestId('probe-shape')).toHaveText('[1×4×32×32]');
  const mean = Number(await card.getByTestId('probe-mean').getAttribute('data-value'));
  const std = Number(await card.getByTestId('probe-std').getAttribute('data-value'));
  expect(Math.abs(mean)).toBeLessThan(0.1);
  expect(Math.abs(std - 1)).toBeLessThan(0.1);
  await shot(page, testInfo, 'probe-tensor');

  await panel.getByTestId('probe-close').click();
  await expect(panel).toHaveCount(0);
});

test('the timeline lists every node of the last run with why it ran or was reused', async ({ page }) => {
  await loadGraph(page, tensorGraph());
  await page.getByTestId('timeline-button').click();
  await expect(page.getByTestId('timeline-panel')).toContainText('Run the graph');
  await page.getByTestId('run-button').click();
  await runDone(page);
  const ids = ['known', 'stats', 'out', 'noise', 'noise-stats', 'out2'];
  for (const id of ids) {
    await expect(page.getByTestId(`timeline-row-${id}`)).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId(`timeline-row-${id}`).getByTestId('timeline-reason')).toHaveText('first run');
  }
  await expect(page.locator('[data-testid^="timeline-row-"]')).toHaveCount(ids.length);
  await expect(page.getByTestId('timeline-total')).toContainText('6 nodes');

  // Change one parameter: the timeline says which nodes were reused and why the others ran.
  await page.evaluate(() => {
    const g = structuredClone(window.__weft!.getGraph());
    g.nodes.find((n) => n.id === 'noise')!.params.seed = 8;
    window.__weft!.loadGraph(g);
  });
  await page.getByTestId('run-button').click();
  await runDone(page);
  await expect(page.getByTestId('timeline-row-known')).toHaveAttribute('data-status', 'cached');
  await expect(page.getByTestId('timeline-row-known').getByTestId('timeline-reason')).toHaveText('unchanged since the last run');
  await expect(page.getByTestId('timeline-row-noise').getByTestId('timeline-reason')).toHaveText("param 'seed' changed");
  await page.getByTestId('timeline-close').click();
  await expect(page.getByTestId('timeline-panel')).toHaveCount(0);
});

test('step mode pauses after one node with the next one highlighted; Next advances one node', async ({ page }, testInfo) => {
  await loadGraph(
    page,
    testGraph(
      'Steps',
      [
        { id: 'a', type: 'values.integer', x: 0, y: 0, params: { value: 6 } },
        { id: 'b', type: 'values.number', x: 0, y: 220, params: { value: 7 } },
        { id: 'mul', type: 'math.arithmetic', x: 340, y: 80, params: { operation: 'multiply', b: 0 } },
        { id: 'out', type: 'output.value', x: 680, y: 80, params: { name: 'product' } },
      ],
      [
        ['a', 'value', 'mul', 'a'],
        ['b', 'value', 'mul', 'b'],
        ['mul', 'result', 'out', 'value'],
      ],
    ),
  );
  const done = page.locator('[data-testid="node-run-state"][data-status="done"]');
  await page.getByTestId('step-button').click();
  const marker = page.getByTestId('step-next');
  await expect(marker).toBeVisible();
  await expect(done).toHaveCount(1);
  const first = await marker.getAttribute('data-node');
  expect(['a', 'b', 'mul', 'out']).toContain(first);
  await expect(node(page, first!).getByTestId('node-run-state')).toHaveAttribute('data-status', 'queued');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
  // Waiting for Next is not work: the run bar says Paused, and its clock stands still.
  await expect(page.getByTestId('run-status')).toContainText('Paused');
  const pausedAt = await page.getByTestId('run-status').textContent();
  await page.waitForTimeout(1200);
  expect(await page.getByTestId('run-status').textContent()).toBe(pausedAt);
  const wallStart = Date.now();
  await page.getByTestId('timeline-button').click();
  await shot(page, testInfo, 'step-mode');
  await page.getByTestId('timeline-button').click();

  await page.getByTestId('step-next-button').click();
  await expect(done).toHaveCount(2);
  await expect(node(page, first!).getByTestId('node-run-state')).toHaveAttribute('data-status', 'done');
  await expect(marker).not.toHaveAttribute('data-node', first!);

  // While paused, the wires of finished nodes can be probed: mul waits for both a and b.
  await hoverWire(page, 'e2');
  await expect(page.getByTestId('probe-card').getByTestId('probe-scalar')).toHaveText('7');

  await page.getByTestId('step-continue-button').click();
  await runDone(page);
  await expect(done).toHaveCount(4);
  // The time shown is the work's, well under the seconds spent paused.
  const shown = /Done · ([\d.]+) (ms|s)/.exec((await page.getByTestId('run-status').textContent()) ?? '');
  expect(shown).not.toBeNull();
  const shownMs = Number(shown![1]) * (shown![2] === 's' ? 1000 : 1);
  expect(shownMs).toBeLessThan(Date.now() - wallStart);
  await expect(node(page, 'out').getByTestId('node-output')).toHaveText('42');
  await expect(page.getByTestId('step-button')).toBeVisible();

  // Cancel while paused stops the run.
  await page.evaluate(() => {
    const g = structuredClone(window.__weft!.getGraph());
    g.nodes.find((n) => n.id === 'b')!.params.value = 8;
    window.__weft!.loadGraph(g);
  });
  await page.getByTestId('step-button').click();
  await expect(marker).toBeVisible();
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled');
  await expect(marker).toHaveCount(0);
  await expect(page.getByTestId('step-button')).toBeEnabled();
});

test('on the text-to-image graph the probe shows the image and the latent, and the timeline the backends', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const g = JSON.parse(readFileSync('examples/text-to-image.json', 'utf8')) as { nodes: { id: string; params: Record<string, unknown> }[] };
  g.nodes.find((n) => n.id === 'scheduler')!.params.steps = 8;
  await loadGraph(page, g);
  await showWholeGraph(page);
  await page.getByTestId('run-button').click();
  await runDone(page, 240_000);

  // decode.image → image (e32): the picture itself.
  await clickWire(page, 'e32');
  const panel = page.getByTestId('probe-panel');
  await expect(panel.getByTestId('probe-thumbnail')).toBeVisible();
  await expect(panel.getByTestId('probe-shape')).toHaveText('image 64×64');
  // loop-out.latent → decode (e31): statistics and the cheap colour preview.
  await hoverWire(page, 'e31');
  const card = page.getByTestId('probe-card');
  await expect(card.getByTestId('probe-shape')).toHaveText('[1×4×8×8]');
  await expect(card.getByTestId('probe-latent-picture')).toBeVisible();
  await shot(page, testInfo, 'probe-image');

  // prompt tokens (e6) as pieces with ids; the schedule (e12) as σ per step.
  await clickWire(page, 'e6');
  await expect(panel.getByTestId('probe-tokens')).toContainText('red');
  await expect(panel.getByTestId('probe-tokens')).toContainText('49406');
  await clickWire(page, 'e12');
  await expect(panel.getByTestId('probe-sigmas').locator('circle')).toHaveCount(9);
  await panel.getByTestId('probe-close').click();

  await page.getByTestId('timeline-button').click();
  const timeline = page.getByTestId('timeline-panel');
  await expect(page.locator('[data-testid^="timeline-row-"]')).toHaveCount(g.nodes.length);
  await expect(page.getByTestId('timeline-row-unet-step')).toContainText('wasm');
  await shot(page, testInfo, 'timeline');
  await expect(timeline).toBeVisible();
});
