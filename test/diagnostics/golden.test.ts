/**
 * Golden diagnostics against R (test/fixtures/diagnostics, copied from the shared fixtures).
 *
 * How the fixture was made (its expected.json `meta`): R 4.2.2 with posterior 1.4.0 and coda 0.19-4;
 * set.seed(20240101), then for each of 8 variables in order and each of 4 chains, 1000 draws with R's
 * default Mersenne-Twister/Inversion generator: AR(1) with φ = 0, 0.5, 0.9 and 0.99, a variable with
 * one chain shifted by 1 sd, Student-t(3), a skewed variable, and a near-constant one
 * (2.5 + 1e-6·N(0,1)). Each expected value stores the exact R call that produced it; x is the pooled
 * draws (chain 1 first), X the 1000 × 4 matrix, and the mcmc.list the 4 columns. No warm-up is dropped.
 *
 * Tolerances are the issue's: 1e-8 relative for mean, sd, quantiles and HPD; 1e-6 relative for R-hat,
 * ESS and MCSE. This test is never skipped.
 */
import { describe, expect, it } from 'vitest';
import * as k from '../../src/diagnostics/kernels.js';
import { goldenDraws, readJson } from '../helpers/fixtures.js';

interface Expected {
  variables: Record<string, { stats: Record<string, { value: number }> }>;
}

const expected = readJson<Expected>('diagnostics', 'expected.json');
const draws = goldenDraws();

function rel(actual: number, want: number): number {
  return Math.abs(actual - want) / Math.max(Math.abs(want), 1e-300);
}

describe('golden diagnostics (posterior 1.4.0, coda 0.19-4)', () => {
  for (const [name, v] of Object.entries(expected.variables)) {
    describe(name, () => {
      const chains = draws.get(name)!;
      const x = k.pooled(chains);
      const s = k.sorted(x);
      const want = (key: string): number => v.stats[key].value;
      const check = (key: string, got: number, tol: number): void => {
        expect(rel(got, want(key)), `${name} ${key}: got ${got}, want ${want(key)}`).toBeLessThan(tol);
      };
      it('mean, sd, median, mad, quantiles', () => {
        check('mean', k.mean(x), 1e-8);
        check('sd', k.sd(x), 1e-8);
        check('median', k.quantileSorted(s, 0.5), 1e-8);
        check('mad', k.mad(s), 1e-8);
        check('q2.5', k.quantileSorted(s, 0.025), 1e-8);
        check('q5', k.quantileSorted(s, 0.05), 1e-8);
        check('q95', k.quantileSorted(s, 0.95), 1e-8);
        check('q97.5', k.quantileSorted(s, 0.975), 1e-8);
      });
      it('HPD intervals (coda)', () => {
        const [lo, hi] = k.hpdSorted(s, 0.95);
        check('hpd95_lower', lo, 1e-8);
        check('hpd95_upper', hi, 1e-8);
        const [lo90, hi90] = k.hpdSorted(s, 0.9);
        check('extra_hpd90_lower', lo90, 1e-8);
        check('extra_hpd90_upper', hi90, 1e-8);
      });
      it('R-hat', () => {
        check('rhat', k.rhat(chains), 1e-6);
        check('extra_rhat_basic_split', k.rhatBasic(chains, true), 1e-6);
        check('extra_rhat_basic_nosplit', k.rhatBasic(chains, false), 1e-6);
        const g = k.gelmanRubin(chains);
        check('gelman_psrf', g.psrf, 1e-6);
        check('gelman_psrf_upper', g.upper, 1e-6);
        const half = chains.map((c) => c.subarray(c.length / 2));
        check('extra_gelman_psrf_coda_default', k.gelmanRubin(half).psrf, 1e-6);
      });
      it('ESS', () => {
        check('ess_bulk', k.essBulk(chains), 1e-6);
        check('ess_tail', k.essTail(chains, s), 1e-6);
        check('extra_ess_basic', k.essBasic(chains), 1e-6);
        check('extra_ess_q5', k.essQuantile(chains, 0.05, s), 1e-6);
        check('extra_ess_q95', k.essQuantile(chains, 0.95, s), 1e-6);
        check('effective_size', k.effectiveSizeCoda(chains), 1e-6);
      });
      it('MCSE', () => {
        check('mcse_mean', k.mcseMean(chains), 1e-6);
        check('mcse_sd', k.mcseSd(chains), 1e-6);
        check('mcse_q5', k.mcseQuantile(chains, 0.05, s), 1e-6);
        check('mcse_q95', k.mcseQuantile(chains, 0.95, s), 1e-6);
        check('extra_mcse_median', k.mcseQuantile(chains, 0.5, s), 1e-6);
      });
    });
  }
});
