import type { Graph, GraphEdge, GraphNode, Zone } from '../graph/document';
import { topologicalOrder } from '../graph/order';
import { portsOf } from '../graph/ports';
import type { NodeDefinition, Registry } from '../nodeDefinition';
import type { PortSpec } from '../types/portTypes';
import type { NodeState } from './inputs';

/** A node with its definition, ports and incoming edges, looked up once per run. */
export interface NodeInfo {
  readonly node: GraphNode;
  readonly def: NodeDefinition | undefined;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** The edges feeding the node, one per input port (the first if a broken graph has several). */
  readonly incoming: GraphEdge[];
  /** The node feeding each of `incoming`, index for index. */
  readonly sources: NodeInfo[];
  /** The node's unit once the plan needs it (ordinary nodes only). */
  unit?: NodeUnit;
  /** Where the node stands in the current run. */
  state?: NodeState;
}

/** The edge feeding input `port`; nodes have few inputs, so a scan beats a map. */
export function edgeInto(info: NodeInfo, port: string): GraphEdge | undefined {
  const edges = info.incoming;
  for (let i = 0; i < edges.length; i++) if (edges[i].to.port === port) return edges[i];
  return undefined;
}

/** What the scheduler runs: one ordinary node, or a whole repeat zone. */
export type Unit = NodeUnit | ZoneUnit;

interface UnitBase {
  /** Position in `Plan.units`. */
  index: number;
  /** Distinct units this one reads from. */
  readonly deps: Unit[];
  readonly dependents: Unit[];
}

export interface NodeUnit extends UnitBase {
  readonly kind: 'node';
  readonly id: string;
  readonly info: NodeInfo;
}

export interface ZoneUnit extends UnitBase {
  readonly kind: 'zone';
  readonly id: string;
  readonly zone: Zone;
  readonly input: NodeInfo;
  readonly output: NodeInfo;
  /** Every node of the zone, boundary nodes included. */
  readonly members: ReadonlySet<string>;
  /** Inner nodes (body or input node) whose values were asked for. */
  readonly targets: Set<string>;
  /** Members this run needs: input node, the body nodes in dependency order, output node. */
  needed: string[];
  /** Set when the body's own edges form a cycle. */
  cycle?: string[];
}

export interface Plan {
  readonly infos: Map<string, NodeInfo>;
  /** Needed units (upstream ones first where that is cheap to say; the scheduler orders them). */
  readonly units: Unit[];
  /** Every node this run needs, for queued events and the report. */
  readonly neededNodes: string[];
  /** Nodes whose values go to `report.outputs`. */
  readonly reported: Set<string>;
  readonly unknownTargets: string[];
  /** Set when needed units depend on each other in a cycle. */
  readonly cycle?: string[];
}

