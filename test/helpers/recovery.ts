/**
 * Recovery of a simulated truth (issue: n = 500, p = 2,000, 10 QTL, h² = 0.5), over 3 fixed seeds.
 * The QTL have random signs and each explain 1/10 of the genetic variance (allele frequencies
 * U(0.1, 0.9), HWE; see simulateMarkers). Checks:
 * - BayesC and BayesB (π estimated) give every QTL with |effect| > 2·sd(all effects) a PIP > 0.9,
 *   and the mean PIP of the null markers is < 0.05 (stated rules of the issue);
 * - the 95% interval of h² contains the realised h² of the sample, var(g)/(var(g) + var(e)), g the
 *   true genetic values and e the true residuals, for BRR, BayesB, BayesC and BayesCπ.
 *
 * BayesA, the Bayesian LASSO and BayesR are fitted on the same data but their h² is not asserted: with
 * BGLR's default hyper-parameters and p = 4n they overfit (BayesA: posterior σ²e ≈ 4.3 against a
 * true 9.1, h² interval ≈ [0.65, 0.82] against 0.48–0.50 on all three seeds; BL on seed 303; BayesR
 * just above the truth on seeds 101 and 303). This was traced to the priors, not the samplers: the
 * chains are stationary (12,000-iteration traces) and the same sweeps pass the exact oracles. It is
 * reported on the issue rather than hidden by tuning priors to the simulation.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit.js';
import { simulateMarkers, type Simulated } from './markers.js';
import { tempDir } from './cli.js';

const SEEDS = [101, 202, 303];

const dir = tempDir();
const sims = new Map<number, Simulated>(SEEDS.map((s) => [s, simulateMarkers(dir, 500, 2000, 10, 0.5, s)]));

/** var(g)/(var(g) + var(e)) of the sample: g the true genetic values, e = y − μ − g the true residuals. */
function realisedH2(sim: Simulated): number {
  const variance = (a: number[]): number => {
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    return a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1);
  };
  const vg = variance(sim.g);
  const ve = variance(sim.rows.map((r, i) => (r.y as number) - sim.g[i]));
  return vg / (vg + ve);
}

function specFor(sim: Simulated, prior: string, seed: number) {
  const mixture = prior === 'BayesB' || prior === 'BayesC';
  return {
    data: sim.rows,
    id: 'id',
    formula: 'y ~ 1',
    markers: { file: sim.genoFile, prior, saveEffects: 0, ...(mixture ? { pi: 0.99, estimatePi: true } : {}) },
    mcmc: { chains: 2, iterations: 3000, burnin: 500, thin: 2, seed },
  };
}

/** The recovery checks for some priors (split over test files so that they run on both cores). */
export function recoverySuite(priors: readonly string[]): void {
describe('simulated recovery (n = 500, p = 2,000, 10 QTL, h² = 0.5)', () => {
  for (const seed of SEEDS) {
    for (const prior of priors) {
      it(`${prior}, seed ${seed}: the 95% interval of h² holds the realised h²${prior === 'BayesB' || prior === 'BayesC' ? '; QTL found, nulls not' : ''}`, async () => {
        const sim = sims.get(seed)!;
        const res = await fit(specFor(sim, prior, seed));
        const row = res.summary.find((r) => r.variable === 'h2')!;
        const truth = realisedH2(sim);
        expect(truth, `h2 interval [${row.lower}, ${row.upper}]`).toBeGreaterThanOrEqual(row.lower);
        expect(truth, `h2 interval [${row.lower}, ${row.upper}]`).toBeLessThanOrEqual(row.upper);
        if (prior === 'BayesB' || prior === 'BayesC') {
          const pip = res.effects.find((e) => e.name === 'pip')!;
          const sdAll = Math.sqrt(sim.beta.reduce((a, b) => a + b * b, 0) / sim.beta.length - (sim.beta.reduce((a, b) => a + b, 0) / sim.beta.length) ** 2);
          const big = sim.beta.map((b, j) => ({ b, j })).filter((x) => Math.abs(x.b) > 2 * sdAll);
          expect(big.length).toBeGreaterThan(0);
          for (const q of big) expect(pip.mean[q.j], `QTL m${q.j} (effect ${q.b.toFixed(3)})`).toBeGreaterThan(0.9);
          const nulls = sim.beta.map((b, j) => (b === 0 ? pip.mean[j] : NaN)).filter((v) => !Number.isNaN(v));
          const meanNull = nulls.reduce((a, v) => a + v, 0) / nulls.length;
          expect(meanNull).toBeLessThan(0.05);
        }
      });
    }
  }
});
}
