'use client';
import { useCallback, useRef, useEffect, useMemo, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Controls,
  ReactFlow,
  applyNodeChanges,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnNodeDrag,
} from '@xyflow/react';
import { connect, moveNodes } from '@/engine/commands/commands';
import { placeNode } from './placeNode';
import { FIT_VIEW, graphBounds, openingView } from './openingView';
import { PartialViewHint } from './PartialViewHint';
import { canConnect } from '@/engine/types/canConnect';
import { registry } from '@/nodes';
import { useController, useEditor } from '../EditorContext';
import { nodeTypes } from './nodeTypes';
import { deriveEdges, deriveFrames, findPort, isFrameId, reconcileNodes, type AnyFlowNode } from './derive';
import type { WeftFlowNode } from './GraphNodeView';
import { AddNodePopup } from './AddNodePopup';
import { ZoomVar } from './ZoomVar';
import { onSuggestionRequest, portFor, suggestionsFor, type LooseWire } from './wireSuggestions';
import { PORT_TYPE_LABELS } from '@/engine/types/portTypes';
import { PALETTE_MIME } from '../panels/Palette';
import { MiniMapCanvas } from './MiniMapCanvas';
import { InspectLayer } from '../inspect/InspectLayer';
import { useWireProbe } from '../inspect/WireProbe';
import { CanvasToolbar } from './CanvasToolbar';
import { SNAP_GRID, useViewPrefs } from './viewPrefs';
import { OVERVIEW_MIN_NODES, OVERVIEW_ZOOM, OverviewCanvas, nodeAt } from './OverviewCanvas';
import { renderFaultPending } from '../devApi';
import { completeGraph, completionPlan } from './completeGraph';

