'use client';
import type { ReactFlowInstance } from '@xyflow/react';
import { applyCompletion, planCompletion, type CompletionPlan } from '@/engine/graph/complete';
import { moveNodes } from '@/engine/commands/commands';
import { registry } from '@/nodes';
import type { EditorController } from '../controller';
import { estimateSize, freeSpot, type Box, type Size } from './placement';
import { drawnBoxes } from './placeNode';
import { FIT_VIEW } from './openingView';

type Flow = Pick<ReactFlowInstance, 'getNodes' | 'screenToFlowPosition' | 'fitView'>;

const GAP_X = 64;
const GAP_Y = 24;

/**
 * Where the planned nodes go: each left of the node it feeds, the suppliers of one node stacked
 * top to bottom in the order of its inputs, each moved clear of every node already there. Pure.
 */
export function placeCompletion(plan: CompletionPlan, boxes: readonly (Box & { id: string })[], sizeOf: (type: string, id: string) => Size): Map<string, { x: number; y: number }> {
  const at = new Map<string, Box>();
  for (const b of boxes) at.set(b.id, b);
  const others: Box[] = [...boxes];
  const below = new Map<string, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const p of plan.nodes) {
    const size = sizeOf(p.type, p.id);
    const consumer = at.get(p.feeds);
    const want = consumer ? { x: consumer.x - GAP_X - size.w, y: below.get(p.feeds) ?? consumer.y } : p.position;
    const spot = freeSpot(want, size, others);
    const box = { id: p.id, x: spot.x, y: spot.y, w: size.w, h: size.h };
    below.set(p.feeds, spot.y + size.h + GAP_Y);
    at.set(p.id, box);
    others.push(box);
    out.set(p.id, spot);
  }
  return out;
}

/** The plan for the graph as it is (of `only` these nodes' gaps, when given). */
export function completionPlan(ctrl: EditorController, only?: readonly string[]): CompletionPlan {
  return planCompletion(ctrl.graph, registry, only ? { only } : {});
}

/**
 * Fills what can be filled, as one undoable edit, places the new nodes beside what they feed and
 * brings them into view; says what it did (and what it left) in a toast.
 */
export function completeGraph(ctrl: EditorController, rf: Flow, only?: readonly string[]): CompletionPlan {
  const plan = completionPlan(ctrl, only);
  if (!plan.nodes.length && !plan.edges.length) {
    ctrl.toast('info', plan.summary, 7000);
    return plan;
  }
  const estimate = (type: string) => {
    const def = registry.get(type);
    return def ? estimateSize(def) : { w: 240, h: 160 };
  };
  const mergeKey = `complete:${++completions}`;
  ctrl.apply(applyCompletion(plan, registry, placeCompletion(plan, drawnBoxes(rf), estimate), mergeKey));
  if (plan.nodes.length) {
    ctrl.selectNodes(plan.nodes.map((n) => n.id));
    // Once drawn, the new nodes have their real sizes: place them again with those, in the same undo entry.
    settle(() => {
      const added = new Set(plan.nodes.map((n) => n.id));
      const drawn = drawnBoxes(rf);
      const size = new Map(drawn.filter((b) => added.has(b.id)).map((b) => [b.id, { w: b.w, h: b.h }]));
      const at = placeCompletion(plan, drawn.filter((b) => !added.has(b.id)), (type, id) => size.get(id) ?? estimate(type));
      const moves = [...at].map(([id, position]) => ({ id, position }));
      ctrl.apply({ ...moveNodes(moves), mergeKey });
      ctrl.history.seal();
      // Into view: the new nodes and what they feed (the document's nodes only, not the background frames).
      const shown = new Set([...added, ...plan.nodes.map((n) => n.feeds)]);
      requestAnimationFrame(() => void rf.fitView({ ...FIT_VIEW, duration: 300, nodes: [...shown].map((id) => ({ id })) }));
    });
  }
  ctrl.toast(plan.left.length ? 'warning' : 'info', `Complete graph: ${plan.summary} Undo (Ctrl+Z) takes it back.`, 9000);
  return plan;
}

let completions = 0;

/** Runs `fn` once React Flow has drawn and measured the latest nodes (two frames on). */
function settle(fn: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(fn, 30)));
}
