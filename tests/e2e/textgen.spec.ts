import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { clickWire, loadGraph, openEditor, shot, showWholeGraph } from './helpers';

test.beforeEach(async ({ page }) => {
  test.setTimeout(180_000);
  await openEditor(page);
});

const runDone = (page: Page, timeout = 120_000) => expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'ok', { timeout });

type Doc = { edges: { id: string; from: { node: string; port: string }; to: { node: string; port: string } }[] };
const edgeId = (g: Doc, from: string, port: string) => g.edges.find((e) => e.from.node === from && e.from.port === port)!.id;

test('a teacher opens the decoding lesson, runs it and shows the beam tree', async ({ page }, testInfo) => {
  await page.getByTestId('templates-button').click();
  await page.getByTestId('template-decoding-strategies').click();
  await expect(page.getByTestId('templates-dialog')).toBeHidden();
  // Three strategies side by side are wider than the window: the teacher shows the whole graph.
  await showWholeGraph(page);
  await page.getByTestId('run-button').click();
  await runDone(page);
  // Each strategy's text reaches its output node.
  for (const id of ['out-greedy', 'out-beam', 'out-sample']) {
    await expect(page.getByTestId(`node-${id}`).getByTestId('node-output')).not.toBeEmpty();
  }
  const g = (await page.evaluate(() => JSON.parse(JSON.stringify(window.__weft!.getGraph())))) as Doc;
  await clickWire(page, edgeId(g, 'beam', 'trace'));
  const panel = page.getByTestId('probe-panel');
  const tree = panel.getByTestId('beam-tree');
  await expect(tree).toBeVisible();
  await expect(tree).toContainText('beam tree · 4 beams');
  expect(await tree.getByTestId('beam-node').count()).toBeGreaterThanOrEqual(8);
  await expect(tree.getByTestId('beam-fates')).toContainText('not in the top beams');
  await expect(tree.getByTestId('beam-finished')).toContainText('score');
  // A click on a beam shows its text and the next-token distribution there.
  await tree.getByTestId('beam-node').nth(5).click();
  await expect(tree.getByTestId('beam-detail')).toContainText('summed log-prob');
  await expect(tree.getByTestId('beam-detail').locator('.token-bar')).toHaveCount(10);
  await shot(page, testInfo, 'textgen-beam-tree');
  // The sampling trace, token by token: scrub back to the first token and see what it was drawn from.
  // (The pinned panel covers the right of the canvas, where that wire runs: close it first.)
  await panel.getByTestId('probe-close').click();
  await clickWire(page, edgeId(g, 'sample', 'trace'));
  await expect(panel.getByTestId('probe-generation')).toContainText('sampling · T 0.8 · top-p 0.9 · seed 3');
  await panel.getByTestId('probe-gen-scrub').fill('0');
  await expect(panel.getByTestId('probe-gen-step')).toContainText('token 1:');
  await expect(panel.getByTestId('probe-gen-step')).toContainText('after temperature 0.8 (');
  await shot(page, testInfo, 'textgen-sampling-trace');
  // Time travel: keep the first two tokens, generate the rest again.
  await panel.getByTestId('probe-gen-scrub').fill('2');
  await panel.getByTestId('probe-gen-continue').click();
  await runDone(page);
  const prefix = await page.evaluate(() => window.__weft!.getGraph().nodes.find((n) => n.id === 'sample')!.params.prefix as string);
  expect(prefix.trim().length).toBeGreaterThan(0);
  await expect(page.getByTestId('node-out-sample').getByTestId('node-output')).toContainText(prefix.trim());
});

test('the probe shows how temperature, top-k and top-p reshape the next-token distribution', async ({ page }, testInfo) => {
  const g = JSON.parse(readFileSync('examples/decoding-loop.json', 'utf8'));
  await loadGraph(page, g);
  await showWholeGraph(page);
  await page.getByTestId('run-button').click();
  await runDone(page);
  await expect(page.getByTestId('node-out').getByTestId('node-output')).toContainText('Prompt: a large');
  await clickWire(page, edgeId(g, 'first', 'processed'));
  const panel = page.getByTestId('probe-panel');
  const stages = panel.getByTestId('probe-stages');
  await expect(stages).toBeVisible();
  for (const label of ['raw scores', 'temperature 0.8', 'top-k 20', 'top-p 0.9']) await expect(stages).toContainText(label);
  await expect(panel.getByTestId('probe-entropy')).toContainText('nats');
  await shot(page, testInfo, 'textgen-processors');
});
