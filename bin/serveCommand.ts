/**
 * `weft serve`: an HTTP front to the run queue. A graph file and overrides in, a job id out; the
 * job's state and result, its progress as server-sent events, its image outputs as PNGs, and
 * cancel for a job not yet running. The work itself is done by `weft worker`s on the same Redis.
 *
 *   POST   /jobs                  {graph: <graph JSON, as text or as the object>, sets?: ["NODE.PARAM=VALUE"]} → 202 {id}
 *   GET    /jobs/:id              {id, state, progress, result?, error?}
 *   GET    /jobs/:id/events       text/event-stream: progress, completed, failed
 *   GET    /jobs/:id/outputs/:n   the output's PNG (or text)
 *   DELETE /jobs/:id              removes a job that is waiting; 409 once a worker has it
 *
 * Every request but GET /health needs `Authorization: Bearer <token>` (--token or $WEFT_TOKEN),
 * unless the server was started with --no-auth, which it accepts only on a loopback address.
 * Bodies are bounded (the graph file limit) and checked as hostile files are before a job is made.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { LIMITS, formatMegabytes } from '@/engine/graph/limits';
import { validateGraph } from '@/engine/graph/validate';
import { issueToLine } from '@/engine/errors';
import { openGraph } from '@/lib/openGraph';
import { jobIdOf, jobPayloadSchema, QUEUE_NAME, redisUrlOf, type JobPayload, type JobResult } from '@/lib/queue/jobs';
import { registry } from '@/nodes';
import { applySets } from './applySets';

interface ServeOpts {
  port: string;
  host: string;
  redis?: string;
  token?: string;
  auth: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<{ ok: true; text: string } | { ok: false; status: number; message: string }> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      resolve({ ok: false, status: 413, message: `the body is ${formatMegabytes(declared)}; at most ${formatMegabytes(limit)}` });
      req.resume();
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (d: Buffer) => {
      if (done) return;
      size += d.length;
      if (size > limit) {
        done = true;
        resolve({ ok: false, status: 413, message: `the body passes ${formatMegabytes(limit)}` });
        req.destroy();
        return;
      }
      parts.push(d);
    });
    req.on('end', () => !done && resolve({ ok: true, text: Buffer.concat(parts).toString('utf8') }));
    req.on('error', () => !done && resolve({ ok: false, status: 400, message: 'the request broke off' }));
  });
}

/** Checks a submission the way a worker will, so a bad graph is a 400 now, not a failed job later. */
export function checkSubmission(body: string): { ok: true; payload: JobPayload } | { ok: false; errors: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return { ok: false, errors: [`the body is not JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, errors: ['the body must be an object {graph, sets?}'] };
  const raw = parsed as { graph?: unknown; sets?: unknown; label?: unknown };
  const candidate = { graph: typeof raw.graph === 'string' ? raw.graph : JSON.stringify(raw.graph ?? null), sets: raw.sets ?? [], ...(raw.label !== undefined ? { label: raw.label } : {}) };
  const p = jobPayloadSchema.safeParse(candidate);
  if (!p.success) return { ok: false, errors: p.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
  const opened = openGraph({ kind: 'text', name: 'graph', text: p.data.graph }, registry);
  if (!opened.ok) return { ok: false, errors: opened.lines };
  const applied = applySets(opened.graph, p.data.sets);
  if (!applied.ok) return { ok: false, errors: [applied.message] };
  const errors = validateGraph(applied.graph, registry).filter((i) => i.severity === 'error');
  if (errors.length) return { ok: false, errors: errors.map(issueToLine) };
  return { ok: true, payload: p.data };
}

export async function serveCommand(opts: ServeOpts): Promise<number> {
  const port = Number(opts.port);
  const token = opts.token ?? process.env.WEFT_TOKEN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, not '${opts.port}'\n`);
    return 2;
  }
  if (!opts.auth && !LOOPBACK.has(opts.host)) {
    process.stderr.write(`--no-auth is allowed only on a loopback address (127.0.0.1, ::1), not ${opts.host}\n`);
    return 2;
  }
  if (opts.auth && (!token || token.length < 16)) {
    process.stderr.write('weft serve needs a token of 16 or more characters (--token or $WEFT_TOKEN); or --no-auth on 127.0.0.1\n');
    return 2;
  }
  const url = redisUrlOf(opts.redis);
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue<JobPayload, JobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  await events.waitUntilReady();
  const want = token ? Buffer.from(`Bearer ${token}`) : undefined;
  const authorised = (req: IncomingMessage) => {
    if (!opts.auth) return true;
    const got = Buffer.from(String(req.headers.authorization ?? ''));
    return want !== undefined && got.length === want.length && timingSafeEqual(got, want);
  };

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://weft').pathname;
      if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
      if (!authorised(req)) return send(res, 401, { error: 'a bearer token is needed (Authorization: Bearer <token>)' });
      const m = /^\/jobs(?:\/([A-Za-z0-9_-]{1,100})(?:\/(events|outputs)(?:\/([^/]{1,200}))?)?)?$/.exec(path);
      if (!m) return send(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
      const [, id, sub, name] = m;
      if (!id) {
        if (req.method !== 'POST') return send(res, 405, { error: 'POST a job to /jobs' });
        const body = await readBody(req, LIMITS.fileBytes);
        if (!body.ok) return send(res, body.status, { error: body.message });
        const checked = checkSubmission(body.text);
        if (!checked.ok) return send(res, 400, { error: 'the graph cannot run', problems: checked.errors });
        const jobId = jobIdOf(checked.payload);
        await queue.add('run', checked.payload, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600 } });
        return send(res, 202, { id: jobId });
      }
      const job = await queue.getJob(id);
      if (!job) return send(res, 404, { error: `no job ${id}` });
      if (req.method === 'DELETE' && !sub) {
        const state = await job.getState();
        if (state === 'active') return send(res, 409, { error: 'a worker is running this job; it cannot be taken back now' });
        await job.remove();
        return send(res, 200, { id, removed: true });
      }
      if (req.method !== 'GET') return send(res, 405, { error: `${req.method} is not allowed here` });
      if (!sub) {
        const state = await job.getState();
        return send(res, 200, { id, state, progress: job.progress, ...(job.returnvalue ? { result: summary(job.returnvalue) } : {}), ...(job.failedReason ? { error: job.failedReason } : {}) });
      }
      if (sub === 'outputs') {
        const out = job.returnvalue?.outputs.find((o) => o.name === name);
        if (!out) return send(res, 404, { error: `job ${id} has no output '${name}'${job.returnvalue ? '' : ' (it has not finished)'}` });
        const bytes = out.png ? Buffer.from(out.png, 'base64') : Buffer.from(out.text ?? JSON.stringify(out.value ?? null));
        res.writeHead(200, { 'content-type': out.png ? 'image/png' : out.kind === 'text' ? 'text/plain; charset=utf-8' : 'application/json', 'content-length': bytes.length });
        return res.end(bytes);
      }
      // Server-sent events: this job's progress, then its end.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const emit = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const onProgress = (e: { jobId: string; data: unknown }) => e.jobId === id && emit('progress', e.data);
      const finish = () => {
        events.off('progress', onProgress);
        events.off('completed', onCompleted);
        events.off('failed', onFailed);
        res.end();
      };
      const onCompleted = (e: { jobId: string }) => {
        if (e.jobId !== id) return;
        void queue.getJob(id).then((j) => {
          emit('completed', j?.returnvalue ? summary(j.returnvalue) : {});
          finish();
        });
      };
      const onFailed = (e: { jobId: string; failedReason: string }) => {
        if (e.jobId !== id) return;
        emit('failed', { error: e.failedReason });
        finish();
      };
      events.on('progress', onProgress);
      events.on('completed', onCompleted);
      events.on('failed', onFailed);
      req.on('close', finish);
      const state = await job.getState();
      emit('state', { state, progress: job.progress });
      if (state === 'completed') onCompleted({ jobId: id });
      else if (state === 'failed') onFailed({ jobId: id, failedReason: job.failedReason ?? 'failed' });
    } catch (err) {
      if (!res.headersSent) send(res, 500, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host, () => resolve());
  });
  const address = server.address();
  const shown = typeof address === 'object' && address ? `${opts.host}:${address.port}` : String(address);
  process.stderr.write(`weft serve on http://${shown} (queue ${QUEUE_NAME}${opts.auth ? ', bearer token required' : ', no auth: loopback only'})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  server.close();
  await events.close();
  await queue.close();
  return 0;
}

/** The result without its image bytes (fetched one by one from /outputs). */
function summary(r: JobResult) {
  return { ms: r.ms, worker: r.worker, outputs: r.outputs.map((o) => ({ name: o.name, kind: o.kind, ...(o.width ? { width: o.width, height: o.height } : {}), ...(o.text !== undefined ? { text: o.text } : {}), ...(o.value !== undefined ? { value: o.value } : {}) })) };
}
