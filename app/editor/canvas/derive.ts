import type { Edge, Node } from '@xyflow/react';
import type { Graph, GraphEdge, GraphNode } from '@/engine/graph/document';
import { portsOf } from '@/engine/graph/ports';
import { canConnect } from '@/engine/types/canConnect';
import type { PortSpec } from '@/engine/types/portTypes';
import { registry } from '@/nodes';
import type { WeftFlowNode } from './GraphNodeView';
import type { FrameFlowNode } from './FrameNodeView';
import type { Selection } from '../store';
import { coercionLabel, portColour } from './theme';

/**
 * React Flow's nodes derived from the document. A node object is reused while its document
 * node and selection are unchanged, so memoized node components do not re-render; measured
 * sizes and drag positions live only here.
 */
export function reconcileNodes(prev: readonly WeftFlowNode[], graph: Graph, selection: Selection): WeftFlowNode[] {
  const byId = new Map<string, WeftFlowNode>();
  for (const n of prev) byId.set(n.id, n);
  return graph.nodes.map((gn) => {
    const p = byId.get(gn.id);
    const selected = selection.nodes.has(gn.id);
    if (p && p.data.node === gn && !!p.selected === selected) return p;
    if (p && p.data.node === gn) return { ...p, selected };
    return {
      id: gn.id,
      type: 'weft',
      position: gn.position,
      data: { node: gn },
      selected,
      // Until React Flow measures a node, an estimate lets it skip drawing nodes out of view.
      measured: p?.measured ?? estimateSize(gn),
      ...(registry.has(gn.type) ? {} : { className: 'unknown' }),
    };
  });
}

function estimateSize(gn: GraphNode): { width: number; height: number } {
  const def = registry.get(gn.type);
  if (!def) return { width: 240, height: 120 };
  const params = Object.keys(def.params.shape).length;
  return { width: 240, height: 36 + 22 * (def.inputs.length + def.outputs.length) + 44 * params };
}

/** The port specs of a node in its graph, or undefined when the node or port is unknown. */
export function findPort(graph: Graph, nodeId: string, port: string, side: 'input' | 'output'): PortSpec | undefined {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const ports = portsOf(graph, node, registry.get(node.type));
  return (side === 'input' ? ports.inputs : ports.outputs).find((p) => p.name === port);
}

type EdgeCacheEntry = { edge: Edge; selected: boolean; key: string };
const edgeCache = new WeakMap<GraphEdge, EdgeCacheEntry>();

export function deriveEdges(graph: Graph, selection: Selection): Edge[] {
  const nodes = new Map<string, GraphNode>();
  for (const n of graph.nodes) nodes.set(n.id, n);
  const portCache = new Map<GraphNode, ReturnType<typeof portsOf>>();
  const ports = (n: GraphNode | undefined) => {
    if (!n) return undefined;
    let p = portCache.get(n);
    if (!p) {
      p = portsOf(graph, n, registry.get(n.type));
      portCache.set(n, p);
    }
    return p;
  };
  return graph.edges.map((ge) => {
    const out = ports(nodes.get(ge.from.node))?.outputs.find((p) => p.name === ge.from.port);
    const inp = ports(nodes.get(ge.to.node))?.inputs.find((p) => p.name === ge.to.port);
    const selected = selection.edges.has(ge.id);
    const key = `${out?.type ?? '?'}>${inp?.type ?? '?'}`;
    const cached = edgeCache.get(ge);
    if (cached && cached.selected === selected && cached.key === key) return cached.edge;
    const check = out && inp ? canConnect(out, inp) : undefined;
    const colour = portColour(out?.type ?? 'any');
    const edge: Edge = {
      id: ge.id,
      source: ge.from.node,
      sourceHandle: ge.from.port,
      target: ge.to.node,
      targetHandle: ge.to.port,
      selected,
      style: { stroke: colour },
      className: check && !check.ok ? 'edge-invalid' : undefined,
      ...(check?.ok && check.coercion
        ? { label: coercionLabel(check.coercion), labelStyle: { fill: '#c9d1dc', fontSize: 10 }, labelBgStyle: { fill: '#23272f' }, labelBgPadding: [4, 2] as [number, number], labelBgBorderRadius: 3 }
        : {}),
    };
    edgeCache.set(ge, { edge, selected, key });
    return edge;
  });
}

const DEFAULT_W = 240;
const DEFAULT_H = 120;
const PAD = 24;
const TITLE = 30;

/** Frames for repeat zones and groups: rectangles around their member nodes, drawn behind them. */
export function deriveFrames(graph: Graph, nodes: readonly WeftFlowNode[]): FrameFlowNode[] {
  if (!graph.zones.length && !graph.groups.length) return [];
  const byId = new Map<string, WeftFlowNode>();
  for (const n of nodes) byId.set(n.id, n);
  const frame = (kind: 'zone' | 'group', id: string, members: readonly string[], title: string, colour: string, detail?: string): FrameFlowNode | undefined => {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const m of members) {
      const n = byId.get(m);
      if (!n) continue;
      const w = n.measured?.width ?? DEFAULT_W;
      const h = n.measured?.height ?? DEFAULT_H;
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + w);
      maxY = Math.max(maxY, n.position.y + h);
    }
    if (!Number.isFinite(minX)) return undefined;
    const width = maxX - minX + PAD * 2;
    const height = maxY - minY + PAD * 2 + TITLE;
    return {
      id: `frame/${kind}/${id}`,
      type: 'frame',
      position: { x: minX - PAD, y: minY - PAD - TITLE },
      data: { kind, title, colour, ...(detail ? { detail } : {}) },
      width,
      height,
      measured: { width, height },
      selectable: false,
      draggable: false,
      connectable: false,
      focusable: false,
      zIndex: -1,
    };
  };
  const out: FrameFlowNode[] = [];
  for (const z of graph.zones) {
    const iterations = graph.nodes.find((n) => n.id === z.inputNode)?.params.iterations;
    const f = frame('zone', z.id, [z.inputNode, z.outputNode, ...z.nodes], z.title || 'Repeat zone', z.colour ?? '#a070e8', typeof iterations === 'number' ? `${iterations} iterations` : undefined);
    if (f) out.push(f);
  }
  for (const g of graph.groups) {
    const f = frame('group', g.id, g.nodes, g.title, g.colour ?? '#6b7280');
    if (f) out.push(f);
  }
  return out;
}

export type AnyFlowNode = WeftFlowNode | FrameFlowNode;
export const isFrameId = (id: string) => id.startsWith('frame/');
export type { Node };
