import type { NodeDefinition } from '../nodeDefinition';
import { PortTypeSchema, type PortSpec } from '../types/portTypes';
import type { Graph, GraphNode, Zone } from './document';

export interface NodePorts {
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
}

/** The zone whose boundary this node is, if any. */
export function zoneOfBoundary(graph: Pick<Graph, 'zones'>, nodeId: string): Zone | undefined {
  return graph.zones.find((z) => z.inputNode === nodeId || z.outputNode === nodeId);
}

function carriedPorts(zone: Zone | undefined): PortSpec[] {
  if (!zone) return [];
  return zone.carried.map((c) => {
    const t = PortTypeSchema.safeParse(c.type);
    return { name: c.name, type: t.success ? t.data : 'any', description: `carried value '${c.name}'` };
  });
}

/**
 * The ports of a node in its graph. Ordinary nodes take them from their definition; repeat-zone
 * boundary nodes add one port per carried value of their zone.
 */
export function portsOf(graph: Pick<Graph, 'zones'>, node: GraphNode, def: NodeDefinition | undefined): NodePorts {
  if (!def) return { inputs: [], outputs: [] };
  if (!def.zoneRole) return { inputs: def.inputs, outputs: def.outputs };
  const carried = carriedPorts(zoneOfBoundary(graph, node.id));
  return { inputs: [...def.inputs, ...carried], outputs: [...def.outputs, ...carried] };
}
