import type { NodeDefinition, Registry } from '../nodeDefinition';
import { PORT_TYPE_LABELS, type PortSpec, type PortType } from '../types/portTypes';
import { defaultParams } from '../commands/commands';
import type { Command } from '../commands/history';
import { newItemId, newNodeId } from '../commands/ids';
import type { Graph, GraphNode, PortRef } from './document';
import { portsOf } from './ports';

/**
 * "Complete graph": fills the required inputs nobody has wired yet with what usually feeds them.
 * For each such input it first looks for a node already in the graph that gives a value of exactly
 * that type (the one Load Pipeline's UNet, the Sampler's unused latent); failing that it adds the
 * usual source (a port's `supplier`, else the node type that `supplies` the type) and completes that
 * node in turn. Where two existing nodes could feed an input it wires neither and says so. Pure:
 * a plan out, applied as one undoable command.
 */

export interface PlannedNode {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  /** Where it would go: left of the node it feeds. The editor moves it clear of others. */
  readonly position: { x: number; y: number };
  /** The node (new or old) it was added to feed. */
  readonly feeds: string;
}

export interface PlannedEdge {
  readonly from: PortRef;
  readonly to: PortRef;
}

export interface LeftInput {
  readonly nodeId: string;
  readonly port: string;
  readonly reason: string;
}

export interface CompletionPlan {
  readonly nodes: readonly PlannedNode[];
  readonly edges: readonly PlannedEdge[];
  /** Required inputs still unconnected afterwards, each with why. */
  readonly left: readonly LeftInput[];
  /** One sentence for a toast or a tooltip. */
  readonly summary: string;
}

export interface CompletionOptions {
  /** Only the gaps of these nodes (and of the nodes added for them); all nodes when absent. */
  readonly only?: readonly string[];
  /** At most this many nodes are added. */
  readonly maxNodes?: number;
}

/** The size of a column of new nodes, in flow units. */
const COLUMN = 300;
const ROW = 200;

interface Output {
  readonly node: string;
  readonly port: string;
  readonly type: PortType;
  readonly nodeType: string;
}

