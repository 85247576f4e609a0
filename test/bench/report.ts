/**
 * The report's benchmark (issue 15: a report of 4 chains × 2,000 draws on wheat with 1,279 markers
 * in ≤ 5 s and ≤ 10 MB), and the cost of the posterior predictive check's replicates per kept draw
 * beside the sweep's.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fit } from '../../src/api/fit.js';
import { report } from '../../src/api/report.js';
import { windows } from '../../src/api/windows.js';
import { prepare } from '../../src/blocks/plan.js';
import { replicatePlan, replicateStream, replicateTracker } from '../../src/blocks/replicates.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { runChain } from '../../src/mcmc/runChain.js';
import { MemorySink } from '../../src/output/memorySink.js';
import { chainRng } from '../../src/rng/rng.js';
import type { RunSpec } from '../../src/types.js';
import { table } from './util.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WHEAT = join(HERE, '..', '..', '..', 'examples', 'data', 'wheat');

const spec = (iterations: number): RunSpec => ({
  data: join(WHEAT, 'pheno.csv'),
  id: 'id',
  formula: 'y1 ~ 1',
  markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 1 },
  mcmc: { chains: 4, iterations, burnin: 500, thin: 1, seed: 7 },
});

export async function reportBench(): Promise<void> {
  const dir = join(mkdtempSync(join(tmpdir(), 'mixmc-bench-report-')), 'run');
  await fit(spec(2500), { outDir: dir, workers: 2 });
  windows(dir, { markers: 10, write: true });
  const t0 = performance.now();
  const r = await report(dir);
  const seconds = (performance.now() - t0) / 1000;
  table('report: wheat y1 BRR, 4 chains × 2,000 kept draws, 1,279 markers, windows of 10 markers (issue 15 target ≤ 5 s, ≤ 10 MB)', [
    { seconds: seconds.toFixed(2), MB: (statSync(r.file).size / 1e6).toFixed(2), figures: r.figures },
  ]);

  // the replicates' cost per kept draw against a sweep's, on the same wheat BRR chain
  const model = prepare({ ...spec(2500), markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 0 } });
  const sampler = buildSampler(model.design, model.settings);
  const iterations = 2000;
  runChain(sampler, chainRng(1, 0), { iterations: 200, burnin: 200, thin: 1 }, new MemorySink());
  const t1 = performance.now();
  runChain(sampler, chainRng(1, 0), { iterations, burnin: iterations, thin: 1 }, new MemorySink(), { startIteration: 0 });
  const sweepMs = (performance.now() - t1) / iterations;
  const tracker = replicateTracker(model.design, replicatePlan(model.design)!);
  const out = new Float64Array(tracker.labels.length);
  const state = { ...sampler.state, replicates: replicateStream() };
  for (let k = 0; k < 1000; k++) tracker.read(state, out);
  const t2 = performance.now();
  for (let k = 0; k < 10 * iterations; k++) tracker.read(state, out);
  const replicateMs = (performance.now() - t2) / (10 * iterations);
  table('report: the posterior predictive replicates per kept draw beside a sweep (wheat y1 BRR, one chain, warm)', [
    {
      'sweep ms': sweepMs.toFixed(4),
      'replicates ms': replicateMs.toFixed(4),
      'share at thin 1': `${((100 * replicateMs) / (sweepMs + replicateMs)).toFixed(1)}%`,
    },
  ]);
}
