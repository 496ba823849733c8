import { issue, type GraphIssue, type PathPart } from '../errors';
import type { NodeDefinition, Registry } from '../nodeDefinition';
import { canConnect } from '../types/canConnect';
import { PortTypeSchema, type PortSpec } from '../types/portTypes';
import type { Graph, GraphNode } from './document';
import { portsOf } from './ports';

/**
 * Checks a parsed graph against the registry: unknown types (warnings: they stay as inert
 * placeholders), dangling or ill-typed edges, missing required inputs, invalid params, zone
 * structure, and cycles. Each issue names its path and, where one exists, its node.
 */
export function validateGraph(graph: Graph, registry: Registry): GraphIssue[] {
  const out: GraphIssue[] = [];
  const nodeIndex = new Map<string, number>();
  const ports = new Map<string, { inputs: Map<string, PortSpec>; outputs: Map<string, PortSpec>; def?: NodeDefinition }>();

  graph.nodes.forEach((node, i) => {
    if (nodeIndex.has(node.id)) {
      out.push(issue('duplicate_id', ['nodes', i, 'id'], `node id '${node.id}' is used twice (also at nodes[${nodeIndex.get(node.id)}])`, { nodeId: node.id }));
      return;
    }
    nodeIndex.set(node.id, i);
    const def = registry.get(node.type);
    if (!def) {
      out.push(issue('unknown_type', ['nodes', i, 'type'], `unknown node type '${node.type}': kept as an inert placeholder`, { severity: 'warning', nodeId: node.id }));
      ports.set(node.id, { inputs: new Map(), outputs: new Map() });
      return;
    }
    ports.set(node.id, { ...portMaps(graph, node, def), def });
    checkParams(node, i, def, out);
  });

  const edgeIds = new Set<string>();
  const fedInputs = new Map<string, number>();
  graph.edges.forEach((edge, i) => {
    if (edgeIds.has(edge.id)) out.push(issue('duplicate_id', ['edges', i, 'id'], `edge id '${edge.id}' is used twice`));
    edgeIds.add(edge.id);
    const from = ports.get(edge.from.node);
    const to = ports.get(edge.to.node);
    if (!from) {
      out.push(issue('dangling_edge', ['edges', i, 'from', 'node'], `there is no node '${edge.from.node}'`, { nodeId: to ? edge.to.node : undefined }));
      return;
    }
    if (!to) {
      out.push(issue('dangling_edge', ['edges', i, 'to', 'node'], `there is no node '${edge.to.node}'`));
      return;
    }
    // Placeholders keep their wires untouched; an input fed by one is still connected.
    if (!from.def || !to.def) {
      if (to.def) fedInputs.set(`${edge.to.node}\u0000${edge.to.port}`, i);
      return;
    }
    const outPort = from.outputs.get(edge.from.port);
    const inPort = to.inputs.get(edge.to.port);
    if (!outPort) {
      out.push(issue('unknown_port', ['edges', i, 'from', 'port'], `node '${edge.from.node}' has no output '${edge.from.port}'; it has ${listNames(from.outputs)}`, { nodeId: edge.to.node }));
      return;
    }
    if (!inPort) {
      out.push(issue('unknown_port', ['edges', i, 'to', 'port'], `node '${edge.to.node}' has no input '${edge.to.port}'; it has ${listNames(to.inputs)}`, { nodeId: edge.to.node }));
      return;
    }
    const key = `${edge.to.node}\u0000${edge.to.port}`;
    if (fedInputs.has(key)) {
      out.push(issue('input_fed_twice', ['edges', i, 'to'], `input '${edge.to.port}' of node '${edge.to.node}' already has a wire (edges[${fedInputs.get(key)}])`, { nodeId: edge.to.node }));
    }
    fedInputs.set(key, i);
    const check = canConnect(outPort, inPort);
    if (!check.ok) out.push(issue('type_mismatch', ['edges', i], check.reason, { nodeId: edge.to.node }));
  });

  graph.nodes.forEach((node, i) => {
    const p = ports.get(node.id);
    if (!p?.def || nodeIndex.get(node.id) !== i) return;
    for (const input of p.inputs.values()) {
      if (input.optional || fedInputs.has(`${node.id}\u0000${input.name}`)) continue;
      out.push(
        issue('missing_input', ['nodes', i], `${label(node, p.def)}: required input '${input.name}' is not connected`, {
          nodeId: node.id,
          severity: node.mode === 'muted' ? 'warning' : 'error',
        }),
      );
    }
  });

  checkZones(graph, registry, nodeIndex, out);
  checkGroups(graph, nodeIndex, out);
  checkCycles(graph, nodeIndex, out);
  return out;
}

