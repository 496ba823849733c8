/**
 * The run queue for real: a redis-server started here on a loopback port (stopped after), `weft
 * worker` processes, `weft batch` and BullMQ jobs added directly, as other machines would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { decodePng, readPngText } from '@/lib/png';
import { GRAPH_PNG_KEY } from '@/lib/graphPng';
import { QUEUE_NAME, jobIdOf, type JobPayload } from '@/lib/queue/jobs';

const tmp = mkdtempSync(path.join(tmpdir(), 'weft-queue-'));
let redis: ChildProcess;
let url = '';
const workers: { proc: ChildProcess; log: string[] }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function waitFor(lines: string[], test: (l: string) => boolean, ms: number, what: string): Promise<string> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const hit = lines.find(test);
      if (hit) return resolve(hit);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}; saw:\n${lines.join('\n')}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

async function startWorker(...extra: string[]) {
  const proc = spawn(process.execPath, ['bin/weft.mjs', 'worker', '--redis', url, '--lock-ms', '2000', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const w = { proc, log: [] as string[] };
  let rest = '';
  proc.stderr!.on('data', (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split('\n');
    rest = parts.pop()!;
    w.log.push(...parts);
  });
  workers.push(w);
  await waitFor(w.log, (l) => l.startsWith('weft worker '), 30_000, 'the worker to start');
  return w;
}

function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/weft.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!existsSync('/usr/bin/redis-server')) throw new Error('redis-server is missing: run `node tests/ensure-tools.mjs` (npm test does) or apt-get install redis-server');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  redis.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n')));
  await waitFor(out, (l) => l.includes('Ready to accept connections'), 10_000, 'redis-server');
}, 20_000);

afterAll(async () => {
  for (const w of workers) w.proc.kill('SIGKILL');
  redis?.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('weft worker and weft batch on BullMQ and Redis', () => {
  it('two workers share a 4 × 2 sweep; the grid is labelled and carries the graph; the same sweep again reuses the finished runs', async () => {
    const [a, b] = [await startWorker(), await startWorker()];
    const out = path.join(tmp, 'grid');
    const args = ['batch', 'examples/text-to-image-sampler.json', '--sweep', 'noise.seed=1..4', '--sweep', 'sampler.guidance=3,6', '--set', 'scheduler.steps=4', '-o', out, '--redis', url, '--json'];
    const r = await weft(...args);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ cells: 8, done: 8, failed: 0, workers: 2 });
    expect(summary.firstProgressMs).toBeGreaterThanOrEqual(0);
    expect(existsSync(path.join(out, 'noise.seed=3_sampler.guidance=6--image.png'))).toBe(true);
    const bytes = readFileSync(path.join(out, 'grid.png'));
    const grid = decodePng(bytes);
    expect(grid.ok).toBe(true);
    if (grid.ok) expect([grid.image.width, grid.image.height]).toEqual([88 + 4 * 68, 20 + 2 * 68]); // row labels 'guidance=3' (10 chars × 8 px + 8), column labels 20 px
    const text = readPngText(bytes)!;
    expect(JSON.parse(text.chunks.get(GRAPH_PNG_KEY)![0]).nodes.length).toBe(14);
    expect(JSON.parse(text.chunks.get('weft-sweep')![0])).toMatchObject({ sweeps: [{ key: 'noise.seed', values: ['1', '2', '3', '4'] }, { key: 'sampler.guidance', values: ['3', '6'] }] });
    const ran = () => [...a.log, ...b.log].filter((l) => l.startsWith('✓ ')).length;
    expect(ran()).toBe(8);
    // Idempotent per job id: the same sweep finds its 8 runs done and runs none again.
    const again = await weft(...args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ cells: 8, done: 8 });
    expect(ran()).toBe(8);
  }, 120_000);

  it('a worker killed mid-job (SIGKILL) loses nothing: the job moves to another worker and completes once', async () => {
    const busy = workers.length ? workers : [await startWorker(), await startWorker()];
    const out = path.join(tmp, 'killed');
    const batch = weft('batch', 'examples/text-to-image-sampler.json', '--sweep', 'noise.seed=4242', '--set', 'scheduler.steps=400', '-o', out, '--redis', url, '--json');
    const started = await Promise.race(busy.map((w) => waitFor(w.log, (l) => l.startsWith('▶ ') && l.includes('noise.seed=4242'), 60_000, 'the job to start').then(() => w)));
    const id = started.log.find((l) => l.includes('noise.seed=4242'))!.split(' ')[1];
    started.proc.kill('SIGKILL');
    const r = await batch;
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ cells: 1, done: 1, failed: 0 });
    const survivors = workers.filter((w) => w !== started);
    expect(survivors.flatMap((w) => w.log).filter((l) => l.startsWith(`✓ ${id}`))).toHaveLength(1);
    expect(started.log.filter((l) => l.startsWith(`✓ ${id}`))).toHaveLength(0);
    workers.splice(workers.indexOf(started), 1);
  }, 120_000);

  it('a poisoned job fails with its reasons, never retried, and the worker goes on; sources outside its roots are refused', async () => {
    if (!workers.length) await startWorker();
    const connection = { url, maxRetriesPerRequest: null };
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    try {
      await events.waitUntilReady();
      const run = async (data: unknown, id: string) => (await queue.add('run', data, { jobId: id, attempts: 3 })).waitUntilFinished(events, 60_000);
      await expect(run({ graph: 5, sets: [] }, 'poison-1')).rejects.toThrow(/the job is not a Weft run: graph: /);
      await expect(run({ graph: '{"schemaVersion":1,"nodes":"x"}', sets: [] }, 'poison-2')).rejects.toThrow(/the job's graph cannot be opened/);
      const example = readFileSync('examples/text-to-image-sampler.json', 'utf8');
      await expect(run({ graph: example, sets: ['pipeline.source="dir:/etc"'] }, 'poison-3')).rejects.toThrow(/this worker may not read what the graph names/);
      await expect(run({ graph: example, sets: ['nope.seed=1'] }, 'poison-4')).rejects.toThrow(/there is no node 'nope'/);
      expect((await queue.getJob('poison-2'))!.attemptsMade).toBe(1);
      // The worker is still there and runs a good job.
      const good: JobPayload = { graph: example, sets: ['scheduler.steps=2'] };
      const r = (await run(good, jobIdOf(good))) as { outputs: { name: string; kind: string }[] };
      expect(r.outputs.map((o) => [o.name, o.kind])).toEqual([['image', 'image']]);
    } finally {
      await events.close();
      await queue.close();
    }
  }, 120_000);

  it('weft serve: a token is needed; a bad graph is a 400 with its problems; a job streams its progress and its PNG comes back', async () => {
    if (!workers.length) await startWorker();
    const refused = await weft('serve', '--no-auth', '--host', '0.0.0.0', '--redis', url);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--no-auth is allowed only on a loopback address');
    const token = 'a-test-token-of-some-length';
    const proc = spawn(process.execPath, ['bin/weft.mjs', 'serve', '--port', '0', '--token', token, '--redis', url], { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: string[] = [];
    proc.stderr!.on('data', (d: Buffer) => log.push(...d.toString().split('\n')));
    try {
      const line = await waitFor(log, (l) => l.startsWith('weft serve on '), 30_000, 'the server');
      const base = /http:\/\/[^ ]+/.exec(line)![0];
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const graph = JSON.parse(readFileSync('examples/text-to-image-sampler.json', 'utf8'));
      expect((await fetch(`${base}/jobs`, { method: 'POST', body: JSON.stringify({ graph }) })).status).toBe(401);
      expect((await fetch(`${base}/jobs`, { method: 'POST', headers: { authorization: 'Bearer wrong-token-of-some-length' }, body: JSON.stringify({ graph }) })).status).toBe(401);
      const bad = await fetch(`${base}/jobs`, { method: 'POST', headers: auth, body: JSON.stringify({ graph, sets: ['scheduler.steps=0'] }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { problems: string[] }).problems.join(' ')).toMatch(/steps/);
      const posted = await fetch(`${base}/jobs`, { method: 'POST', headers: auth, body: JSON.stringify({ graph, sets: ['scheduler.steps=6', 'noise.seed=31337'] }) });
      expect(posted.status).toBe(202);
      const { id } = (await posted.json()) as { id: string };
      const sse = await (await fetch(`${base}/jobs/${id}/events`, { headers: auth })).text();
      expect(sse).toContain('event: state');
      expect(sse).toContain('event: progress');
      expect(sse).toContain('event: completed');
      const status = (await (await fetch(`${base}/jobs/${id}`, { headers: auth })).json()) as { state: string; result: { outputs: { name: string; kind: string; width: number }[] } };
      expect(status.state).toBe('completed');
      expect(status.result.outputs).toEqual([{ name: 'image', kind: 'image', width: 64, height: 64 }]);
      const png = new Uint8Array(await (await fetch(`${base}/jobs/${id}/outputs/image`, { headers: auth })).arrayBuffer());
      expect(readPngText(png)!.chunks.has(GRAPH_PNG_KEY)).toBe(true);
      expect((await fetch(`${base}/jobs/nope`, { headers: auth })).status).toBe(404);
    } finally {
      proc.kill('SIGTERM');
    }
  }, 120_000);
});
