import type { z } from 'zod';
import type { Registry } from '../nodeDefinition';
import type { Graph } from './document';

/**
 * Where a graph reads from outside itself: params whose schema marks them as a model source
 * (`widget: 'modelSource'`: shipped:, store:, dir:, url:) or a path on disk (`widget:
 * 'localPath'`). A host that runs graphs from others (the CLI, the queue workers) checks each
 * against what it allows before it opens anything.
 */
export interface SourceUse {
  nodeIndex: number;
  nodeId: string;
  /** The node's label or its type's title. */
  nodeTitle: string;
  param: string;
  kind: 'modelSource' | 'localPath';
  value: string;
}

export function sourcesOf(graph: Graph, registry: Registry): SourceUse[] {
  const out: SourceUse[] = [];
  graph.nodes.forEach((node, nodeIndex) => {
    const def = registry.get(node.type);
    if (!def || node.mode === 'muted') return;
    const shape = def.params.shape as Record<string, z.ZodType>;
    for (const param of Object.keys(shape)) {
      const widget = (shape[param].meta() as { widget?: unknown } | undefined)?.widget;
      if (widget !== 'modelSource' && widget !== 'localPath') continue;
      const raw = Object.prototype.hasOwnProperty.call(node.params, param) ? node.params[param] : undefined;
      // An absent param reads its default (Load Pipeline's is the shipped suite).
      const value = typeof raw === 'string' ? raw : shape[param].safeParse(undefined).data;
      if (typeof value !== 'string' || value === '') continue;
      out.push({ nodeIndex, nodeId: node.id, nodeTitle: node.label || def.title, param, kind: widget, value });
    }
  });
  return out;
}
