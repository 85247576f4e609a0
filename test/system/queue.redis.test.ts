/**
 * A batch over a real Redis: Debian's redis-server on 127.0.0.1 and a free port (REDIS_SERVER, default
 * redis-server on the PATH), three `mixmc worker` processes, and a 12-job plan (BRR fits of the
 * wheat data, each with its own seed) put on the queue. One worker is killed (SIGKILL) in the middle
 * of a job; its lock lapses and BullMQ's stalled-job check gives the job to another worker, which
 * resumes the run from its checkpoints. Every job must finish exactly once (one finished attempt in
 * its record; the killed one left a running attempt), with the summaries of a local run of the same
 * plan; and putting the plan on the queue again does nothing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobRecord, runBatchLocally } from '../../src/batch/jobs.js';
import { readPlan } from '../../src/batch/plan.js';
import { enqueue } from '../../src/batch/queue.js';
import { BIN } from '../helpers/bin.js';
import { tempDir } from '../helpers/cli.js';

const WHEAT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'data', 'wheat');
const REDIS = process.env.REDIS_SERVER ?? 'redis-server';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let redis: ChildProcess | undefined;
let url = '';
const workers: { child: ChildProcess; out: string[] }[] = [];

beforeAll(async () => {
  if (spawnSync(REDIS, ['--version']).status !== 0)
    throw new Error(`no ${REDIS}: install Debian's redis-server (apt-get install -y redis-server) or set REDIS_SERVER`);
  const port = await freePort();
  redis = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    redis!.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Ready to accept connections/.test(log)) resolve();
    });
    redis!.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
  });
  url = `redis://127.0.0.1:${port}/mixmc-test`;
});

afterAll(() => {
  for (const w of workers) w.child.kill('SIGKILL');
  redis?.kill('SIGTERM');
});

function startWorker(): { child: ChildProcess; out: string[] } {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--workers', '1', '--lock-ms', '4000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = { child, out: [] as string[] };
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    w.out.push(...lines);
  });
  workers.push(w);
  return w;
}

function writePlan(dir: string, out: string): string {
  const spec = {
    data: join(WHEAT, 'pheno.csv'),
    id: 'id',
    formula: 'y1 ~ 1',
    markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 0 },
    mcmc: { chains: 2, iterations: 2500, burnin: 500, thin: 2, seed: 1 },
  };
  const file = join(dir, `plan-${out}.json`);
  writeFileSync(file, JSON.stringify({ out, grid: [{ kind: 'fit', spec, vary: { 'mcmc.seed': Array.from({ length: 12 }, (_, k) => k + 1) } }] }));
  return file;
}

describe('a batch over a Redis queue with three workers', () => {
  it('every job finishes once despite a killed worker, as a local run does; a rerun does nothing', async () => {
    const dir = tempDir('mixmc-queue-');
    const jobs = readPlan(writePlan(dir, 'queued'));
    expect(jobs).toHaveLength(12);
    const [victim] = [startWorker(), startWorker(), startWorker()];
    // kill the first worker a moment into its first job
    const killed = new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        const started = victim.out.find((l) => l.startsWith('started '));
        if (!started) return;
        clearInterval(timer);
        setTimeout(() => {
          victim.child.kill('SIGKILL');
          resolve(started.split(' ')[1]);
        }, 700);
      }, 50);
    });
    const failed = await enqueue(jobs, url, { pollMs: 200 });
    expect(failed).toEqual([]);
    const killedJob = await killed;

    for (const job of jobs) {
      const attempts = readJobRecord(job)!.attempts;
      expect(
        attempts.filter((a) => a.status === 'finished'),
        job.name,
      ).toHaveLength(1);
      if (job.id === killedJob) {
        expect(attempts[0]).toMatchObject({ status: 'running', pid: victim.child.pid });
        expect(attempts.at(-1)!.pid).not.toBe(victim.child.pid);
      } else expect(attempts, job.name).toHaveLength(1);
    }

    // the same plan run here: the same summaries
    const local = readPlan(writePlan(dir, 'local'));
    const outcomes = await runBatchLocally(local, { workers: 2 });
    expect(outcomes.every((o) => o.status === 'finished')).toBe(true);
    const parameters = (d: string) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')).parameters;
    jobs.forEach((job, k) => expect(parameters(job.dir), job.name).toEqual(parameters(local[k].dir)));

    // on the queue again: nothing to do, no new attempt
    expect(await enqueue(jobs, url, { pollMs: 200 })).toEqual([]);
    for (const job of jobs) expect(readJobRecord(job)!.attempts.length).toBe(job.id === killedJob ? 2 : 1);
  });
});
