'use client';
import type { ReactFlowInstance } from '@xyflow/react';
import { addNode } from '@/engine/commands/commands';
import type { NodeDefinition } from '@/engine/nodeDefinition';
import type { EditorController } from '../controller';
import { besideSelection, estimateSize, freeSpot, type Box } from './placement';

type Flow = Pick<ReactFlowInstance, 'getNodes' | 'screenToFlowPosition'>;

/** The document nodes as drawn (measured where React Flow has measured them), in flow units. */
export function drawnBoxes(rf: Flow): (Box & { id: string })[] {
  return rf
    .getNodes()
    .filter((n) => n.type === 'weft')
    .map((n) => ({ id: n.id, x: n.position.x, y: n.position.y, w: n.measured?.width ?? n.width ?? 240, h: n.measured?.height ?? n.height ?? 160 }));
}

/** The part of the canvas on screen, in flow units. */
export function visibleBox(rf: Flow): Box | undefined {
  const el = document.querySelector('.canvas');
  if (!el) return undefined;
  const r = el.getBoundingClientRect();
  const a = rf.screenToFlowPosition({ x: r.left, y: r.top });
  const b = rf.screenToFlowPosition({ x: r.right, y: r.bottom });
  return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y };
}

/**
 * Adds a node where the user meant it, free of the others and on screen, and selects it.
 * `at` is a point in flow units (the pointer); without one the node goes beside the selection,
 * or else at the view's centre.
 */
export function placeNode(ctrl: EditorController, rf: Flow, def: NodeDefinition, at?: { x: number; y: number }): string | null {
  const size = estimateSize(def);
  const boxes = drawnBoxes(rf);
  const view = visibleBox(rf);
  const selected = ctrl.store.get().selection.nodes;
  const beside = at ? null : besideSelection(boxes.filter((b) => selected.has(b.id)));
  const centre = view ? { x: view.x + view.w / 2 - size.w / 2, y: view.y + view.h / 2 - size.h / 2 } : { x: 0, y: 0 };
  const want = at ? { x: at.x - size.w / 2, y: at.y - 20 } : (beside ?? centre);
  const spot = freeSpot(want, size, boxes, view);
  const before = new Set(ctrl.graph.nodes.map((n) => n.id));
  ctrl.apply(addNode(def, spot));
  const added = ctrl.graph.nodes.find((n) => !before.has(n.id));
  if (added) ctrl.selectNodes([added.id]);
  return added?.id ?? null;
}