export function planCompletion(graph: Graph, registry: Registry, options: CompletionOptions = {}): CompletionPlan {
  const maxNodes = options.maxNodes ?? 24;
  const nodes = new Map<string, GraphNode>();
  for (const n of graph.nodes) nodes.set(n.id, n);
  const zoneOf = new Map<string, string>();
  const zoneOutput = new Set<string>();
  for (const z of graph.zones) {
    for (const id of [z.inputNode, z.outputNode, ...z.nodes]) zoneOf.set(id, z.id);
    zoneOutput.add(z.outputNode);
  }
  const fed = new Set<string>();
  const uses = new Map<string, number>();
  const next = new Map<string, string[]>();
  const link = (from: PortRef, to: PortRef) => {
    fed.add(key(to));
    uses.set(key(from), (uses.get(key(from)) ?? 0) + 1);
    let list = next.get(from.node);
    if (!list) next.set(from.node, (list = []));
    list.push(to.node);
  };
  for (const e of graph.edges) if (nodes.has(e.from.node) && nodes.has(e.to.node)) link(e.from, e.to);

  const added: PlannedNode[] = [];
  const edges: PlannedEdge[] = [];
  const left: LeftInput[] = [];
  const taken = new Set<string>();
  const portCache = new Map<string, { inputs: readonly PortSpec[]; outputs: readonly PortSpec[] }>();
  const ports = (id: string) => {
    let p = portCache.get(id);
    if (!p) {
      const n = nodes.get(id)!;
      portCache.set(id, (p = portsOf(graph, n, registry.get(n.type))));
    }
    return p;
  };
  const title = (id: string) => {
    const n = nodes.get(id)!;
    return n.label || registry.get(n.type)?.title || n.type;
  };

  /** Every node reachable from `from` along wires: none of them may feed it (that would close a loop). */
  const downstreamOf = (from: string): Set<string> => {
    const seen = new Set<string>([from]);
    const stack = [from];
    while (stack.length) for (const n of next.get(stack.pop()!) ?? []) if (!seen.has(n)) (seen.add(n), stack.push(n));
    return seen;
  };

  /** The outputs of each type that nodes in the graph (and those added) give, indexed once. */
  const byType = new Map<PortType, Output[]>();
  const index = (n: GraphNode) => {
    const def = registry.get(n.type);
    if (!def || def.appearance === 'note' || n.mode === 'muted') return;
    for (const p of ports(n.id).outputs) {
      let list = byType.get(p.type);
      if (!list) byType.set(p.type, (list = []));
      list.push({ node: n.id, port: p.name, type: p.type, nodeType: n.type });
    }
  };
  for (const n of nodes.values()) index(n);

  /** Outputs that may feed `consumer`'s input of `type`, without a loop or a zone leak. */
  const outputsFor = (consumer: string, type: PortType, downstream: ReadonlySet<string>): Output[] => {
    const zone = zoneOf.get(consumer);
    return (byType.get(type) ?? []).filter((o) => {
      if (downstream.has(o.node)) return false;
      const from = zoneOf.get(o.node);
      return zoneOutput.has(o.node) ? from !== zone : from === undefined || from === zone;
    });
  };

  /**
   * The one output to use among candidates. A model or a schedule is shared by every node that
   * needs it; any other value already wired elsewhere is taken (a negative prompt's embedding is not
   * the positive one), so only unwired outputs count.
   */
  const pick = (type: PortType, candidates: readonly Output[]): { use?: Output; ambiguous?: readonly Output[] } => {
    const unused = candidates.filter((c) => !uses.get(key(c)));
    const pool = shared(type) ? candidates : unused;
    if (pool.length === 0) return {};
    if (pool.length === 1) return { use: pool[0] };
    if (unused.length === 1) return { use: unused[0] };
    return { ambiguous: unused.length ? unused : pool };
  };

  const suppliers = new Map<PortType, NodeDefinition>();
  for (const def of registry.values()) for (const t of def.supplies ?? []) if (!suppliers.has(t)) suppliers.set(t, def);

  const addFor = (def: NodeDefinition, consumer: string): string => {
    const c = nodes.get(consumer)!;
    const siblings = added.filter((a) => a.feeds === consumer).length;
    const id = newNodeId({ nodes: [...nodes.values()] }, def.type, taken);
    const node: GraphNode = { id, type: def.type, typeVersion: def.version, position: { x: c.position.x - COLUMN, y: c.position.y + siblings * ROW }, params: defaultParams(def), mode: 'normal' };
    nodes.set(id, node);
    index(node);
    added.push({ id, type: def.type, title: def.title, position: node.position, feeds: consumer });
    return id;
  };

  const wire = (from: PortRef, to: PortRef) => {
    edges.push({ from: { node: from.node, port: from.port }, to: { node: to.node, port: to.port } });
    link(from, to);
  };

  const queue: string[] = graph.nodes.filter((n) => !options.only || options.only.includes(n.id)).map((n) => n.id);
  const fresh = new Set<string>();
  for (let qi = 0; qi < queue.length; qi++) {
    const consumer = queue[qi];
    const node = nodes.get(consumer)!;
    const def = registry.get(node.type);
    if (!def || def.appearance === 'note' || node.mode === 'muted') continue;
    // Wires added below all end at this node, so what lies downstream of it stays the same.
    let downstream: Set<string> | undefined;
    for (const input of ports(consumer).inputs) {
      const to = { node: consumer, port: input.name };
      if (fed.has(key(to))) continue;
      // Optional inputs are the user's choice, except a new node's model inputs that one node can give.
      const model = input.type === 'pipeline' || input.type.startsWith('model.');
      if (input.optional && !(fresh.has(consumer) && model)) continue;
      if (input.type === 'any') {
        if (!input.optional) left.push({ nodeId: consumer, port: input.name, reason: `'${input.name}' takes any value: wire what you want it to have` });
        continue;
      }
      const supplier = input.supplier !== undefined ? registry.get(input.supplier) : undefined;
      downstream ??= downstreamOf(consumer);
      const candidates = outputsFor(consumer, input.type, downstream).filter((o) => !supplier || o.nodeType === supplier.type || zoneOutput.has(o.node));
      const chosen = pick(input.type, candidates);
      if (chosen.use) {
        wire(chosen.use, to);
        continue;
      }
      if (input.optional) continue;
      if (chosen.ambiguous) {
        const names = chosen.ambiguous.slice(0, 3).map((o) => `${title(o.node)}.${o.port}`);
        left.push({ nodeId: consumer, port: input.name, reason: `${chosen.ambiguous.length} nodes could feed '${input.name}' (${names.join(', ')}${chosen.ambiguous.length > 3 ? ', …' : ''}): wire the one you mean` });
        continue;
      }
      const make = supplier ?? suppliers.get(input.type);
      if (!make) {
        left.push({ nodeId: consumer, port: input.name, reason: `nothing in the graph gives a ${PORT_TYPE_LABELS[input.type]}, and there is no usual node for one: wire it by hand` });
        continue;
      }
      if (added.length >= maxNodes) {
        left.push({ nodeId: consumer, port: input.name, reason: `not filled: completing stops after ${maxNodes} new nodes` });
        continue;
      }
      const port = make.outputs.find((p) => p.type === input.type);
      if (!port) continue;
      const id = addFor(make, consumer);
      fresh.add(id);
      wire({ node: id, port: port.name }, to);
      queue.push(id);
    }
  }

  return { nodes: added, edges, left, summary: summarise(added, edges, left, title) };
}

