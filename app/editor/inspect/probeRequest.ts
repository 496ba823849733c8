import type { Graph, GraphEdge } from '@/engine/graph/document';
import { portsOf } from '@/engine/graph/ports';
import { registry } from '@/nodes';
import type { ProbeRequest } from '@/workers/probe';
import type { NodeRunView } from '../store';

/** What the probe can say about a wire before asking the worker: ask it, or why not. */
export type ProbePlan =
  | { ok: true; request: ProbeRequest; key: string; edge: GraphEdge; portType: string }
  | { ok: false; message: string; edge?: GraphEdge; portType?: string };

/**
 * Works out which output port feeds the wire, its type, and where the helpers come from (the
 * graph's VAE for latent colours; for detections, the picture they were found in). `key` changes
 * whenever the source node runs again, so a cached answer is never stale.
 */
export function planProbe(graph: Graph, edgeId: string, runs: ReadonlyMap<string, NodeRunView>): ProbePlan {
  const edge = graph.edges.find((e) => e.id === edgeId);
  if (!edge) return { ok: false, message: 'This wire is no longer in the graph.' };
  const source = graph.nodes.find((n) => n.id === edge.from.node);
  const def = source ? registry.get(source.type) : undefined;
  const portType = source ? portsOf(graph, source, def).outputs.find((p) => p.name === edge.from.port)?.type : undefined;
  const base = { edge, ...(portType ? { portType } : {}) };
  if (!source || !def) return { ...base, ok: false, message: `'${edge.from.node}' is not an installed node type, so it never runs.` };
  if (source.mode === 'bypassed') return { ...base, ok: false, message: `'${source.id}' is bypassed: its inputs pass straight through, so look at the wire into it.` };
  const run = runs.get(source.id);
  if (!run) return { ...base, ok: false, message: `'${source.id}' was not part of the last run: run the graph (or this node) to see what flows here.` };
  switch (run.status) {
    case 'queued':
    case 'running':
      return { ...base, ok: false, message: `'${source.id}' has not finished yet.` };
    case 'error':
      return { ...base, ok: false, message: `'${source.id}' failed: ${run.message ?? 'see the node'}` };
    case 'skipped':
      return { ...base, ok: false, message: `'${source.id}' was skipped: ${run.reason ?? 'see the node'}` };
    case 'cancelled':
      return { ...base, ok: false, message: `'${source.id}' was cancelled before it gave a value.` };
    default:
      break;
  }
  const request: ProbeRequest = { node: source.id, port: edge.from.port, ...(portType ? { portType } : {}) };
  if (portType === 'latent') {
    const vae = findOutput(graph, 'model.vae', runs);
    if (vae) request.vae = vae;
  }
  if (portType === 'detections') {
    const picture = inputSource(graph, source.id, 'image');
    if (picture) request.image = picture;
  }
  return { ok: true, request, key: `${source.id}.${edge.from.port}@${run.startedAt ?? 0}:${run.status}`, edge, portType: portType ?? 'any' };
}

/** The first output of `type` whose node ran and whose value someone uses (Load Pipeline's VAE, say). */
function findOutput(graph: Graph, type: string, runs: ReadonlyMap<string, NodeRunView>): { node: string; port: string } | undefined {
  for (const e of graph.edges) {
    const status = runs.get(e.from.node)?.status;
    if (status !== 'done' && status !== 'cached') continue;
    const n = graph.nodes.find((x) => x.id === e.from.node);
    if (!n) continue;
    const port = portsOf(graph, n, registry.get(n.type)).outputs.find((p) => p.name === e.from.port);
    if (port?.type === type) return { node: n.id, port: port.name };
  }
  return undefined;
}

/** The output feeding the first input of `type` on `nodeId`. */
function inputSource(graph: Graph, nodeId: string, type: string): { node: string; port: string } | undefined {
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const inputs = portsOf(graph, node, registry.get(node.type)).inputs.filter((p) => p.type === type);
  for (const p of inputs) {
    const e = graph.edges.find((x) => x.to.node === nodeId && x.to.port === p.name);
    if (e) return { node: e.from.node, port: e.from.port };
  }
  return undefined;
}
