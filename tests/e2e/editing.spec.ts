import { expect, test } from '@playwright/test';
import { currentGraph, dragWire, handle, loadGraph, mod, node, openEditor, shot, testGraph, viewSettled } from './helpers';

test.beforeEach(async ({ page }) => {
  await openEditor(page);
});

test('drag a node from the palette onto the canvas', async ({ page }, testInfo) => {
  const before = (await currentGraph(page)).nodes.length;
  const canvas = page.getByTestId('canvas');
  const box = (await canvas.boundingBox())!;
  await page.getByTestId('palette-item-debug.slow').dragTo(canvas, { targetPosition: { x: box.width * 0.3, y: box.height * 0.85 } });
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(before + 1);
  const added = (await currentGraph(page)).nodes.find((n) => n.type === 'debug.slow')!;
  await expect(node(page, added.id)).toBeVisible();
  await expect(node(page, added.id)).toContainText('Slow Pass-through');
  // The new node is selected and shown in the inspector.
  await expect(page.getByTestId('inspector-title')).toHaveText('Slow Pass-through');
  await shot(page, testInfo, 'palette-drag');
});

test('double-click the canvas opens a search that adds a node with the keyboard', async ({ page }, testInfo) => {
  await loadGraph(page, testGraph('Quick add', [{ id: 'n1', type: 'values.number', x: 0, y: 0 }]));
  const canvas = page.getByTestId('canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.dblclick(box.x + box.width * 0.75, box.y + box.height * 0.75);
  await expect(page.getByTestId('add-popup')).toBeVisible();
  await page.keyboard.type('arith');
  await shot(page, testInfo, 'add-popup');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('add-popup')).toBeHidden();
  await expect.poll(async () => (await currentGraph(page)).nodes.map((n) => n.type)).toContain('math.arithmetic');
});

test('connect two nodes by dragging a wire', async ({ page }, testInfo) => {
  await loadGraph(
    page,
    testGraph('Connect', [
      { id: 'num', type: 'values.integer', x: 0, y: 0, params: { value: 5 } },
      { id: 'calc', type: 'math.arithmetic', x: 360, y: 0 },
    ]),
  );
  await dragWire(page, handle(page, 'num', 'output', 'value'), handle(page, 'calc', 'input', 'a'));
  await expect.poll(async () => (await currentGraph(page)).edges).toEqual([expect.objectContaining({ from: { node: 'num', port: 'value' }, to: { node: 'calc', port: 'a' } })]);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  // integer feeding a number input is a visible coercion
  await expect(page.locator('.react-flow__edge-text')).toHaveText('int→num');
  await shot(page, testInfo, 'connect');
});

test('a refused connection says why', async ({ page }, testInfo) => {
  await loadGraph(
    page,
    testGraph('Refuse', [
      { id: 'words', type: 'values.text', x: 0, y: 0, params: { value: 'hello' } },
      { id: 'calc', type: 'math.arithmetic', x: 360, y: 0 },
    ]),
  );
  await dragWire(page, handle(page, 'words', 'output', 'text'), handle(page, 'calc', 'input', 'a'));
  const toast = page.getByTestId('toast-error');
  await expect(toast).toBeVisible();
  await expect(toast).toContainText("text output 'text' cannot feed number input 'a'");
  expect((await currentGraph(page)).edges).toHaveLength(0);
  await shot(page, testInfo, 'refused-connection');
});

test('undo and redo edits; a drag is one history entry', async ({ page }, testInfo) => {
  await loadGraph(page, testGraph('Undo', [{ id: 'n1', type: 'values.number', x: 0, y: 0 }]));
  await page.getByTestId('palette-item-values.boolean').dblclick();
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(2);
  await expect(page.locator('.react-flow__node-weft')).toHaveCount(2);
  await viewSettled(page);

  // Drag the added node (the top one: it may land over n1) in many small steps: still one history entry.
  const added = (await currentGraph(page)).nodes.find((n) => n.type === 'values.boolean')!;
  const start = added.position;
  const positionOfAdded = async () => (await currentGraph(page)).nodes.find((n) => n.id === added.id)!.position;
  const header = node(page, added.id).locator('.wnode-header');
  // hover() waits until the header is still and is what the pointer would hit there.
  await header.hover({ position: { x: 20, y: 8 } });
  const b = (await header.boundingBox())!;
  await page.mouse.move(b.x + 20, b.y + b.height / 2);
  await page.waitForTimeout(100);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(b.x + 20 + i * 12, b.y + b.height / 2 + i * 8);
  await page.mouse.up();
  await expect.poll(async () => (await positionOfAdded()).x - start.x).toBeGreaterThan(50);

  await page.keyboard.press(`${mod}+z`);
  await expect.poll(positionOfAdded).toEqual(start);
  expect((await currentGraph(page)).nodes).toHaveLength(2);
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(1);
  await expect(page.locator('.react-flow__node-weft')).toHaveCount(1);
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(2);
  await page.keyboard.press(`${mod}+y`);
  await expect.poll(async () => (await positionOfAdded()).x - start.x).toBeGreaterThan(50);
  await expect(page.getByTestId('redo-button')).toBeDisabled();
  await shot(page, testInfo, 'undo-redo');
});

test('keyboard: select all, copy, paste, duplicate, delete', async ({ page }, testInfo) => {
  await loadGraph(
    page,
    testGraph(
      'Keys',
      [
        { id: 'a', type: 'values.number', x: 0, y: 0 },
        { id: 'out', type: 'output.value', x: 320, y: 0 },
      ],
      [['a', 'value', 'out', 'value']],
    ),
  );
  await page.getByTestId('canvas').click({ position: { x: 40, y: 40 } });
  await page.keyboard.press(`${mod}+a`);
  await expect(page.getByTestId('inspector')).toContainText('2 nodes selected');
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(4);
  expect((await currentGraph(page)).edges).toHaveLength(2);
  await page.keyboard.press(`${mod}+d`);
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(6);
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await currentGraph(page)).nodes.length).toBe(4);
  await shot(page, testInfo, 'keyboard');
});