/** Values one node usually gives to many: models and the noise schedule. */
function shared(type: PortType): boolean {
  return type === 'pipeline' || type === 'schedule' || type.startsWith('model.');
}

function key(p: PortRef): string {
  return `${p.node}\u0000${p.port}`;
}

function summarise(added: readonly PlannedNode[], edges: readonly PlannedEdge[], left: readonly LeftInput[], title: (id: string) => string): string {
  const parts: string[] = [];
  if (added.length) parts.push(`Adds ${list(added.map((a) => a.title))}`);
  const wires = edges.length;
  if (wires) parts.push(`${parts.length ? 'makes' : 'Makes'} ${wires} connection${wires === 1 ? '' : 's'}`);
  let s = parts.length ? `${parts.join(' and ')}.` : 'Nothing to complete: every required input that can be filled is connected.';
  if (left.length) s += ` ${left.length} input${left.length === 1 ? ' is' : 's are'} left for you: ${left.slice(0, 2).map((l) => `${title(l.nodeId)}: ${l.reason}`).join('; ')}${left.length > 2 ? '; …' : ''}.`;
  return s;
}

function list(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const words = [...counts].map(([n, c]) => (c === 1 ? n : `${c} × ${n}`));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * The plan as one undoable edit. `positions` may move planned nodes (the editor places them clear
 * of the nodes on screen); edges are added as planned. With `mergeKey`, a following move of the new
 * nodes (once drawn at their real size) joins the same undo entry.
 */
export function applyCompletion(plan: CompletionPlan, registry: Registry, positions?: ReadonlyMap<string, { x: number; y: number }>, mergeKey?: string): Command {
  return {
    name: 'Complete graph',
    ...(mergeKey ? { mergeKey } : {}),
    recipe: (g) => {
      for (const p of plan.nodes) {
        const def = registry.get(p.type);
        if (!def || g.nodes.some((n) => n.id === p.id)) continue;
        const at = positions?.get(p.id) ?? p.position;
        g.nodes.push({ id: p.id, type: p.type, typeVersion: def.version, position: { x: at.x, y: at.y }, params: defaultParams(def), mode: 'normal' });
      }
      const taken = new Set<string>();
      for (const e of plan.edges) {
        g.edges = g.edges.filter((x) => !(x.to.node === e.to.node && x.to.port === e.to.port));
        g.edges.push({ id: newItemId(g.edges, 'e', taken), from: { ...e.from }, to: { ...e.to } });
      }
    },
  };
}