export function buildPlan(graph: Graph, registry: Registry, targets: readonly string[] | undefined): Plan {
  const infos = new Map<string, NodeInfo>();
  for (const node of graph.nodes) {
    if (infos.has(node.id)) continue;
    const def = registry.get(node.type);
    const ports = portsOf(graph, node, def);
    infos.set(node.id, { node, def, inputs: ports.inputs, outputs: ports.outputs, incoming: [], sources: [], unit: undefined, state: undefined });
  }
  for (const edge of graph.edges) {
    const info = infos.get(edge.to.node);
    const from = infos.get(edge.from.node);
    if (info && from && !edgeInto(info, edge.to.port)) {
      info.incoming.push(edge);
      info.sources.push(from);
    }
  }

  // Which zone each node belongs to; a zone with missing boundary nodes is ignored.
  const zoneUnitOf = new Map<string, ZoneUnit>();
  for (const zone of graph.zones ?? []) {
    const input = infos.get(zone.inputNode);
    const output = infos.get(zone.outputNode);
    if (!input || !output || zoneUnitOf.has(zone.inputNode) || zoneUnitOf.has(zone.outputNode)) continue;
    const members = new Set<string>([zone.inputNode, zone.outputNode]);
    for (const id of zone.nodes) if (infos.has(id) && !zoneUnitOf.has(id)) members.add(id);
    const unit: ZoneUnit = {
      kind: 'zone', id: zone.id, zone, input, output, members, targets: new Set(), needed: [],
      index: -1, deps: [], dependents: [],
    };
    for (const id of members) zoneUnitOf.set(id, unit);
  }
  const hasZones = zoneUnitOf.size > 0;
  const unitOf = (id: string): Unit => {
    if (hasZones) {
      const z = zoneUnitOf.get(id);
      if (z) return z;
    }
    const info = infos.get(id)!;
    return (info.unit ??= { kind: 'node', id, info, index: -1, deps: [], dependents: [] });
  };

  const wanted = targets ?? graph.nodes.filter((n) => registry.get(n.type)?.isOutput).map((n) => n.id);
  const unknownTargets: string[] = [];
  const reported = new Set<string>();
  for (const id of wanted) {
    if (!infos.has(id)) {
      unknownTargets.push(id);
      continue;
    }
    reported.add(id);
    const z = zoneUnitOf.get(id);
    if (z && id !== z.zone.outputNode) z.targets.add(id);
  }
  // Walk upstream from the targets, collecting needed units and their dependencies.
  const units: Unit[] = [];
  const stack: Unit[] = [];
  const visit = (u: Unit) => {
    if (u.index < 0) {
      u.index = units.length;
      units.push(u);
      stack.push(u);
    }
  };
  for (const id of reported) visit(unitOf(id));
  while (stack.length) {
    const u = stack.pop()!;
    const sources = u.kind === 'node' ? u.info.incoming : zoneSources(u, infos);
    for (const edge of sources) {
      const from = unitOf(edge.from.node);
      if (from === u || u.deps.includes(from)) continue;
      u.deps.push(from);
      from.dependents.push(u);
      visit(from);
    }
  }
  const neededNodes: string[] = [];
  for (const u of units) {
    if (u.kind === 'node') neededNodes.push(u.id);
    else neededNodes.push(...u.needed);
  }
  return { infos, units, neededNodes, reported, unknownTargets, cycle: findUnitCycle(units) };
}

/** Kahn's count over the units; on a cycle, names the nodes around it. */
function findUnitCycle(units: Unit[]): string[] | undefined {
  const pending = new Int32Array(units.length);
  const ready: Unit[] = [];
  for (const u of units) {
    pending[u.index] = u.deps.length;
    if (u.deps.length === 0) ready.push(u);
  }
  for (let head = 0; head < ready.length; head++) {
    for (const d of ready[head].dependents) if (--pending[d.index] === 0) ready.push(d);
  }
  if (ready.length === units.length) return undefined;
  const keyOf = (u: Unit) => (u.kind === 'node' ? u.id : `zone:${u.id}`);
  const byKey = new Map(units.map((u) => [keyOf(u), u]));
  const order = topologicalOrder([...byKey.keys()], (key) => byKey.get(key)!.deps.map(keyOf));
  return order.ok ? undefined : order.cycle.map((k) => byKey.get(k)!.id);
}

/**
 * Works out which members of a zone this run needs (ancestors of the output node and of inner
 * targets, within the zone) and returns the edges that bring values in from outside.
 */
function zoneSources(u: ZoneUnit, infos: Map<string, NodeInfo>): GraphEdge[] {
  const inputId = u.zone.inputNode;
  const outputId = u.zone.outputNode;
  const inside = new Set<string>([inputId, outputId]);
  const stack = [outputId, ...u.targets];
  for (const id of u.targets) inside.add(id);
  const external: GraphEdge[] = [];
  while (stack.length) {
    const id = stack.pop()!;
    for (const edge of infos.get(id)!.incoming) {
      const from = edge.from.node;
      if (!u.members.has(from)) external.push(edge);
      else if (!inside.has(from)) {
        inside.add(from);
        stack.push(from);
      }
    }
  }
  // The input node's own inputs (iterations, initial carried values) come from outside too.
  for (const edge of infos.get(inputId)!.incoming) {
    if (!u.members.has(edge.from.node)) external.push(edge);
  }
  const body = [...inside].filter((id) => id !== inputId && id !== outputId);
  const order = topologicalOrder(body, (id) => infos.get(id)!.incoming.map((e) => e.from.node));
  if (order.ok) u.needed = [inputId, ...order.order, outputId];
  else {
    u.cycle = order.cycle;
    u.needed = [inputId, ...body, outputId];
  }
  return external;
}
