import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine } from '@/engine/errors';
import { runGraph, ExecutionCache, type RunEvent, type RunReport } from '@/engine/executor';
import type { Graph } from '@/engine/graph/document';
import { registry } from '@/nodes';
import type { Runtime } from '@/engine/runtime';
import { readGraphOrExit } from './readGraphFile';
import { applySets } from './applySets';
import { writeOutputs, summarizeValue } from './writeOutputs';
import { BackendUnavailableError, createNodeRuntime, type CliBackend } from './nodeRuntime';
import { checkGraphSources, createSourcePolicy } from './sourcePolicy';

interface RunOpts {
  out?: string;
  set: string[];
  json?: boolean;
  target: string[];
  backend?: CliBackend;
  /** Folders besides the current one that the graph's dir: sources and paths may read. */
  allowDir?: string[];
  /** url: sources may be fetched from any host, or from `allowHost` only. */
  allowNet?: boolean;
  allowHost?: string[];
}

export async function runCommand(file: string, opts: RunOpts): Promise<number> {
  const read = await readGraphOrExit(file);
  if ('exit' in read) return read.exit;
  let graph: Graph = read.value;
  const sets = applySets(graph, opts.set);
  if (!sets.ok) {
    process.stderr.write(sets.message + '\n');
    return 2;
  }
  graph = sets.graph;
  // The graph came from anyone: what it may read and fetch is checked before anything is opened.
  const policy = createSourcePolicy({ allowDirs: opts.allowDir ?? [], allowNet: opts.allowNet ? true : opts.allowHost?.length ? opts.allowHost : false });
  if (!policy.ok) {
    process.stderr.write(policy.message + '\n');
    return 2;
  }
  const refused = checkGraphSources(graph, registry, policy.policy);
  if (refused.length) {
    for (const line of refused) process.stderr.write(`${file}: ${line}\n`);
    return 2;
  }
  const errors = validateGraph(graph, registry).filter((i) => i.severity === 'error');
  // The executor refuses only problems in what the run needs; report every problem up front, once.
  const printed = new Set<string>();
  const say = (line: string) => {
    if (printed.has(line)) return;
    printed.add(line);
    process.stderr.write(line + '\n');
  };
  for (const e of errors) say(`${file}: ${issueToLine(e)}`);

  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncancelling…\n');
    controller.abort(new Error('cancelled by the user'));
  };
  let runtime: Runtime;
  try {
    runtime = await createNodeRuntime({ backend: opts.backend ?? 'cpu', policy: policy.policy });
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    process.stderr.write(err.message + '\n');
    return 2;
  }
  process.once('SIGINT', onSigint);
  const titles = new Map(graph.nodes.map((n) => [n.id, n.label ?? registry.get(n.type)?.title ?? n.type]));
  let report: RunReport;
  try {
    report = await runGraph(graph, {
      registry,
      runtime,
      cache: new ExecutionCache(),
      signal: controller.signal,
      targets: opts.target.length ? opts.target : undefined,
      onEvent: (e) => progressLine(e, titles),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }

  if (report.status === 'invalid') for (const e of report.issues ?? []) say(`${file}: ${issueToLine(e)}`);
  let written: string[] = [];
  if (opts.out) {
    await mkdir(opts.out, { recursive: true });
    written = await writeOutputs(graph, report, opts.out, registry);
    for (const w of written) process.stderr.write(`wrote ${path.relative(process.cwd(), w) || w}\n`);
  }
  if (opts.json) {
    // Ids from the file become JSON keys here: built as entries (own data properties), never assigned.
    const outputs: [string, Record<string, unknown>][] = [];
    for (const [id, ports] of report.outputs) {
      const values: [string, unknown][] = [];
      for (const [port, v] of Object.entries(ports)) values.push([port, await summarizeValue(v)]);
      outputs.push([id, Object.fromEntries(values)]);
    }
    const json = {
      file,
      status: report.status,
      ms: round(report.ms),
      nodes: Object.fromEntries(report.nodes),
      outputs: Object.fromEntries(outputs),
      files: written,
      ...(report.issues ? { issues: report.issues } : {}),
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    process.stderr.write(`run ${report.status} in ${round(report.ms)} ms\n`);
  }
  return report.status === 'ok' ? 0 : report.status === 'cancelled' ? 130 : 1;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function progressLine(e: RunEvent, titles: Map<string, string>): void {
  const name = 'nodeId' in e ? `${titles.get(e.nodeId) ?? e.nodeId} [${e.nodeId}]` : '';
  switch (e.type) {
    case 'started':
      process.stderr.write(`▶ ${name}${e.iteration !== undefined ? ` (iteration ${e.iteration + 1})` : ''}: ${e.reason}\n`);
      break;
    case 'cached':
      process.stderr.write(`= ${name}: ${e.reason}\n`);
      break;
    case 'done':
      if (e.iteration === undefined) process.stderr.write(`✓ ${name} ${round(e.ms)} ms${e.backend ? ` (${e.backend})` : ''}\n`);
      break;
    case 'error':
      process.stderr.write(`✗ ${name}: ${e.message}\n`);
      break;
    case 'skipped':
      process.stderr.write(`- ${name}: ${e.reason}\n`);
      break;
    case 'iteration':
      process.stderr.write(`  ↻ ${e.zoneId} ${e.index + 1}/${e.count}\n`);
      break;
    default:
      break;
  }
}
