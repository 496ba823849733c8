/**
 * `weft worker`: runs queued graph jobs (BullMQ on Redis) with the same engine as `weft run`,
 * until SIGTERM or SIGINT. Workers on other machines join by pointing at the same Redis. A job
 * this worker refuses (bad payload, invalid graph, a source outside its allowed roots) fails at
 * once with the reasons and is not retried; a worker that dies mid-job (SIGKILL, a lost machine)
 * stops renewing the job's lock, and BullMQ hands the job to another worker.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { ExecutionCache } from '@/engine/executor';
import { QUEUE_NAME, redisUrlOf, type JobResult } from '@/lib/queue/jobs';
import { BackendUnavailableError, createNodeRuntime, type CliBackend } from './nodeRuntime';
import { createSourcePolicy } from './sourcePolicy';
import { JobRefused, runJob, WORKER_NAME } from './runJob';

interface WorkerOpts {
  redis?: string;
  concurrency: string;
  backend: CliBackend;
  allowDir: string[];
  allowNet?: boolean;
  allowHost: string[];
  /** How long a job's lock lasts without renewal (ms): a dead worker's job moves on after about this. */
  lockMs: string;
}

export async function workerCommand(opts: WorkerOpts): Promise<number> {
  const concurrency = Number(opts.concurrency);
  const lockDuration = Number(opts.lockMs);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    process.stderr.write(`--concurrency must be a whole number from 1 to 64, not '${opts.concurrency}'\n`);
    return 2;
  }
  if (!Number.isFinite(lockDuration) || lockDuration < 1000) {
    process.stderr.write(`--lock-ms must be at least 1000, not '${opts.lockMs}'\n`);
    return 2;
  }
  const policy = createSourcePolicy({ allowDirs: opts.allowDir, allowNet: opts.allowNet ? true : opts.allowHost.length ? opts.allowHost : false });
  if (!policy.ok) {
    process.stderr.write(policy.message + '\n');
    return 2;
  }
  let runtime;
  try {
    runtime = await createNodeRuntime({ backend: opts.backend, policy: policy.policy });
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    process.stderr.write(err.message + '\n');
    return 2;
  }
  // One cache per job slot: jobs that differ only in a few params reuse what does not change.
  const caches = Array.from({ length: concurrency }, () => new ExecutionCache());
  const url = redisUrlOf(opts.redis);
  const worker = new Worker<unknown, JobResult>(
    QUEUE_NAME,
    async (job, _token, signal) => {
      const cache = caches.pop() ?? new ExecutionCache();
      try {
        return await runJob(job.data, { runtime, cache, policy: policy.policy, signal, onProgress: (p) => void job.updateProgress({ ...p }).catch(() => undefined) });
      } catch (err) {
        if (err instanceof JobRefused) throw new UnrecoverableError(err.message);
        throw err;
      } finally {
        caches.push(cache);
      }
    },
    { connection: { url, maxRetriesPerRequest: null }, concurrency, lockDuration, stalledInterval: Math.max(1000, Math.round(lockDuration / 2)), maxStalledCount: 2 },
  );
  worker.on('active', (job) => process.stderr.write(`▶ ${job.id}${labelOf(job.data)}\n`));
  worker.on('completed', (job, r) => process.stderr.write(`✓ ${job.id}${labelOf(job.data)} ${r.ms} ms\n`));
  worker.on('failed', (job, err) => process.stderr.write(`✗ ${job?.id ?? '?'}${labelOf(job?.data)}: ${err.message}\n`));
  worker.on('error', (err) => process.stderr.write(`worker: ${err.message}\n`));
  await worker.waitUntilReady();
  process.stderr.write(`weft worker ${WORKER_NAME} on ${url.replace(/\/\/[^@/]*@/, '//…@')} (queue ${QUEUE_NAME}, concurrency ${concurrency}, ${runtime.backend})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stderr.write('stopping: finishing the jobs in hand…\n');
  await worker.close();
  return 0;
}

function labelOf(data: unknown): string {
  const label = typeof data === 'object' && data !== null && 'label' in data ? (data as { label?: unknown }).label : undefined;
  return typeof label === 'string' ? ` (${label.slice(0, 120)})` : '';
}
