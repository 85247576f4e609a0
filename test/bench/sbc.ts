/**
 * `npm run sbc`: simulation-based calibration (src/api/sbc.ts) of the core linear mixed model and of
 * every marker prior, each at its own (default, data-derived) priors on a simulated design: 300
 * simulations, each true value ranked among 99 posterior draws, 10 groups of ranks, χ² test per
 * parameter. A 5% error in a variance's full conditional moves its ranks by about half a posterior
 * sd here, which 300 simulations detect at p < 1e-6 (test/batch/sbc.test.ts shows it on a smaller
 * run). Prints a table per model; a few minutes on two cores. `npm run sbc -- NAME …` picks models.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sbc } from '../../src/api/sbc.js';
import type { MarkerPriorName, RunSpec } from '../../src/types.js';
import { table, writeSimulatedBed } from './util.js';

const SIMS = Number(process.env.SBC_SIMS ?? 300);
const mcmc = { chains: 2, iterations: 2500, burnin: 500, thin: 1, seed: 11 };

function lmm(): RunSpec {
  const data = Array.from({ length: 240 }, (_, i) => ({ g: `g${i % 24}`, x: Math.cos(i), y: Math.sin(i) }));
  return { data, formula: 'y ~ 1 + x + (1|g)', mcmc };
}

function markerSpec(dir: string, prior: MarkerPriorName): RunSpec {
  const { bed, rows } = writeSimulatedBed(dir, 200, 40, 4, 5);
  return { data: rows, id: 'id', formula: 'y ~ 1', markers: { file: bed, prior, saveEffects: 0 }, mcmc };
}

const PRIORS: MarkerPriorName[] = ['BRR', 'BayesA', 'BayesB', 'BayesC', 'BayesCpi', 'BL', 'BayesR'];

const dir = mkdtempSync(join(tmpdir(), 'mixmc-sbc-'));
const models: Record<string, () => RunSpec> = { LMM: lmm, ...Object.fromEntries(PRIORS.map((p) => [p, () => markerSpec(dir, p)])) };
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failed = 0;
for (const name of chosen.length > 0 ? chosen : Object.keys(models)) {
  const make = models[name];
  if (!make) {
    console.error(`unknown model '${name}'; choose from ${Object.keys(models).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  const t0 = performance.now();
  const r = await sbc(make(), { sims: SIMS, draws: 99, bins: 10, workers: 0 });
  const seconds = (performance.now() - t0) / 1000;
  // random-effect levels are many: their smallest p against 0.01 over their number (Bonferroni)
  const levels = r.parameters.filter((p) => p.variable.startsWith('u['));
  const others = r.parameters.filter((p) => !p.variable.startsWith('u['));
  const rows = others.map((p) => ({ parameter: p.variable, chi2: p.chi2.toFixed(1), p: p.p.toPrecision(3), pass: p.p > 0.01 ? 'yes' : 'NO' }));
  if (levels.length > 0) {
    const min = Math.min(...levels.map((p) => p.p));
    rows.push({ parameter: `u[...] (${levels.length} levels, smallest p)`, chi2: '', p: min.toPrecision(3), pass: min > 0.01 / levels.length ? 'yes' : 'NO' });
  }
  failed += rows.filter((x) => x.pass === 'NO').length;
  table(
    `sbc: ${name}, ${SIMS} simulations × ${mcmc.chains} chains of ${mcmc.iterations} (burn-in ${mcmc.burnin}), ranks among 99 draws, ${seconds.toFixed(0)} s`,
    rows,
  );
}
if (failed > 0) {
  console.log(`\n${failed} parameter(s) not calibrated (p <= 0.01)`);
  process.exitCode = 1;
}