/** Renders the document with React Flow; every edit goes through a History command. */
export function Canvas() {
  const ctrl = useController();
  const graph = useEditor((s) => s.graph);
  const selection = useEditor((s) => s.selection);
  const rf = useReactFlow();
  const zoomedOut = useStore(zoomedOutSelector);
  const viewPrefs = useViewPrefs();
  // The first frame already shows the graph at about the zoom fitView will pick, so a big graph
  // never renders every node at full detail before fitting.
  const [opening] = useState(() => openingViewAtMount(graph));
  const initialViewport = opening.viewport;
  // Opened on the graph's start because the whole would be unreadably small: say so, offer the whole.
  const [partial, setPartial] = useState(opening.partial);
  // Until React Flow has taken that viewport, its store still holds the last graph's zoom.
  const [viewportApplied, setViewportApplied] = useState(false);
  useEffect(() => setViewportApplied(true), []);
  const storeOverview = useStore(overviewSelector);
  // A big graph seen from far away is drawn on one canvas (see OverviewCanvas). React Flow then
  // holds none of its nodes and wires (taking thousands of them in would cost the page a long
  // pause); only a box of the graph's bounds, for fitting the view.
  const overview = (viewportApplied ? storeOverview : initialViewport.zoom < OVERVIEW_ZOOM) && graph.nodes.length > OVERVIEW_MIN_NODES;
  const wireProbe = useWireProbe();
  if (renderFaultPending()) throw new Error('a render fault injected by the test hook');
  const looseWireAt = useRef(-Infinity);
  const [popup, setPopup] = useState<{ screen: { x: number; y: number }; flow: { x: number; y: number }; wire?: LooseWire } | null>(null);
  // An input's suggestions also offer to complete the graph from that node, when that fills the input.
  const completion = useMemo(() => {
    const wire = popup?.wire;
    if (!wire || wire.side !== 'input') return null;
    const only = [wire.nodeId];
    const plan = completionPlan(ctrl, only);
    return plan.edges.some((e) => e.to.node === wire.nodeId && e.to.port === wire.port) ? { only, summary: plan.summary } : null;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [popup, ctrl]);

  // Derived nodes, kept with their measured sizes and drag positions (React's "adjust state on prop change").
  const [local, setLocal] = useState(() => ({ graph, selection, nodes: reconcileNodes([], graph, selection) }));
  let nodes = local.nodes;
  if (local.graph !== graph || local.selection !== selection) {
    nodes = reconcileNodes(local.nodes, graph, selection);
    setLocal({ graph, selection, nodes });
  }
  const frames = useMemo(() => deriveFrames(graph, nodes), [graph, nodes]);
  const grid = useMemo(() => dotGridNode(graph), [graph]);
  const bounds = useMemo(() => (overview ? boundsNode(graph) : null), [overview, graph]);
  const allNodes = useMemo<AnyFlowNode[]>(() => (bounds ? [bounds] : [grid, ...frames, ...nodes]), [bounds, grid, frames, nodes]);
  const edges = useMemo(() => (overview ? NO_EDGES : deriveEdges(graph, selection)), [overview, graph, selection]);
  // React Flow's own fit waits for every node to be measured; a big graph opening as an overview
  // has hidden, never-measured nodes, so the fit would stay queued and re-fire on later changes.
  // Its estimated viewport is the fit.
  const [fitOnOpen] = useState(() => graph.nodes.length <= OVERVIEW_MIN_NODES && !opening.partial);
  // Fit to the document's nodes only (not the background grid or frames).
  const fitOptions = useMemo(
    () => ({ ...FIT_VIEW, includeHiddenNodes: true, nodes: overview ? [{ id: BOUNDS_ID }] : graph.nodes.map((n) => ({ id: n.id })) }),
    [overview, graph.nodes],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<AnyFlowNode>[]) => {
      let sel: Set<string> | undefined;
      const rest: NodeChange<WeftFlowNode>[] = [];
      for (const c of changes) {
        if (c.type === 'select') {
          if (isFrameId(c.id)) continue;
          sel ??= new Set(ctrl.store.get().selection.nodes);
          if (c.selected) sel.add(c.id);
          else sel.delete(c.id);
        } else if (c.type === 'position' || c.type === 'dimensions') {
          if (!isFrameId(c.id)) rest.push(c as NodeChange<WeftFlowNode>);
        }
        // 'remove' is never produced (deleteKeyCode is off); deletion is a command.
      }
      if (rest.length) setLocal((s) => ({ ...s, nodes: applyNodeChanges(rest, s.nodes) }));
      if (sel) ctrl.setSelection({ nodes: sel, edges: ctrl.store.get().selection.edges });
    },
    [ctrl],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      let sel: Set<string> | undefined;
      for (const c of changes) {
        if (c.type !== 'select') continue;
        sel ??= new Set(ctrl.store.get().selection.edges);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
      if (sel) ctrl.setSelection({ nodes: ctrl.store.get().selection.nodes, edges: sel });
    },
    [ctrl],
  );

  // A drag is one history entry, written when it ends.
  const onNodeDragStop = useCallback<OnNodeDrag<AnyFlowNode>>(
    (_e, _node, dragged) => {
      const moves = dragged.filter((n) => !isFrameId(n.id)).map((n) => ({ id: n.id, position: { x: Math.round(n.position.x), y: Math.round(n.position.y) } }));
      if (moves.length) ctrl.apply(moveNodes(moves));
    },
    [ctrl],
  );

  const checkConnection = useCallback(
    (c: Connection | Edge) => {
      const g = ctrl.graph;
      if (!c.sourceHandle || !c.targetHandle) return { ok: false as const, reason: 'choose a port to connect' };
      if (c.source === c.target) return { ok: false as const, reason: 'a node cannot feed itself' };
      const out = findPort(g, c.source, c.sourceHandle, 'output');
      const inp = findPort(g, c.target, c.targetHandle, 'input');
      if (!out || !inp) return { ok: false as const, reason: 'that port does not exist on an installed node type' };
      return canConnect(out, inp);
    },
    [ctrl],
  );

  const isValidConnection = useCallback((c: Connection | Edge) => checkConnection(c).ok, [checkConnection]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.targetHandle) return;
      ctrl.apply(connect({ from: { node: c.source, port: c.sourceHandle }, to: { node: c.target, port: c.targetHandle } }));
    },
    [ctrl],
  );

  // When a wire is dropped on a port that refuses it, say why; dropped on empty canvas, offer the
  // nodes that fit it there.
  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.toHandle && state.fromHandle && !state.isValid) {
        const point = 'changedTouches' in e ? e.changedTouches[0] : e;
        const target = point ? document.elementFromPoint(point.clientX, point.clientY) : null;
        const from = state.fromHandle;
        const side = from.type === 'source' ? 'output' : 'input';
        const spec = from.id ? findPort(ctrl.graph, from.nodeId, from.id, side) : undefined;
        if (spec && point && target?.closest('.react-flow') && !target.closest('.react-flow__node')) {
          looseWireAt.current = performance.now();
          setPopup({
            screen: { x: point.clientX, y: point.clientY },
            flow: rf.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
            wire: { nodeId: from.nodeId, port: spec.name, side, spec },
          });
        }
        return;
      }
      if (!state.toHandle || state.isValid !== false || !state.fromHandle) return;
      const fromIsSource = state.fromHandle.type === 'source';
      const src = fromIsSource ? state.fromHandle : state.toHandle;
      const dst = fromIsSource ? state.toHandle : state.fromHandle;
      if (src.type === dst.type) {
        ctrl.toast('warning', src.type === 'source' ? 'Connect an output to an input, not to another output.' : 'Connect an output to an input, not to another input.');
        return;
      }
      const check = checkConnection({ source: src.nodeId, sourceHandle: src.id ?? null, target: dst.nodeId, targetHandle: dst.id ?? null });
      if (!check.ok) ctrl.toast('error', `Cannot connect: ${check.reason}`, 7000);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ctrl, checkConnection, rf],
  );

  // A node's "Connect 'x'" to-do: offer the nodes that give x, to land left of the node, wired in.
  useEffect(
    () =>
      onSuggestionRequest((r) => {
        const spec = findPort(ctrl.graph, r.nodeId, r.port, 'input');
        if (!spec) return;
        const at = rf.screenToFlowPosition({ x: r.screen.x, y: r.screen.y });
        setPopup({ screen: r.screen, flow: { x: at.x - 320, y: at.y }, wire: { nodeId: r.nodeId, port: r.port, side: 'input', spec } });
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ctrl, rf],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME) || e.dataTransfer.types.includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = e.dataTransfer.types.includes('Files') ? 'copy' : 'move';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(PALETTE_MIME);
      if (type) {
        e.preventDefault();
        const def = registry.get(type);
        if (!def) return;
        placeNode(ctrl, rf, def, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
        return;
      }
      const file = e.dataTransfer.files?.[0];
      if (file) {
        e.preventDefault();
        void ctrl.openFile(file);
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [ctrl, rf],
  );

  const onDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      if (!(e.target as Element).classList?.contains('react-flow__pane')) return;
      setPopup({ screen: { x: e.clientX, y: e.clientY }, flow: rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }) });
    },
    [rf],
  );

  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      // The click that ends a wire let go on the canvas must not close the suggestions it opened.
      if (performance.now() - looseWireAt.current > 400) setPopup(null);
      if (!overview) return;
      // In the overview a click on a node zooms in to it (and selects it).
      const hit = nodeAt(ctrl.graph, local.nodes, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      if (!hit) return;
      // After React Flow has cleared the selection for this pane click.
      requestAnimationFrame(() => {
        ctrl.selectNodes([hit.id]);
        void rf.setCenter(hit.x + hit.w / 2, hit.y + hit.h / 2, { zoom: 0.9 });
      });
    },
    [overview, ctrl, rf, local.nodes],
  );


  // Lets the editor benchmark pan the view from a script.
  useEffect(() => {
    const api = window.__weft;
    if (!api) return;
    api.viewport = { get: () => rf.getViewport(), set: (v) => void rf.setViewport(v) };
    return () => {
      delete api.viewport;
    };
  }, [rf]);

  return (
    <div className={`canvas${zoomedOut ? ' zoomed-out' : ''}`} data-testid="canvas" onDoubleClick={onDoubleClick}>
      <ReactFlow<AnyFlowNode, Edge>
        nodes={allNodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onDragOver={onDragOver}
        onDrop={onDrop}
        onPaneClick={onPaneClick}
        {...wireProbe}
        deleteKeyCode={null}
        zoomOnDoubleClick={false}
        colorMode={viewPrefs.theme}
        snapToGrid={viewPrefs.snapToGrid}
        snapGrid={SNAP_GRID}
        minZoom={0.05}
        maxZoom={2.5}
        fitView={fitOnOpen}
        defaultViewport={initialViewport}
        fitViewOptions={fitOptions}
        onlyRenderVisibleElements={renderVisibleOnly(graph.nodes.length)}
        selectionOnDrag={false}
        panOnScroll={false}
        proOptions={{ hideAttribution: true }}
      >
        {overview ? <OverviewCanvas graph={graph} nodes={nodes} selection={selection} /> : null}
        {showMiniMap() ? <MiniMapCanvas /> : null}
        {partial ? <PartialViewHint fitOptions={fitOptions} onDone={() => setPartial(false)} /> : null}
        <Controls showInteractive={false} fitViewOptions={fitOptions} />
        <InspectLayer />
        <CanvasToolbar />
        <ZoomVar />
      </ReactFlow>
      {popup ? (
        <AddNodePopup
          at={popup.screen}
          {...(popup.wire ? { only: suggestionsFor([...registry.values()], popup.wire), hint: `Nodes that take ${popup.wire.side === 'output' ? 'this output' : 'their output to this input'} (${PORT_TYPE_LABELS[popup.wire.spec.type]})` } : {})}
          {...(completion ? { action: { label: 'Complete graph', detail: completion.summary, onRun: () => (setPopup(null), completeGraph(ctrl, rf, completion.only)) } } : {})}
          onPick={(type) => {
            const def = registry.get(type);
            const wire = popup.wire;
            setPopup(null);
            if (!def) return;
            const id = placeNode(ctrl, rf, def, popup.flow);
            const port = wire && id ? portFor(def, wire) : null;
            if (wire && id && port) {
              ctrl.apply(connect(wire.side === 'output' ? { from: { node: wire.nodeId, port: wire.port }, to: { node: id, port } } : { from: { node: id, port }, to: { node: wire.nodeId, port: wire.port } }));
            }
          }}
          onClose={() => setPopup(null)}
        />
      ) : null}
    </div>
  );
}

