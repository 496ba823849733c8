import type { Graph, GraphEdge, GraphNode, Zone } from '../graph/document';
import { topologicalOrder } from '../graph/order';
import { portsOf } from '../graph/ports';
import type { NodeDefinition, Registry } from '../nodeDefinition';
import type { PortSpec } from '../types/portTypes';

/** A node with its definition, ports and incoming edges, looked up once per run. */
export interface NodeInfo {
  readonly node: GraphNode;
  readonly def: NodeDefinition | undefined;
  readonly inputs: readonly PortSpec[];
  readonly outputs: readonly PortSpec[];
  /** The edge feeding each input port (the first one if a broken graph has several). */
  readonly incoming: Map<string, GraphEdge>;
}

/** What the scheduler runs: one ordinary node, or a whole repeat zone. */
export type Unit = NodeUnit | ZoneUnit;

interface UnitBase {
  /** Position in `Plan.units` (dependency order). */
  index: number;
  readonly deps: Set<Unit>;
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
  /** Needed units in dependency order. */
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
    infos.set(node.id, { node, def, inputs: ports.inputs, outputs: ports.outputs, incoming: new Map() });
  }
  for (const edge of graph.edges) {
    const info = infos.get(edge.to.node);
    if (info && infos.has(edge.from.node) && !info.incoming.has(edge.to.port)) info.incoming.set(edge.to.port, edge);
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
      index: -1, deps: new Set(), dependents: [],
    };
    for (const id of members) zoneUnitOf.set(id, unit);
  }
  const nodeUnits = new Map<string, NodeUnit>();
  const unitOf = (id: string): Unit => {
    const z = zoneUnitOf.get(id);
    if (z) return z;
    let u = nodeUnits.get(id);
    if (!u) {
      u = { kind: 'node', id, info: infos.get(id)!, index: -1, deps: new Set(), dependents: [] };
      nodeUnits.set(id, u);
    }
    return u;
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
  const needed: Unit[] = [];
  const seen = new Set<Unit>();
  const stack: Unit[] = [];
  const visit = (u: Unit) => {
    if (!seen.has(u)) {
      seen.add(u);
      stack.push(u);
    }
  };
  for (const id of reported) visit(unitOf(id));
  while (stack.length) {
    const u = stack.pop()!;
    needed.push(u);
    const sources = u.kind === 'node' ? [...u.info.incoming.values()] : zoneSources(u, infos);
    for (const edge of sources) {
      const from = unitOf(edge.from.node);
      if (from === u) continue;
      u.deps.add(from);
      visit(from);
    }
  }

  const byId = new Map<string, Unit>();
  const keyOf = (u: Unit) => (u.kind === 'node' ? u.id : `zone:${u.id}`);
  for (const u of needed) byId.set(keyOf(u), u);
  const order = topologicalOrder(
    needed.map(keyOf).reverse(),
    (key) => [...byId.get(key)!.deps].map(keyOf),
  );
  const units: Unit[] = order.ok ? order.order.map((k) => byId.get(k)!) : [];
  units.forEach((u, i) => {
    u.index = i;
    for (const d of u.deps) d.dependents.push(u);
  });
  const neededNodes: string[] = [];
  for (const u of units) {
    if (u.kind === 'node') neededNodes.push(u.id);
    else neededNodes.push(...u.needed);
  }
  const cycle = order.ok ? undefined : order.cycle.map((k) => (k.startsWith('zone:') ? byId.get(k)!.id : k));
  return { infos, units, neededNodes, reported, unknownTargets, cycle };
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
    for (const edge of infos.get(id)!.incoming.values()) {
      const from = edge.from.node;
      if (!u.members.has(from)) external.push(edge);
      else if (!inside.has(from)) {
        inside.add(from);
        stack.push(from);
      }
    }
  }
  // The input node's own inputs (iterations, initial carried values) come from outside too.
  for (const edge of infos.get(inputId)!.incoming.values()) {
    if (!u.members.has(edge.from.node)) external.push(edge);
  }
  const body = [...inside].filter((id) => id !== inputId && id !== outputId);
  const order = topologicalOrder(body, (id) => [...infos.get(id)!.incoming.values()].map((e) => e.from.node));
  if (order.ok) u.needed = [inputId, ...order.order, outputId];
  else {
    u.cycle = order.cycle;
    u.needed = [inputId, ...body, outputId];
  }
  return external;
}
