import type { NodeDefinition } from '../nodeDefinition';
import type { Graph, GraphEdge, GraphNode, NodeMode, PortRef, Zone } from '../graph/document';
import type { Command } from './history';
import { newItemId, newNodeId } from './ids';
import { KEY_ORDER, inKeyOrder } from '../graph/document';

export { newNodeId } from './ids';

type Position = { x: number; y: number };

/** Default params of a definition: its zod schema filled with defaults. */
/** A position as saved: -0 becomes 0 (JSON writes both as 0, so a reopened graph has 0). */
function at(p: Position): Position {
  return { x: p.x === 0 ? 0 : p.x, y: p.y === 0 ? 0 : p.y };
}

export function defaultParams(def: NodeDefinition): Record<string, unknown> {
  return def.params.parse({}) as Record<string, unknown>;
}

export function addNode(def: NodeDefinition, position: Position, id?: string): Command {
  return {
    name: `Add ${def.title}`,
    recipe: (g) => {
      const nodeId = id ?? newNodeId(g, def.type);
      g.nodes.push({
        id: nodeId,
        type: def.type,
        typeVersion: def.version,
        position: at(position),
        params: defaultParams(def),
        mode: 'normal',
      });
    },
  };
}

/** Removes nodes and edges; edges attached to removed nodes and their zone/group memberships go too. */
export function removeElements({ nodeIds = [], edgeIds = [] }: { nodeIds?: readonly string[]; edgeIds?: readonly string[] }): Command {
  const count = nodeIds.length + edgeIds.length;
  return {
    name: nodeIds.length ? `Delete ${nodeIds.length} node${nodeIds.length === 1 ? '' : 's'}` : `Delete ${count} connection${count === 1 ? '' : 's'}`,
    recipe: (g) => {
      const nodes = new Set(nodeIds);
      const edges = new Set(edgeIds);
      // A zone whose boundary node goes is dissolved (its body nodes stay).
      g.zones = g.zones.filter((z) => !nodes.has(z.inputNode) && !nodes.has(z.outputNode));
      g.nodes = g.nodes.filter((n) => !nodes.has(n.id));
      g.edges = g.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.from.node) && !nodes.has(e.to.node));
      for (const z of g.zones) z.nodes = z.nodes.filter((id) => !nodes.has(id));
      for (const gr of g.groups) gr.nodes = gr.nodes.filter((id) => !nodes.has(id));
      g.groups = g.groups.filter((gr) => gr.nodes.length > 0);
    },
  };
}

/** Moves nodes; a whole drag is applied once at drag end, so it is one history entry. */
export function moveNodes(moves: readonly { id: string; position: Position }[]): Command {
  return {
    name: moves.length === 1 ? 'Move node' : `Move ${moves.length} nodes`,
    recipe: (g) => {
      const byId = new Map(moves.map((m) => [m.id, m.position]));
      for (const n of g.nodes) {
        const p = byId.get(n.id);
        if (p && (n.position.x !== p.x || n.position.y !== p.y)) n.position = at(p);
      }
    },
  };
}

/** Connects an output to an input; an input takes one wire, so an existing one is replaced. */
export function connect(edge: { from: PortRef; to: PortRef }, id?: string): Command {
  return {
    name: 'Connect',
    recipe: (g) => {
      g.edges = g.edges.filter((e) => !(e.to.node === edge.to.node && e.to.port === edge.to.port));
      g.edges.push({ id: id ?? newItemId(g.edges, 'e'), from: { ...edge.from }, to: { ...edge.to } });
    },
  };
}

export function setParam(nodeId: string, key: string, value: unknown): Command {
  return {
    name: `Set ${key}`,
    mergeKey: `param:${nodeId}:${key}`,
    recipe: (g) => {
      const n = g.nodes.find((x) => x.id === nodeId);
      if (n) n.params[key] = value;
    },
  };
}

export function setLabel(nodeId: string, label: string): Command {
  return {
    name: 'Rename node',
    mergeKey: `label:${nodeId}`,
    recipe: (g) => {
      const i = g.nodes.findIndex((x) => x.id === nodeId);
      if (i < 0) return;
      const n = g.nodes[i];
      if (label.trim()) n.label = label;
      else delete n.label;
      g.nodes[i] = inKeyOrder(n, KEY_ORDER.node);
    },
  };
}

export function setColour(nodeId: string, colour: string | undefined): Command {
  return {
    name: 'Colour node',
    recipe: (g) => {
      const i = g.nodes.findIndex((x) => x.id === nodeId);
      if (i < 0) return;
      const n = g.nodes[i];
      if (colour) n.colour = colour;
      else delete n.colour;
      g.nodes[i] = inKeyOrder(n, KEY_ORDER.node);
    },
  };
}

export function setMode(nodeIds: readonly string[], mode: NodeMode): Command {
  return {
    name: mode === 'normal' ? 'Enable node' : mode === 'bypassed' ? 'Bypass node' : 'Mute node',
    recipe: (g) => {
      for (const n of g.nodes) if (nodeIds.includes(n.id)) n.mode = mode;
    },
  };
}

export function setMetadata(patch: Partial<Graph['metadata']>): Command {
  return {
    name: 'Edit graph details',
    mergeKey: `meta:${Object.keys(patch).join(',')}`,
    recipe: (g) => {
      Object.assign(g.metadata, patch);
      g.metadata = inKeyOrder(g.metadata, KEY_ORDER.metadata);
    },
  };
}