/** Group ids are unique; each group lists nodes of the graph, each once (groups may nest or overlap). */
function checkGroups(graph: Graph, nodeIndex: Map<string, number>, out: GraphIssue[]): void {
  const groupIds = new Map<string, number>();
  graph.groups.forEach((group, gi) => {
    const first = groupIds.get(group.id);
    if (first !== undefined) out.push(issue('duplicate_id', ['groups', gi, 'id'], `group id '${group.id}' is used twice (also at groups[${first}])`));
    else groupIds.set(group.id, gi);
    const seen = new Set<string>();
    group.nodes.forEach((id, ni) => {
      if (!nodeIndex.has(id)) out.push(issue('group_missing_node', ['groups', gi, 'nodes', ni], `group '${group.id}' lists node '${id}', which is not in the graph`));
      else if (seen.has(id)) out.push(issue('duplicate_member', ['groups', gi, 'nodes', ni], `group '${group.id}' lists node '${id}' twice`, { nodeId: id }));
      seen.add(id);
    });
  });
}

type PortMaps = { inputs: Map<string, PortSpec>; outputs: Map<string, PortSpec> };
const staticPortMaps = new WeakMap<NodeDefinition, PortMaps>();

/** Port lookup tables; shared per definition except for zone boundaries, whose ports vary. */
function portMaps(graph: Graph, node: GraphNode, def: NodeDefinition): PortMaps {
  const cached = def.zoneRole ? undefined : staticPortMaps.get(def);
  if (cached) return cached;
  const p = portsOf(graph, node, def);
  const maps = { inputs: new Map(p.inputs.map((x) => [x.name, x])), outputs: new Map(p.outputs.map((x) => [x.name, x])) };
  if (!def.zoneRole) staticPortMaps.set(def, maps);
  return maps;
}

function label(node: GraphNode, def: NodeDefinition): string {
  return `node '${node.id}' (${node.label ?? def.title})`;
}

function listNames(m: Map<string, unknown>): string {
  return m.size ? [...m.keys()].map((k) => `'${k}'`).join(', ') : 'none';
}

function checkParams(node: GraphNode, i: number, def: NodeDefinition, out: GraphIssue[]): void {
  const r = def.params.safeParse(node.params);
  if (r.success) return;
  for (const zi of r.error.issues.slice(0, 10)) {
    const path: PathPart[] = ['nodes', i, 'params', ...(zi.path as PathPart[])];
    const key = zi.path.length ? `'${zi.path.join('.')}'` : 'params';
    out.push(issue('invalid_param', path, `${label(node, def)}: param ${key}: ${inWords(zi as unknown as { code: string; message: string } & Record<string, unknown>, zi.path.length === 1 ? node.params[String(zi.path[0])] : undefined)}`, { nodeId: node.id }));
  }
}

/** A number out of range, said as a person would ("must be at least 1; it is -5"); other problems as zod words them. */
function inWords(zi: { code: string; message: string } & Record<string, unknown>, value: unknown): string {
  const is = typeof value === 'number' ? `; it is ${value}` : '';
  if (zi.code === 'too_small' && typeof zi.minimum === 'number' && zi.origin === 'number') return `must be at least ${zi.minimum}${is}`;
  if (zi.code === 'too_big' && typeof zi.maximum === 'number' && zi.origin === 'number') return `must be at most ${zi.maximum}${is}`;
  return zi.message;
}

