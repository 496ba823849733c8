/**
 * Runs one queue job in a worker: the payload checked, the graph opened as a hostile file is,
 * the overrides applied, its sources confined to what this worker allows, then the run with the
 * same engine as `weft run`. Problems with the job itself (bad payload, invalid graph, refused
 * source) are `JobRefused`: the job fails at once with the reasons, never retried, and the worker
 * goes on. What a run writes comes back as the job's result.
 */
import os from 'node:os';
import { issueToLine } from '@/engine/errors';
import { runGraph, type ExecutionCache } from '@/engine/executor';
import type { Runtime } from '@/engine/runtime';
import { validateGraph } from '@/engine/graph/validate';
import { serializeGraph } from '@/engine/graph/parse';
import { isImageValue } from '@/engine/values';
import { openGraph } from '@/lib/openGraph';
import { pngWithGraph } from '@/lib/graphPng';
import { jobPayloadSchema, MAX_RESULT_BYTES, type JobOutput, type JobProgress, type JobResult } from '@/lib/queue/jobs';
import { registry } from '@/nodes';
import { applySets } from './applySets';
import { checkGraphSources, type SourcePolicy } from './sourcePolicy';
import { summarizeValue } from './writeOutputs';

export class JobRefused extends Error {}

export const WORKER_NAME = `${os.hostname()}:${process.pid}`;

export async function runJob(
  data: unknown,
  ctx: { runtime: Runtime; cache: ExecutionCache; policy: SourcePolicy; signal?: AbortSignal; onProgress?: (p: JobProgress) => void },
): Promise<JobResult> {
  const payload = jobPayloadSchema.safeParse(data);
  if (!payload.success) throw new JobRefused(`the job is not a Weft run: ${payload.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
  const { graph: text, sets } = payload.data;
  const opened = openGraph({ kind: 'file', name: 'job', bytes: new TextEncoder().encode(text) }, registry);
  if (!opened.ok) throw new JobRefused(`the job's graph cannot be opened: ${opened.lines.join('; ')}`);
  const applied = applySets(opened.graph, sets);
  if (!applied.ok) throw new JobRefused(applied.message);
  const graph = applied.graph;
  const refused = checkGraphSources(graph, registry, ctx.policy);
  if (refused.length) throw new JobRefused(`this worker may not read what the graph names: ${refused.join('; ')}`);
  const errors = validateGraph(graph, registry).filter((i) => i.severity === 'error');
  if (errors.length) throw new JobRefused(`the graph is not valid: ${errors.map(issueToLine).join('; ')}`);

  const total = graph.nodes.length;
  let done = 0;
  const report = await runGraph(graph, {
    registry,
    runtime: ctx.runtime,
    cache: ctx.cache,
    signal: ctx.signal,
    onEvent: (e) => {
      if (e.type === 'done' || e.type === 'cached' || e.type === 'skipped' || e.type === 'error') {
        if (e.type === 'done' && e.iteration !== undefined) return;
        done++;
        ctx.onProgress?.({ done: Math.min(done, total), total, node: e.nodeId });
      }
    },
  });
  if (report.status !== 'ok') {
    const failed = [...report.nodes].filter(([, n]) => n.error).map(([id, n]) => `${id}: ${n.error!.message}`);
    const why = failed.length ? failed.join('; ') : (report.issues ?? []).map(issueToLine).join('; ') || report.status;
    throw new JobRefused(`the run ended ${report.status}: ${why}`);
  }
  const json = serializeGraph(graph);
  const outputs: JobOutput[] = [];
  let bytes = 0;
  for (const [nodeId, ports] of report.outputs) {
    const node = graph.nodes.find((n) => n.id === nodeId);
    const base = typeof node?.params.name === 'string' && node.params.name ? node.params.name : nodeId;
    const names = Object.keys(ports);
    for (const [port, value] of Object.entries(ports)) {
      if (value === undefined) continue;
      const name = names.length > 1 ? `${base}.${port}` : base;
      const items = Array.isArray(value) && value.length > 0 && value.every(isImageValue) ? value : [value];
      for (let i = 0; i < items.length; i++) {
        const v = items[i];
        const n = items.length > 1 ? `${name}_${i}` : name;
        let out: JobOutput;
        if (isImageValue(v)) out = { name: n, kind: 'image', png: Buffer.from(pngWithGraph(v, json)).toString('base64'), width: v.width, height: v.height };
        else if (typeof v === 'string') out = { name: n, kind: 'text', text: v };
        else out = { name: n, kind: 'value', value: await summarizeValue(v) };
        bytes += out.png?.length ?? out.text?.length ?? JSON.stringify(out.value ?? null).length;
        if (bytes > MAX_RESULT_BYTES) throw new JobRefused(`the run's outputs pass ${MAX_RESULT_BYTES / 1024 / 1024} MB, the most a job may return`);
        outputs.push(out);
      }
    }
  }
  return { ms: Math.round(report.ms), worker: WORKER_NAME, outputs };
}
