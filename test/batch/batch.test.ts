/**
 * Batches on this machine: a plan's jobs and grids expand into named jobs (a hash of what each is),
 * run through one pool with the same results as the same fits run alone; a rerun of the plan does
 * nothing; `batch status` shows each job; a job whose input is wrong fails alone, with its error in
 * its record, and the CLI says so with exit code 2; a bad plan is one line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { batchStatus, readJobRecord, runBatchLocally } from '../../src/batch/jobs.js';
import { readPlan } from '../../src/batch/plan.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

function writePlan(dir: string, plan: unknown): string {
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

const base = { data: fixturePath('dyestuff.csv'), formula: 'Yield ~ 1 + (1|Batch)', mcmc: { chains: 2, iterations: 400, burnin: 100, seed: 1 } };

describe('batch', () => {
  it('expands a grid, runs it through one pool like separate fits, reruns nothing, and reports status', async () => {
    const dir = tempDir('mixmc-batch-');
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(base));
    const file = writePlan(dir, {
      out: 'out',
      jobs: [{ kind: 'cv', spec: 'spec.json', folds: 3, name: 'cv dyestuff' }],
      grid: [{ kind: 'fit', spec: 'spec.json', vary: { 'mcmc.seed': [1, 2], 'mcmc.thin': [1, 2] } }],
    });
    const jobs = readPlan(file);
    expect(jobs.map((j) => j.name)).toEqual([
      'cv dyestuff',
      'fit mcmc.seed=1 mcmc.thin=1',
      'fit mcmc.seed=1 mcmc.thin=2',
      'fit mcmc.seed=2 mcmc.thin=1',
      'fit mcmc.seed=2 mcmc.thin=2',
    ]);
    expect(new Set(jobs.map((j) => j.dir)).size).toBe(5);
    expect(readPlan(file).map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(batchStatus(jobs).map((s) => s.state)).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);

    const outcomes = await runBatchLocally(jobs, { workers: 2 });
    expect(outcomes.map((o) => o.status).sort()).toEqual(['finished', 'finished', 'finished', 'finished', 'finished']);
    // a grid point equals the same fit run alone
    const alone = await fit({ ...base, mcmc: { ...base.mcmc, seed: 2, thin: 2 } }, { workers: 0 });
    const summary = JSON.parse(readFileSync(join(jobs[4].dir, 'summary.json'), 'utf8'));
    expect(summary.parameters.map((r: { mean: number }) => r.mean)).toEqual(alone.summary.parameters.map((r) => Number(r.mean.toPrecision(17))));
    expect(readFileSync(join(jobs[0].dir, 'cv.csv'), 'utf8')).toMatch(/^repeat,fold,records/);
    for (const j of jobs) expect(readJobRecord(j)!.attempts.map((a) => a.status)).toEqual(['finished']);

    // the rerun does nothing
    const again = await runBatchLocally(jobs, { workers: 2 });
    expect(again.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    const cli = await runCli(['batch', 'status', file]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/5 done, 0 running, 0 stopped, 0 failed, 0 pending/);
  });

  it('a job with a wrong input fails alone, its error in its record; the CLI exits 2', async () => {
    const dir = tempDir('mixmc-batch-');
    const file = writePlan(dir, {
      out: 'out',
      jobs: [
        { kind: 'fit', spec: base, name: 'good' },
        { kind: 'fit', spec: { ...base, formula: 'Yield ~ 1 + (1|Nope)' }, name: 'bad' },
      ],
    });
    const cli = await runCli(['batch', file, '--workers', '0', '--quiet']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^error: job 'bad' failed: .*Nope/);
    expect(cli.stdout).toMatch(/1 of 2 jobs done/);
    const states = batchStatus(readPlan(file));
    expect(states.map((s) => s.state)).toEqual(['done', 'failed']);
  });

  it('a bad plan is one line naming the key', async () => {
    const dir = tempDir('mixmc-batch-');
    for (const [plan, message] of [
      [{ jobs: [] }, /a plan needs "out"/],
      [{ out: 'o', jobs: [{ kind: 'fitt', spec: base }] }, /jobs\[0\]\.kind must be one of fit, cv, sbc/],
      [{ out: 'o', jobs: [{ kind: 'cv', spec: base }] }, /a cv job needs "folds" or "foldColumn"/],
      [{ out: 'o', grid: [{ kind: 'fit', spec: base, vary: { 'mcmc.seed': [] } }] }, /vary\.mcmc\.seed must be a non-empty list/],
      [
        {
          out: 'o',
          jobs: [
            { kind: 'fit', spec: base },
            { kind: 'fit', spec: base },
          ],
        },
        /are the same job/,
      ],
    ] as const) {
      const r = await runCli(['batch', writePlan(dir, plan), '--quiet']);
      expect(r.code, JSON.stringify(plan)).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
