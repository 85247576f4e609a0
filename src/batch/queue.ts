/**
 * A batch spread over machines through a BullMQ queue on Redis (a well-kept queue: its locks,
 * stalled-job checks and retries are what we need, and we do not write our own). `enqueue` puts the
 * plan's unfinished jobs on the queue under their ids (so a job is there once however often the plan
 * is run) and waits for them; `work` takes jobs from the queue on this machine, running their chains
 * on its own pool. A worker holds a lock on its job and renews it; if it dies, the lock lapses and a
 * live worker's stalled-job check (BullMQ's `stalledInterval`, `maxStalledCount`) puts the job back,
 * and the next worker resumes it from what the dead one left in the output root (jobs.ts) — which
 * every machine must see at the same path (a network file system or a mounted bucket).
 */
import { availableParallelism } from 'node:os';
import type { Worker as BullWorker } from 'bullmq';
import { MixmcError } from '../errors.js';
import { withPool } from '../parallel/pool.js';
import { readJobRecord, runJob, type JobOutcome } from './jobs.js';
import type { BatchJob } from './plan.js';

/** BullMQ (with ioredis), loaded when a queue is used: no other command pays for it at start-up. */
function bullmq(): Promise<typeof import('bullmq')> {
  return import('bullmq');
}

/** redis://HOST:PORT/NAME → the connection and the queue's name. */
export function parseQueueUrl(url: string): { connection: { host: string; port: number }; name: string } {
  const m = /^redis:\/\/([^:/]+)(?::(\d+))?\/([A-Za-z0-9._-]+)$/.exec(url);
  if (!m) throw new MixmcError(`--queue must be redis://HOST:PORT/NAME (got '${url}')`, {});
  return { connection: { host: m[1], port: Number(m[2] ?? 6379) }, name: m[3] };
}

/** Attempts of a job that fails by an error of the machine rather than of its input. */
const ATTEMPTS = 3;

/**
 * Put the unfinished jobs on the queue (a job that failed there before is retried) and wait until
 * each has finished or failed for good. Returns the jobs that failed, with their errors.
 */
export async function enqueue(
  jobs: readonly BatchJob[],
  url: string,
  opts: { pollMs?: number; onProgress?: (done: number, failed: number, total: number) => void } = {},
): Promise<{ id: string; name: string; error: string }[]> {
  const { connection, name } = parseQueueUrl(url);
  const { Queue } = await bullmq();
  const queue = new Queue(name, { connection });
  try {
    const todo = jobs.filter((j) => readJobRecord(j)?.status !== 'finished');
    for (const job of todo) {
      const there = await queue.getJob(job.id);
      const state = there ? await there.getState() : undefined;
      if (state === 'failed') await there!.retry();
      else if (state === 'completed') {
        // done by the queue but not in the output root (it was cleared): again
        await there!.remove();
        await queue.add(job.kind, job, { jobId: job.id, attempts: ATTEMPTS, removeOnComplete: false, removeOnFail: false });
      } else if (!there) await queue.add(job.kind, job, { jobId: job.id, attempts: ATTEMPTS, removeOnComplete: false, removeOnFail: false });
    }
    const failed = new Map<string, string>();
    for (;;) {
      let done = 0;
      failed.clear();
      for (const job of todo) {
        const j = await queue.getJob(job.id);
        const state = j ? await j.getState() : 'unknown';
        // a job that failed with attempts left waits for its retry; 'failed' is for good
        if (state === 'completed') done++;
        else if (state === 'failed') failed.set(job.id, j?.failedReason ?? 'failed');
      }
      opts.onProgress?.(done, failed.size, todo.length);
      if (done + failed.size >= todo.length) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
    return todo.filter((j) => failed.has(j.id)).map((j) => ({ id: j.id, name: j.name, error: failed.get(j.id)! }));
  } finally {
    await queue.close();
  }
}

export interface WorkOptions {
  /** Chain worker threads of this machine's pool (default: the cores). */
  workers?: number;
  /** Jobs taken at once (default 1: a job's chains already fill the pool). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal, ms (default 30,000): a dead worker's job is taken again after about this long. */
  lockMs?: number;
  onJob?: (o: JobOutcome | { id: string; name: string; status: 'started' }) => void;
}

/** Take jobs from the queue until `stop` resolves; then finish the jobs in hand and close. */
export async function work(url: string, opts: WorkOptions, stop: Promise<void>): Promise<void> {
  const { connection, name } = parseQueueUrl(url);
  const { UnrecoverableError, Worker } = await bullmq();
  const workers = opts.workers ?? availableParallelism();
  const lockDuration = opts.lockMs ?? 30_000;
  await withPool(workers, undefined, async (pool) => {
    const worker: BullWorker<BatchJob> = new Worker<BatchJob>(
      name,
      async (job) => {
        opts.onJob?.({ id: job.data.id, name: job.data.name, status: 'started' });
        const o = await runJob(job.data, { pool, workers });
        opts.onJob?.(o);
        if (o.status === 'failed') throw o.userError ? new UnrecoverableError(o.error) : new Error(o.error);
        return o.status;
      },
      {
        connection: { ...connection, maxRetriesPerRequest: null },
        concurrency: opts.concurrency ?? 1,
        lockDuration,
        stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
        maxStalledCount: 2,
      },
    );
    try {
      await stop;
    } finally {
      await worker.close();
    }
  });
}
