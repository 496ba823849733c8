import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export interface TestGraphNode {
  id: string;
  type: string;
  x: number;
  y: number;
  params?: Record<string, unknown>;
}

/** A small schema-v1 document for a test. */
export function testGraph(title: string, nodes: TestGraphNode[], edges: [string, string, string, string][] = []) {
  return {
    schemaVersion: 1,
    metadata: { title },
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, typeVersion: 1, position: { x: n.x, y: n.y }, params: n.params ?? {}, mode: 'normal' })),
    edges: edges.map(([fn, fp, tn, tp], i) => ({ id: `e${i + 1}`, from: { node: fn, port: fp }, to: { node: tn, port: tp } })),
    zones: [],
    groups: [],
  };
}

export async function openEditor(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('editor')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await expect(page.locator('.react-flow__node-weft').first()).toBeVisible();
  await viewSettled(page);
}

/** Replaces the open document through the page's test hook (no undo entry). */
export async function loadGraph(page: Page, graph: unknown): Promise<void> {
  const result = await page.evaluate((g) => window.__weft!.loadGraph(g), graph);
  expect(result).toEqual({ ok: true });
  await expect(page.locator('.react-flow__node-weft').first()).toBeVisible();
  await viewSettled(page);
  // the slow test machine: let measuring and fitting finish before pointer work
  await page.waitForTimeout(500);
}

/** Waits until the view has stopped moving (the canvas fits a new graph right after showing it). */
export async function viewSettled(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await page.evaluate(() => {
          const vp = document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? '';
          const first = document.querySelector<HTMLElement>('.react-flow__node-weft')?.getBoundingClientRect();
          return `${vp}|${first?.x},${first?.y},${first?.width},${first?.height}`;
        });
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [150, 150, 250], timeout: 15_000 },
    )
    .toBe(true);
}

export type DocGraph = { metadata: { title: string }; nodes: { id: string; type: string; position: { x: number; y: number } }[]; edges: { from: { node: string; port: string }; to: { node: string; port: string } }[] };

export async function currentGraph(page: Page): Promise<DocGraph> {
  return page.evaluate(() => JSON.parse(JSON.stringify(window.__weft!.getGraph())));
}

export function node(page: Page, id: string): Locator {
  return page.getByTestId(`node-${id}`);
}

export function handle(page: Page, nodeId: string, kind: 'input' | 'output', port: string): Locator {
  return node(page, nodeId).getByTestId(`handle-${kind}-${port}`);
}

/** Drags a wire from one handle to another with the mouse, as a person would. */
export async function dragWire(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 6 });
  // a wire is being drawn
  await expect(page.locator('.react-flow__connection')).toHaveCount(1);
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
  await expect(page.locator('.react-flow__handle.connectingto')).toHaveCount(1);
  await page.mouse.up();
}

/** Saves a screenshot for review in test-results/screenshots/<name>.png. */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const dir = path.join(testInfo.project.outputDir, '..', 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

export const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

/** A wide graph opens readable on its start; this shows it whole, as the tests that reach across it need. */
export async function showWholeGraph(page: Page): Promise<void> {
  await page.getByTestId('show-whole-graph').click();
  await expect(page.getByTestId('partial-view-hint')).toHaveCount(0);
  await page.waitForTimeout(350);
}

/**
 * A point along a wire where that wire is the one on top, in page coordinates: halfway if it can
 * be (a curved wire's box centre may miss it), else the nearest fraction where no other wire or
 * node covers it (wires that leave one node together can share their middles).
 */
export async function wirePoint(page: Page, edgeId: string): Promise<{ x: number; y: number }> {
  const path = page.locator(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-path`);
  await expect(path).toHaveCount(1);
  return path.evaluate((p: SVGPathElement, id: string) => {
    const m = p.getScreenCTM()!;
    const at = (f: number) => {
      const q = p.getPointAtLength(p.getTotalLength() * f);
      return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
    };
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85, 0.1, 0.9, 0.06, 0.94]) {
      const pt = at(f);
      const hit = document.elementFromPoint(pt.x, pt.y)?.closest('[data-testid^="rf__edge-"]');
      if (hit?.getAttribute('data-testid') === `rf__edge-${id}`) return pt;
    }
    return at(0.5);
  }, edgeId);
}

export async function hoverWire(page: Page, edgeId: string) {
  const { x, y } = await wirePoint(page, edgeId);
  await page.mouse.move(x - 8, y);
  await page.mouse.move(x, y, { steps: 3 });
}

export async function clickWire(page: Page, edgeId: string) {
  const { x, y } = await wirePoint(page, edgeId);
  await page.mouse.click(x, y);
}
