import type { Registry } from '@/engine/nodeDefinition';
import { paramFields } from '../canvas/paramFields';

/** One place a graph names a model: a node's model-source parameter. */
export interface ModelReference {
  nodeId: string;
  /** The node's type: a LoRA node is offered LoRAs, other model nodes models. */
  nodeType: string;
  nodeTitle: string;
  param: string;
  source: string;
  /** A muted node does not run, so it does not need its model now. */
  muted: boolean;
  /** The shipped model the param defaults to (`shipped:shapes-v1`): always here, offered in place of a missing one. */
  shipped?: string;
}

type LooseGraph = { nodes?: unknown };

/**
 * The model sources a graph's nodes reference (parameters whose widget is a model source, such
 * as Load Pipeline's and Load Model's). Works on unparsed JSON too, so the library can be scanned
 * without fully opening every graph.
 */
export function modelReferences(graph: LooseGraph, registry: Registry): ModelReference[] {
  const out: ModelReference[] = [];
  if (!Array.isArray(graph.nodes)) return out;
  for (const n of graph.nodes as { id?: unknown; type?: unknown; label?: unknown; params?: unknown; mode?: unknown }[]) {
    if (typeof n?.type !== 'string' || typeof n.id !== 'string') continue;
    const def = registry.get(n.type);
    if (!def) continue;
    const params = (n.params && typeof n.params === 'object' ? n.params : {}) as Record<string, unknown>;
    for (const f of paramFields(def)) {
      if (f.kind !== 'modelSource') continue;
      const source = params[f.key] ?? f.default;
      if (typeof source === 'string' && source) {
        const shipped = typeof f.default === 'string' && f.default.startsWith('shipped:') ? f.default : undefined;
        out.push({ nodeId: n.id, nodeType: n.type, nodeTitle: typeof n.label === 'string' && n.label ? n.label : def.title, param: f.key, source, muted: n.mode === 'muted', ...(shipped ? { shipped } : {}) });
      }
    }
  }
  return out;
}

/** `store:<id>` → the imported model's id; other sources (shipped, dir, url) are not in the store. */
export function storeIdOf(source: string): string | undefined {
  return source.startsWith('store:') ? source.slice('store:'.length) : undefined;
}

/** References to imported models that this browser does not have. */
export function missingModels(refs: readonly ModelReference[], present: ReadonlySet<string>): ModelReference[] {
  return refs.filter((r) => {
    if (r.muted) return false;
    const id = storeIdOf(r.source);
    return id !== undefined && !present.has(id);
  });
}

/** For each source, the library graphs (id and title) that use it. */
export function usageBySource(graphs: readonly { id: string; title: string; json: string }[], registry: Registry): Map<string, { id: string; title: string }[]> {
  const out = new Map<string, { id: string; title: string }[]>();
  for (const g of graphs) {
    let doc: LooseGraph;
    try {
      doc = JSON.parse(g.json) as LooseGraph;
    } catch {
      continue;
    }
    const seen = new Set<string>();
    for (const r of modelReferences(doc, registry)) {
      if (seen.has(r.source)) continue;
      seen.add(r.source);
      const list = out.get(r.source) ?? [];
      list.push({ id: g.id, title: g.title });
      out.set(r.source, list);
    }
  }
  return out;
}
