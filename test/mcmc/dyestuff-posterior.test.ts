/**
 * The exact posterior of lme4's Dyestuff one-way model (test/fixtures/posterior-dyestuff.json, made
 * in R by numerical integration on a fine log-variance grid with a flat prior on b and
 * Scaled-Inv-χ²(4, var(y)/2) priors on both variances; see its README in the shared fixtures).
 * Tolerances: 4·MCSE of the estimate (posterior's mcse_mean for means, mcse_quantile for the
 * 2.5% and 97.5% quantiles), computed from this run's draws.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { mcseMean, mcseQuantile, mean, pooled, quantileSorted, sorted } from '../../src/diagnostics/kernels.js';
import { fixturePath, readJson } from '../helpers/fixtures.js';

interface Ref {
  priors: Record<string, { nu: number; s2: number }>;
  posterior: {
    variance_components: Record<string, { mean: number; 'q2.5': number; 'q97.5': number }>;
    fixed: Record<string, { mean: number }>;
  };
}
const ref = readJson<Ref>('posterior-dyestuff.json');

describe('Dyestuff: Gibbs posterior = exact grid posterior', async () => {
  const prior = (k: string) => ({ df: ref.priors[k].nu, scale: ref.priors[k].s2 });
  const res = await fit({
    data: fixturePath('dyestuff.csv'),
    id: 'id',
    formula: 'Yield ~ 1 + (1|Batch)',
    priors: { Batch: prior('var[Batch]'), residual: prior('var[residual]') },
    mcmc: { chains: 4, iterations: 26000, burnin: 1000, thin: 1, seed: 11 },
  });
  const chainsOf = (name: string): Float64Array[] => res.chains.map((c) => c.draws[res.params.indexOf(name)]);

  for (const name of ['var[Batch]', 'var[residual]', 'b[(Intercept)]']) {
    it(`${name}: posterior mean within 4·MCSE`, () => {
      const x = chainsOf(name);
      const want = name.startsWith('var') ? ref.posterior.variance_components[name].mean : ref.posterior.fixed[name].mean;
      const got = mean(pooled(x));
      const se = mcseMean(x);
      expect(Math.abs(got - want), `${got} vs ${want}, MCSE ${se}`).toBeLessThan(4 * se);
    });
  }
  for (const name of ['var[Batch]', 'var[residual]']) {
    it(`${name}: 2.5% and 97.5% quantiles within 4·MCSE`, () => {
      const x = chainsOf(name);
      const s = sorted(pooled(x));
      for (const [p, key] of [
        [0.025, 'q2.5'],
        [0.975, 'q97.5'],
      ] as const) {
        const want = ref.posterior.variance_components[name][key];
        const got = quantileSorted(s, p);
        const se = mcseQuantile(x, p, s);
        expect(Math.abs(got - want), `${name} ${key}: ${got} vs ${want}, MCSE ${se}`).toBeLessThan(4 * se);
      }
    });
  }
});
