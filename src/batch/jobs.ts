/**
 * Running a batch's jobs, and what each has come to. Every job has a record, ROOT/jobs/ID.json:
 * its status and one attempt per time a process took it (host, pid, start, end, outcome), so that
 * "done once" can be checked and a job whose process died is seen. A job resumes where it stopped:
 * a fit from its run directory's checkpoints, a cv or sbc from its finished folds or simulations.
 * Locally the jobs run a few at a time and their chains share one worker pool (queue.ts spreads them
 * over machines instead).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { cv } from '../api/cv.js';
import { fit, resumeFit } from '../api/fit.js';
import { sbc } from '../api/sbc.js';
import { isUserError, MixmcError } from '../errors.js';
import { writeFileAtomic } from '../output/files.js';
import { processAlive } from '../output/ownership.js';
import { type ChainPool, withPool } from '../parallel/pool.js';
import type { BatchJob } from './plan.js';

export interface JobAttempt {
  host: string;
  pid: number;
  started: string;
  ended?: string;
  status: 'running' | 'finished' | 'failed';
  error?: string;
}

export interface JobRecord {
  id: string;
  name: string;
  kind: string;
  dir: string;
  status: 'running' | 'finished' | 'failed';
  attempts: JobAttempt[];
}

/** Where a job's record is kept. */
function recordPath(job: BatchJob): string {
  return join(job.root, 'jobs', `${job.id}.json`);
}

export function readJobRecord(job: BatchJob): JobRecord | undefined {
  const file = recordPath(job);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as JobRecord) : undefined;
}

function writeJobRecord(job: BatchJob, record: JobRecord): void {
  writeFileAtomic(recordPath(job), `${JSON.stringify(record, null, 2)}\n`);
}

/** The outcome of one call of runJob. */
export type JobOutcome =
  | { id: string; name: string; status: 'finished' | 'skipped' }
  | { id: string; name: string; status: 'failed'; error: string /** An error of the input (not worth a retry). */; userError: boolean };

/** Run (or resume) one job unless it is finished; its record says what happened. */
export async function runJob(job: BatchJob, opts: { pool?: ChainPool; workers?: number } = {}): Promise<JobOutcome> {
  const before = readJobRecord(job);
  if (before?.status === 'finished') return { id: job.id, name: job.name, status: 'skipped' };
  const attempt: JobAttempt = { host: hostname(), pid: process.pid, started: new Date().toISOString(), status: 'running' };
  const record: JobRecord = { id: job.id, name: job.name, kind: job.kind, dir: job.dir, status: 'running', attempts: [...(before?.attempts ?? []), attempt] };
  writeJobRecord(job, record);
  try {
    const common = { baseDir: job.baseDir, pool: opts.pool, workers: opts.workers };
    if (job.kind === 'fit') {
      const started = existsSync(join(job.dir, 'run.json'));
      const res = started ? await resumeFit(job.dir, { pool: opts.pool, workers: opts.workers }) : await fit(job.spec, { ...common, outDir: job.dir });
      if (res.failures.length > 0 || res.interrupted) throw new MixmcError(res.failures.map((f) => f.message).join('; ') || 'interrupted', {});
    } else if (job.kind === 'cv') {
      await cv(job.spec, { ...common, ...job.options, outDir: job.dir });
    } else {
      await sbc(job.spec, { ...common, ...job.options, sims: job.options.sims ?? 0, outDir: job.dir });
    }
    attempt.status = 'finished';
    record.status = 'finished';
    return { id: job.id, name: job.name, status: 'finished' };
  } catch (err) {
    attempt.status = 'failed';
    attempt.error = (err as Error).message;
    record.status = 'failed';
    return { id: job.id, name: job.name, status: 'failed', error: attempt.error, userError: isUserError(err) };
  } finally {
    attempt.ended = new Date().toISOString();
    writeJobRecord(job, record);
  }
}

export type JobState = 'done' | 'running' | 'failed' | 'pending' | 'stopped';

/** What each job has come to: done, running (elsewhere, or here by a live process), failed, stopped (its process died), or pending. */
export function batchStatus(jobs: readonly BatchJob[]): { job: BatchJob; state: JobState; record?: JobRecord }[] {
  return jobs.map((job) => {
    const record = readJobRecord(job);
    if (!record) return { job, state: 'pending' };
    if (record.status === 'finished') return { job, state: 'done', record };
    if (record.status === 'failed') return { job, state: 'failed', record };
    const last = record.attempts[record.attempts.length - 1];
    const here = last.host === hostname();
    return { job, state: here && !processAlive(last.pid) ? 'stopped' : 'running', record };
  });
}

/**
 * Run a batch on this machine: the jobs that are not done, `concurrency` at a time (default: the
 * pool's threads), their chains on one shared pool of `workers` threads (default: the cores).
 */
export async function runBatchLocally(
  jobs: readonly BatchJob[],
  opts: { workers?: number; concurrency?: number; onJob?: (o: JobOutcome | { id: string; name: string; status: 'started' }) => void },
): Promise<JobOutcome[]> {
  const workers = opts.workers ?? availableParallelism();
  const queue = [...jobs];
  const outcomes: JobOutcome[] = [];
  const lanes = Math.max(1, opts.concurrency ?? Math.max(1, workers));
  await withPool(workers, undefined, (pool) =>
    Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          if (readJobRecord(job)?.status !== 'finished') opts.onJob?.({ id: job.id, name: job.name, status: 'started' });
          const o = await runJob(job, { pool, workers });
          outcomes.push(o);
          opts.onJob?.(o);
        }
      }),
    ),
  );
  return outcomes;
}