/** Far out, the background dots would be a dense haze that is costly to paint: they go. */
const zoomedOutSelector = (s: { transform: [number, number, number] }) => s.transform[2] < 0.5;
const overviewSelector = (s: { transform: [number, number, number] }) => s.transform[2] < OVERVIEW_ZOOM;

const NO_EDGES: Edge[] = [];
const BOUNDS_ID = 'frame/bounds';

type Positioned = { nodes: readonly { position: { x: number; y: number } }[] };

/** A node of the canvas itself (no document node): nothing selects, drags or wires it. */
function backdropNode(id: string, x: number, y: number, width: number, height: number, extra: { hidden?: boolean; zIndex?: number }): AnyFlowNode {
  return {
    id,
    type: 'grid',
    position: { x, y },
    data: {} as never,
    width,
    height,
    measured: { width, height },
    selectable: false,
    draggable: false,
    connectable: false,
    focusable: false,
    ...extra,
  } as unknown as AnyFlowNode;
}

/** An invisible box over the whole graph: in the overview it stands in for the nodes when fitting the view. */
function boundsNode(graph: Positioned): AnyFlowNode {
  const { minX, minY, maxX, maxY } = graphBounds(graph);
  return backdropNode(BOUNDS_ID, minX, minY, maxX - minX, maxY - minY, { hidden: true });
}

