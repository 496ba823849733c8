/**
 * `weft batch`: a sweep of one graph (every combination of the --sweep values, over the --set
 * base) submitted as jobs to the run queue, run by however many `weft worker`s share the Redis,
 * and collected: each cell's outputs written, and a labelled grid PNG of the first image output
 * (X = the first sweep, Y = the second; a third sweep makes one grid per value), with the graph and
 * the sweep inside it. A cell's job id comes from what it runs: submitting the same sweep again
 * reuses the cells already done.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { serializeGraph } from '@/engine/graph/parse';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine } from '@/engine/errors';
import type { ImageValue } from '@/engine/values';
import { encodePng, decodePng } from '@/lib/png';
import { labelledGrid } from '@/lib/grid';
import { axisLabels, cellsOf, parseSweep, type Sweep } from '@/lib/sweep';
import { GRAPH_PNG_KEY } from '@/lib/graphPng';
import { jobIdOf, QUEUE_NAME, redisUrlOf, type JobPayload, type JobProgress, type JobResult } from '@/lib/queue/jobs';
import { registry } from '@/nodes';
import { applySets } from './applySets';
import { readGraphOrExit } from './readGraphFile';

interface BatchOpts {
  sweep: string[];
  set: string[];
  out: string;
  redis?: string;
  timeout: string;
  json?: boolean;
}

export async function batchCommand(file: string, opts: BatchOpts): Promise<number> {
  const read = await readGraphOrExit(file);
  if ('exit' in read) return read.exit;
  const sweeps: Sweep[] = [];
  for (const s of opts.sweep) {
    const p = parseSweep(s);
    if (!p.ok) {
      process.stderr.write(p.message + '\n');
      return 2;
    }
    sweeps.push(p.sweep);
  }
  if (!sweeps.length) {
    process.stderr.write('give at least one --sweep NODE.PARAM=v1,v2,…\n');
    return 2;
  }
  const all = cellsOf(sweeps);
  if ('error' in all) {
    process.stderr.write(all.error + '\n');
    return 2;
  }
  const timeoutMs = Number(opts.timeout) * 1000;
  // Every cell: its overrides, checked here (a typo fails before anything is queued).
  const graphText = serializeGraph(read.value);
  const cells: { index: readonly number[]; sets: string[]; label: string; payload: JobPayload; id: string }[] = [];
  for (const { index, sets: sweepSets } of all) {
    const sets = [...opts.set, ...sweepSets];
    const applied = applySets(read.value, sets);
    if (!applied.ok) {
      process.stderr.write(applied.message + '\n');
      return 2;
    }
    const errors = validateGraph(applied.graph, registry).filter((i) => i.severity === 'error');
    if (errors.length) {
      for (const e of errors) process.stderr.write(`${file} with ${sweepSets.join(' ')}: ${issueToLine(e)}\n`);
      return 1;
    }
    const label = sweepSets.join(' ');
    const payload: JobPayload = { graph: graphText, sets, label };
    cells.push({ index, sets, label, payload, id: jobIdOf(payload) });
  }

  const url = redisUrlOf(opts.redis);
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue<JobPayload, JobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const started = performance.now();
  let firstProgressMs: number | undefined;
  const byId = new Map(cells.map((c) => [c.id, c]));
  events.on('progress', ({ jobId, data }) => {
    const cell = byId.get(jobId);
    if (!cell) return;
    firstProgressMs ??= performance.now() - started;
    const p = data as JobProgress;
    if (typeof p === 'object' && p && p.done === p.total) process.stderr.write(`… ${cell.label}: ${p.done}/${p.total} nodes\n`);
  });
  try {
    await events.waitUntilReady();
    const jobs: Job<JobPayload, JobResult>[] = [];
    for (const c of cells) {
      jobs.push(
        await queue.add('run', c.payload, {
          jobId: c.id,
          attempts: 3,
          backoff: { type: 'fixed', delay: 500 },
          removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
      );
    }
    process.stderr.write(`queued ${cells.length} runs on ${QUEUE_NAME} (${url.replace(/\/\/[^@/]*@/, '//…@')}); waiting for workers…\n`);
    await mkdir(opts.out, { recursive: true });
    const results = new Map<string, JobResult>();
    const failures: string[] = [];
    await Promise.all(
      jobs.map(async (job, k) => {
        const cell = cells[k];
        try {
          const r = (await job.waitUntilFinished(events, timeoutMs)) as JobResult;
          results.set(cell.id, r);
          process.stderr.write(`✓ ${cell.label} (${r.worker}, ${r.ms} ms)\n`);
        } catch (err) {
          failures.push(`${cell.label}: ${err instanceof Error ? err.message : String(err)}`);
          process.stderr.write(`✗ ${cell.label}: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }),
    );
    // Each cell's outputs, then the grid of the first image output.
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_.=-]+/g, '_').slice(0, 120);
    let imageName: string | undefined;
    const images = new Map<string, ImageValue>();
    for (const c of cells) {
      const r = results.get(c.id);
      if (!r) continue;
      for (const o of r.outputs) {
        const base = path.join(opts.out, `${safe(c.label)}--${safe(o.name)}`);
        if (o.kind === 'image' && o.png) {
          const bytes = Buffer.from(o.png, 'base64');
          await writeFile(base + '.png', bytes);
          imageName ??= o.name;
          if (o.name === imageName) {
            const d = decodePng(bytes);
            if (d.ok) images.set(c.id, d.image);
          }
        } else if (o.kind === 'text') await writeFile(base + '.txt', o.text ?? '');
        else await writeFile(base + '.json', JSON.stringify(o.value ?? null, null, 2) + '\n');
      }
    }
    const grids: string[] = [];
    if (imageName) {
      const [xs, ys = { key: '', values: [''] }, ...zs] = sweeps;
      const zCount = zs.reduce((n, s) => n * s.values.length, 1);
      for (let z = 0; z < zCount; z++) {
        const rows = ys.values.map((_, y) =>
          xs.values.map((_, x) => {
            const cell = cells.find((c) => c.index[0] === x && (c.index[1] ?? 0) === y && zIndex(c.index.slice(2), zs) === z);
            return cell ? images.get(cell.id) : undefined;
          }),
        );
        const zLabel = zs.length ? cells.find((c) => zIndex(c.index.slice(2), zs) === z)!.sets.slice(-zs.length).join(' ') : '';
        const grid = labelledGrid(
          rows,
          axisLabels(xs),
          ys.key ? axisLabels(ys) : [],
          zLabel,
        );
        const name = path.join(opts.out, `grid${zs.length ? `--${safe(zLabel)}` : ''}.png`);
        const sweep = JSON.stringify({ file: path.basename(file), base: opts.set, sweeps: sweeps.map((s) => ({ key: s.key, values: s.values })), output: imageName });
        await writeFile(name, encodePng(grid, [[GRAPH_PNG_KEY, graphText], ['weft-sweep', sweep]]));
        grids.push(name);
        process.stderr.write(`wrote ${name}\n`);
      }
    }
    const workers = new Set([...results.values()].map((r) => r.worker));
    const summary = { cells: cells.length, done: results.size, failed: failures.length, workers: workers.size, ms: Math.round(performance.now() - started), firstProgressMs: firstProgressMs === undefined ? null : Math.round(firstProgressMs), grids };
    if (opts.json) process.stdout.write(JSON.stringify(summary) + '\n');
    process.stderr.write(`${results.size} of ${cells.length} runs done by ${workers.size} worker${workers.size === 1 ? '' : 's'} in ${summary.ms} ms${failures.length ? `; ${failures.length} failed` : ''}\n`);
    return failures.length ? 1 : 0;
  } finally {
    await events.close();
    await queue.close();
  }
}

function zIndex(index: readonly number[], zs: readonly { values: readonly string[] }[]): number {
  let k = 0;
  let mul = 1;
  index.forEach((i, j) => {
    k += i * mul;
    mul *= zs[j].values.length;
  });
  return k;
}