function checkZones(graph: Graph, registry: Registry, nodeIndex: Map<string, number>, out: GraphIssue[]): void {
  const zoneOf = new Map<string, string>();
  const zoneIds = new Set<string>();
  graph.zones.forEach((zone, zi) => {
    if (zoneIds.has(zone.id)) out.push(issue('duplicate_id', ['zones', zi, 'id'], `zone id '${zone.id}' is used twice`));
    zoneIds.add(zone.id);
    for (const [key, role] of [['inputNode', 'repeatInput'], ['outputNode', 'repeatOutput']] as const) {
      const id = zone[key];
      const idx = nodeIndex.get(id);
      if (idx === undefined) {
        out.push(issue('zone_missing_node', ['zones', zi, key], `zone '${zone.id}' names ${key} '${id}', which is not in the graph`));
        continue;
      }
      const def = registry.get(graph.nodes[idx].type);
      if (def && def.zoneRole !== role) {
        out.push(issue('zone_wrong_boundary', ['zones', zi, key], `zone '${zone.id}': node '${id}' is a ${def.title}, not a ${role === 'repeatInput' ? 'Repeat Input' : 'Repeat Output'}`, { nodeId: id }));
      }
      if (zoneOf.has(id)) out.push(issue('zone_overlap', ['zones', zi, key], `node '${id}' already belongs to zone '${zoneOf.get(id)}'`, { nodeId: id }));
      zoneOf.set(id, zone.id);
    }
    zone.nodes.forEach((id, ni) => {
      if (!nodeIndex.has(id)) out.push(issue('zone_missing_node', ['zones', zi, 'nodes', ni], `zone '${zone.id}' lists node '${id}', which is not in the graph`));
      else if (zoneOf.has(id)) out.push(issue('zone_overlap', ['zones', zi, 'nodes', ni], `node '${id}' already belongs to zone '${zoneOf.get(id)}'`, { nodeId: id }));
      zoneOf.set(id, zone.id);
    });
    const names = new Set<string>();
    // A carried value becomes a port of both boundary nodes: it may not take the name of one of their own ports.
    const own = new Set<string>();
    for (const id of [zone.inputNode, zone.outputNode]) {
      const idx = nodeIndex.get(id);
      const def = idx === undefined ? undefined : registry.get(graph.nodes[idx].type);
      for (const p of [...(def?.inputs ?? []), ...(def?.outputs ?? [])]) own.add(p.name);
    }
    zone.carried.forEach((c, ci) => {
      if (!PortTypeSchema.safeParse(c.type).success) out.push(issue('unknown_port_type', ['zones', zi, 'carried', ci, 'type'], `'${c.type}' is not a port type`));
      if (names.has(c.name)) out.push(issue('duplicate_carried', ['zones', zi, 'carried', ci, 'name'], `carried value '${c.name}' is declared twice`));
      if (own.has(c.name)) out.push(issue('carried_name_taken', ['zones', zi, 'carried', ci, 'name'], `carried value '${c.name}' has the name of a port the zone's boundary nodes already have; rename it`));
      names.add(c.name);
    });
  });
  // Wires may enter a zone's body from outside (constants), but values leave only through its output node.
  graph.edges.forEach((e, i) => {
    const fromZone = zoneOf.get(e.from.node);
    if (!fromZone) return;
    const zone = graph.zones.find((z) => z.id === fromZone)!;
    if (e.from.node === zone.outputNode) {
      if (zoneOf.get(e.to.node) === fromZone) {
        out.push(issue('zone_back_edge', ['edges', i], `the output of zone '${zone.id}' cannot feed a node inside the same zone ('${e.to.node}')`, { nodeId: e.to.node }));
      }
      return;
    }
    if (zoneOf.get(e.to.node) !== fromZone) {
      out.push(
        issue('zone_leak', ['edges', i], `node '${e.from.node}' is inside zone '${zone.id}'; its values leave the zone only through the zone's Repeat Output node, not directly to '${e.to.node}'`, {
          nodeId: e.to.node,
        }),
      );
    }
  });
}

/** Iterative three-colour DFS; reports each cycle once with its nodes. */
function checkCycles(graph: Graph, nodeIndex: Map<string, number>, out: GraphIssue[]): void {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!nodeIndex.has(e.from.node) || !nodeIndex.has(e.to.node)) continue;
    let list = next.get(e.from.node);
    if (!list) next.set(e.from.node, (list = []));
    list.push(e.to.node);
  }
  const state = new Map<string, 1 | 2>();
  for (const start of nodeIndex.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; i: number }[] = [{ id: start, i: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const succ = next.get(top.id) ?? [];
      if (top.i >= succ.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const n = succ[top.i++];
      const s = state.get(n);
      if (s === 1) {
        const from = stack.findIndex((f) => f.id === n);
        const cycle = stack.slice(from).map((f) => f.id);
        out.push(
          issue('cycle', ['nodes', nodeIndex.get(n)!], `nodes ${[...cycle, n].map((c) => `'${c}'`).join(' → ')} form a cycle; a value can only loop through a repeat zone`, {
            nodeId: n,
          }),
        );
      } else if (s === undefined) {
        state.set(n, 1);
        stack.push({ id: n, i: 0 });
      }
    }
  }
}
