/**
 * `npm run bench:queue [-- --runs 16] [-- --steps 10]`
 *
 * The run queue against one process: a sweep of --runs seeds of the text-to-image example, run
 * (1) in this process by the same job runner a worker uses, one after another; (2) through Redis by
 * one `weft worker`; (3) by two. Redis is started here on a loopback port and emptied between
 * rounds (job ids come from what they run, so a second round would otherwise find the first's
 * results). Workers are started and ready before the clock starts. Prints the times, the queue's
 * overhead per job, the 1 → 2 worker throughput ratio and the time from submit to the first
 * progress event; the last line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ExecutionCache } from '../engine/executor';
import { createNodeRuntime } from '../bin/nodeRuntime';
import { createSourcePolicy } from '../bin/sourcePolicy';
import { runJob } from '../bin/runJob';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '16'));
const STEPS = Number(arg('steps', '10'));
const FILE = 'examples/text-to-image-sampler.json';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function lines(p: ChildProcess, into: string[]) {
  let rest = '';
  p.stderr?.on('data', (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    into.push(...parts);
  });
}

async function until(test: () => boolean, ms: number, what: string) {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function batch(url: string, out: string): Promise<{ ms: number; firstProgressMs: number; workers: number; done: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/weft.mjs', 'batch', FILE, '--sweep', `noise.seed=1..${RUNS}`, '--set', `scheduler.steps=${STEPS}`, '-o', out, '--redis', url, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop()!)) : reject(new Error(`weft batch exited ${code}: ${stderr}`))));
  });
}

async function main() {
  const tmp = mkdtempSync(path.join(tmpdir(), 'weft-bench-queue-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const workers: ChildProcess[] = [];
  try {
    let ready = false;
    redis.stdout!.on('data', (d: Buffer) => (ready ||= d.toString().includes('Ready to accept connections')));
    await until(() => ready, 10_000, 'redis-server');
    const client = new Redis(url, { maxRetriesPerRequest: null });

    // (1) One process: the worker's own job runner, no queue.
    const policy = createSourcePolicy({});
    if (!policy.ok) throw new Error(policy.message);
    const runtime = await createNodeRuntime({ backend: 'cpu', policy: policy.policy });
    const cache = new ExecutionCache();
    const graph = readFileSync(FILE, 'utf8');
    const job = (seed: number) => runJob({ graph, sets: [`scheduler.steps=${STEPS}`, `noise.seed=${seed}`] }, { runtime, cache, policy: policy.policy });
    await job(0); // warm: sessions made, as a ready worker has them after its first job
    const t0 = performance.now();
    for (let s = 1; s <= RUNS; s++) await job(s);
    const plainMs = performance.now() - t0;

    const start = async () => {
      const log: string[] = [];  // the worker's stderr, read for its ready line
      const w = spawn(process.execPath, ['bin/weft.mjs', 'worker', '--redis', url], { stdio: ['ignore', 'ignore', 'pipe'] });
      lines(w, log);
      workers.push(w);
      await until(() => log.some((l) => l.startsWith('weft worker ')), 30_000, 'a worker');
      return log;
    };
    const round = async (n: number) => {
      // Warm each worker with one job of its own (sessions made), then empty Redis and time the sweep.
      for (const w of workers) w.kill('SIGTERM');
      workers.length = 0;
      for (let i = 0; i < n; i++) await start();
      await batch(url, path.join(tmp, `warm-${n}`));
      await client.flushall();
      return batch(url, path.join(tmp, `round-${n}`));
    };
    const one = await round(1);
    const two = await round(2);
    await client.quit();

    const r = (x: number) => Math.round(x);
    const overheadMs = (one.ms - plainMs) / RUNS;
    console.log(`${RUNS} runs of ${FILE} at ${STEPS} steps (cpu), warm sessions everywhere`);
    console.log(`one process, no queue:   ${r(plainMs)} ms (${r(plainMs / RUNS)} ms a run)`);
    console.log(`queue, 1 worker:         ${r(one.ms)} ms  → ratio to one process ${(one.ms / plainMs).toFixed(3)}, overhead ${overheadMs.toFixed(1)} ms a job (submit and collect included)`);
    console.log(`queue, 2 workers:        ${r(two.ms)} ms  → throughput 1 → 2 workers ×${(one.ms / two.ms).toFixed(2)} (${two.workers} workers did the work; 2 cores)`);
    console.log(`submit to first progress event: ${one.firstProgressMs} ms (1 worker), ${two.firstProgressMs} ms (2 workers)`);
    console.log(
      JSON.stringify({ runs: RUNS, steps: STEPS, plainMs: r(plainMs), oneWorkerMs: r(one.ms), twoWorkersMs: r(two.ms), queueRatio: Number((one.ms / plainMs).toFixed(3)), overheadMsPerJob: Number(overheadMs.toFixed(1)), throughput2vs1: Number((one.ms / two.ms).toFixed(2)), firstProgressMs: one.firstProgressMs }),
    );
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
