/**
 * Derived quantities are summarised draw by draw. On Dyestuff the posterior of the variances is
 * skewed, so the intra-class correlation var[Batch]/(var[Batch] + var[residual]) summarised per draw
 * differs from the ratio of the posterior means — and only the per-draw value agrees with the exact
 * grid posterior of the ICC (test/fixtures/posterior-dyestuff.json), within 4·MCSE.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { fixturePath, readJson } from '../helpers/fixtures.js';

interface Ref {
  priors: Record<string, { nu: number; s2: number }>;
  posterior: { icc: { mean: number } };
}
const ref = readJson<Ref>('posterior-dyestuff.json');

describe('derived h² / variance proportion per draw', () => {
  it('prop[Batch] per draw matches the exact ICC; the plug-in ratio of means does not', async () => {
    const prior = (key: string) => ({ df: ref.priors[key].nu, scale: ref.priors[key].s2 });
    const res = await fit({
      data: fixturePath('dyestuff.csv'),
      formula: 'Yield ~ 1 + (1|Batch)',
      priors: { Batch: prior('var[Batch]'), residual: prior('var[residual]') },
      mcmc: { chains: 4, iterations: 26000, burnin: 1000, thin: 1, seed: 3 },
    });
    const row = (v: string) => res.summary.parameters.find((r) => r.variable === v)!;
    const prop = row('prop[Batch]');
    const plugIn = row('var[Batch]').mean / (row('var[Batch]').mean + row('var[residual]').mean);
    const se = prop.mcseMean;
    expect(Math.abs(prop.mean - ref.posterior.icc.mean), `per draw ${prop.mean} vs exact ${ref.posterior.icc.mean} (MCSE ${se})`).toBeLessThan(4 * se);
    // the plug-in value is far outside the Monte Carlo error of the per-draw one
    expect(Math.abs(plugIn - ref.posterior.icc.mean)).toBeGreaterThan(10 * se);
    expect(Math.abs(plugIn - prop.mean)).toBeGreaterThan(10 * se);
  });
});