export interface Fragment {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The selected nodes and the edges between them, for copy. */
export function copyFragment(graph: Graph, nodeIds: readonly string[]): Fragment {
  const ids = new Set(nodeIds);
  return {
    nodes: graph.nodes.filter((n) => ids.has(n.id)).map((n) => structuredClone(n)),
    edges: graph.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node)).map((e) => structuredClone(e)),
  };
}

/**
 * Pastes a fragment with fresh ids, shifted by `offset`. `onIds` receives the new node ids
 * (so the editor can select them).
 */
export function pasteFragment(fragment: Fragment, offset: Position, onIds?: (ids: string[]) => void): Command {
  return {
    name: fragment.nodes.length === 1 ? 'Paste node' : `Paste ${fragment.nodes.length} nodes`,
    recipe: (g) => {
      const rename = new Map<string, string>();
      const taken = new Set<string>();
      for (const n of fragment.nodes) rename.set(n.id, newNodeId(g, n.type, taken));
      for (const n of fragment.nodes) {
        g.nodes.push({
          ...structuredClone(n),
          id: rename.get(n.id)!,
          position: at({ x: n.position.x + offset.x, y: n.position.y + offset.y }),
        });
      }
      const takenEdges = new Set<string>();
      for (const e of fragment.edges) {
        const from = rename.get(e.from.node);
        const to = rename.get(e.to.node);
        if (!from || !to) continue;
        g.edges.push({ id: newItemId(g.edges, 'e', takenEdges), from: { node: from, port: e.from.port }, to: { node: to, port: e.to.port } });
      }
      onIds?.([...rename.values()]);
    },
  };
}

/**
 * Wraps nodes in a repeat zone: adds Repeat Input/Output nodes around them. The caller passes the
 * two boundary definitions (the engine never names node types).
 */
export function createRepeatZone(
  nodeIds: readonly string[],
  boundary: { input: NodeDefinition; output: NodeDefinition },
  carried: Zone['carried'] = [],
): Command {
  return {
    name: 'Create repeat zone',
    recipe: (g) => {
      const members = g.nodes.filter((n) => nodeIds.includes(n.id));
      const xs = members.map((n) => n.position.x);
      const ys = members.map((n) => n.position.y);
      const minX = xs.length ? Math.min(...xs) : 0;
      const maxX = xs.length ? Math.max(...xs) : 0;
      const midY = ys.length ? (Math.min(...ys) + Math.max(...ys)) / 2 : 0;
      const taken = new Set<string>();
      const inputId = newNodeId(g, boundary.input.type, taken);
      const outputId = newNodeId(g, boundary.output.type, taken);
      const zoneId = newItemId(g.zones, 'zone-');
      for (const [id, def, x] of [
        [inputId, boundary.input, minX - 260],
        [outputId, boundary.output, maxX + 260],
      ] as const) {
        g.nodes.push({ id, type: def.type, typeVersion: def.version, position: { x, y: midY }, params: defaultParams(def), mode: 'normal' });
      }
      // A node belongs to at most one zone.
      for (const z of g.zones) z.nodes = z.nodes.filter((id) => !nodeIds.includes(id));
      g.zones.push({ id: zoneId, kind: 'repeat', title: 'Repeat', inputNode: inputId, outputNode: outputId, nodes: members.map((n) => n.id), carried: [...carried] });
    },
  };
}

export function setZoneCarried(zoneId: string, carried: Zone['carried']): Command {
  return {
    name: 'Edit carried values',
    recipe: (g) => {
      const z = g.zones.find((x) => x.id === zoneId);
      if (!z) return;
      const keep = new Set(carried.map((c) => c.name));
      const gone = new Set(z.carried.map((c) => c.name).filter((n) => !keep.has(n)));
      z.carried = carried.map((c) => ({ ...c }));
      // Wires to carried ports that no longer exist go.
      const boundary = new Set([z.inputNode, z.outputNode]);
      g.edges = g.edges.filter(
        (e) => !((boundary.has(e.to.node) && gone.has(e.to.port)) || (boundary.has(e.from.node) && gone.has(e.from.port))),
      );
    },
  };
}

export function setZoneMembers(zoneId: string, nodeIds: readonly string[]): Command {
  return {
    name: 'Edit zone members',
    recipe: (g) => {
      const z = g.zones.find((x) => x.id === zoneId);
      if (!z) return;
      for (const other of g.zones) if (other !== z) other.nodes = other.nodes.filter((id) => !nodeIds.includes(id));
      z.nodes = nodeIds.filter((id) => id !== z.inputNode && id !== z.outputNode);
    },
  };
}

export function groupNodes(nodeIds: readonly string[], title = 'Group', colour?: string): Command {
  return {
    name: 'Group nodes',
    recipe: (g) => {
      g.groups.push({ id: newItemId(g.groups, 'group-'), title, ...(colour ? { colour } : {}), nodes: [...nodeIds] });
    },
  };
}

export function ungroup(groupId: string): Command {
  return {
    name: 'Ungroup',
    recipe: (g) => {
      g.groups = g.groups.filter((x) => x.id !== groupId);
    },
  };
}

/** Replaces the whole document (open a file); undoable like any edit. */
export function replaceGraph(graph: Graph, name = 'Open graph'): Command {
  return {
    name,
    recipe: (g) => {
      const copy = structuredClone(graph);
      g.schemaVersion = copy.schemaVersion;
      g.metadata = copy.metadata;
      g.nodes = copy.nodes;
      g.edges = copy.edges;
      g.zones = copy.zones;
      g.groups = copy.groups;
    },
  };
}
