/** `mixmc batch PLAN.json` (on this machine, or onto a queue), `mixmc batch status PLAN.json`, and `mixmc worker`. */
import type { Command } from 'commander';
import { batchStatus, enqueue, readPlan, runBatchLocally, work } from '../index.js';
import { alignRows, int } from './options.js';

interface BatchFlags {
  queue?: string;
  workers?: number;
  concurrency?: number;
  quiet?: boolean;
}

function printStatus(plan: string): number {
  const states = batchStatus(readPlan(plan));
  const rows = states.map((s) => [s.job.name, s.job.kind, s.state, s.job.dir, s.state === 'failed' ? (s.record?.attempts.at(-1)?.error ?? '') : '']);
  const counts = ['done', 'running', 'stopped', 'failed', 'pending'].map((k) => `${states.filter((s) => s.state === k).length} ${k}`).join(', ');
  process.stdout.write(`${alignRows([['job', 'kind', 'state', 'output', 'error'], ...rows])}\n\n${counts}\n`);
  return 0;
}

async function runPlan(plan: string, flags: BatchFlags): Promise<number> {
  const jobs = readPlan(plan);
  const say = (s: string) => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  if (flags.queue) {
    const failed = await enqueue(jobs, flags.queue, { onProgress: (done, f, total) => say(`${done}/${total} done${f > 0 ? `, ${f} failed` : ''}`) });
    for (const f of failed) process.stderr.write(`error: job '${f.name}' failed: ${f.error}\n`);
    process.stdout.write(`${jobs.length - failed.length} of ${jobs.length} jobs done; outputs under ${jobs[0].root}\n`);
    return failed.length > 0 ? 1 : 0;
  }
  const outcomes = await runBatchLocally(jobs, {
    workers: flags.workers,
    concurrency: flags.concurrency,
    onJob: (o) => say(`${o.status === 'started' ? 'start' : o.status}: ${o.name}${o.status === 'failed' ? ` (${o.error})` : ''}`),
  });
  const failed = outcomes.filter((o) => o.status === 'failed');
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  for (const f of failed) if (f.status === 'failed') process.stderr.write(`error: job '${f.name}' failed: ${f.error}\n`);
  process.stdout.write(`${outcomes.length - failed.length} of ${jobs.length} jobs done (${skipped} were already); outputs under ${jobs[0].root}\n`);
  return failed.length === 0 ? 0 : failed.every((f) => f.status === 'failed' && f.userError) ? 2 : 1;
}

export function batchCommand(program: Command, done: (code: number) => void): void {
  program
    .command('batch')
    .argument('<plan>', "a plan (JSON), or 'status' followed by the plan")
    .argument('[plan]', 'the plan, after status')
    .option('--queue <url>', 'put the jobs on a BullMQ queue (redis://HOST:PORT/NAME) for `mixmc worker` processes, and wait for them')
    .option('--workers <n>', 'chain worker threads of the local pool (default: the cores)', int('--workers'))
    .option('--concurrency <n>', 'jobs run at once locally (default: the pool threads)', int('--concurrency'))
    .option('--quiet', 'no progress output')
    .description('run the jobs of a plan (fits, cross-validations, calibrations; grids of them), skipping those done; `batch status PLAN` shows each job')
    .action(async (first: string, second: string | undefined, flags: BatchFlags) => {
      if (first === 'status' && second !== undefined) done(printStatus(second));
      else done(await runPlan(first, flags));
    });
}

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .requiredOption('--queue <url>', 'the BullMQ queue to take jobs from (redis://HOST:PORT/NAME)')
    .option('--workers <n>', 'chain worker threads of this machine (default: the cores)', int('--workers'))
    .option('--concurrency <n>', 'jobs taken at once', int('--concurrency'), 1)
    .option('--lock-ms <ms>', "how long a job's lock lasts unrenewed: a dead worker's job is taken again after about this long", int('--lock-ms'), 30_000)
    .description('take batch jobs from a queue and run them here until stopped (SIGINT/SIGTERM: finish the jobs in hand, then exit)')
    .action(async (flags: { queue: string; workers?: number; concurrency: number; lockMs: number }) => {
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      process.stdout.write(`worker ${process.pid} on ${flags.queue}\n`);
      await work(
        flags.queue,
        {
          workers: flags.workers,
          concurrency: flags.concurrency,
          lockMs: flags.lockMs,
          onJob: (o) => process.stdout.write(`${o.status} ${o.id} ${o.name}\n`),
        },
        stop,
      );
    });
}