/** The opening view for the canvas' size now (the window's, less the side panels, before it is laid out). */
function openingViewAtMount(graph: Positioned): ReturnType<typeof openingView> {
  if (typeof window === 'undefined') return { viewport: { x: 0, y: 0, zoom: 1 }, partial: false };
  const el = document.querySelector('.canvas-area');
  const width = el?.clientWidth || window.innerWidth - 480;
  const height = el?.clientHeight || window.innerHeight - 42;
  return openingView(graph, width, height, OVERVIEW_MIN_NODES);
}

/** `?visible=0|1` and `?minimap=0` let the benchmark compare rendering strategies. */
function flag(name: string): string | null {
  return typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get(name);
}
function renderVisibleOnly(nodeCount: number): boolean {
  const f = flag('visible');
  return f === null ? nodeCount > 300 : f === '1';
}
function showMiniMap(): boolean {
  return flag('minimap') !== '0';
}

/**
 * The dotted background as one big node behind everything: it moves with the view as part of
 * the same layer, so a pan never repaints it (an SVG pattern background repaints every frame).
 * Its rectangle is snapped to a coarse grid so edits rarely change it.
 */
const GRID_SNAP = 4000;
function dotGridNode(graph: Positioned): AnyFlowNode {
  let minX = 0, minY = 0, maxX = 0, maxY = 0;
  for (const n of graph.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x);
    maxY = Math.max(maxY, n.position.y);
  }
  const x0 = Math.floor(minX / GRID_SNAP) * GRID_SNAP - 2 * GRID_SNAP;
  const y0 = Math.floor(minY / GRID_SNAP) * GRID_SNAP - 2 * GRID_SNAP;
  const width = Math.ceil(maxX / GRID_SNAP) * GRID_SNAP + 3 * GRID_SNAP - x0;
  const height = Math.ceil(maxY / GRID_SNAP) * GRID_SNAP + 3 * GRID_SNAP - y0;
  return backdropNode('frame/grid', x0, y0, width, height, { zIndex: -10 });
}
