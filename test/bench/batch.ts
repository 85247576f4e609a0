/**
 * The batch benchmark (issue 16: a 40-job CV batch on the local pool in ≤ 1.1 × (sum of the job
 * times)/cores): 40 cross-validations of wheat y1 (BRR, 2 folds, one chain of 1,000 iterations,
 * seeds 1…40) — first each job alone, one after another, then the batch with the jobs sharing a
 * pool of one thread per core.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runBatchLocally, runJob } from '../../src/batch/jobs.js';
import { readPlan } from '../../src/batch/plan.js';
import { table } from './util.js';

const WHEAT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'data', 'wheat');

export async function batchBench(): Promise<void> {
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'mixmc-bench-batch-'));
  const spec = {
    data: join(WHEAT, 'pheno.csv'),
    id: 'id',
    formula: 'y1 ~ 1',
    markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 0 },
    mcmc: { chains: 1, iterations: 1000, burnin: 200, seed: 1 },
  };
  const plan = (out: string) => {
    const file = join(dir, `${out}.json`);
    writeFileSync(file, JSON.stringify({ out, grid: [{ kind: 'cv', spec, folds: 2, vary: { 'mcmc.seed': Array.from({ length: 40 }, (_, k) => k + 1) } }] }));
    return readPlan(file);
  };
  const alone = plan('alone');
  let sum = 0;
  for (const job of alone) {
    const t0 = performance.now();
    await runJob(job, { workers: 0 });
    sum += (performance.now() - t0) / 1000;
  }
  const t1 = performance.now();
  await runBatchLocally(plan('batch'), { workers: cores });
  const batch = (performance.now() - t1) / 1000;
  table(`batch: 40 CV jobs (wheat y1 BRR, 2 folds, 1 chain × 1,000), ${cores} cores (issue 16 target: batch ≤ 1.1 × sum/cores)`, [
    {
      'sum of job times (s)': sum.toFixed(1),
      'sum/cores (s)': (sum / cores).toFixed(1),
      'batch (s)': batch.toFixed(1),
      ratio: (batch / (sum / cores)).toFixed(2),
    },
  ]);
}
