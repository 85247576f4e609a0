/**
 * BGLR's wheat data (examples/data/wheat: 599 lines × 1279 DArT markers, y1): posterior mean of
 * var[residual] in [0.45, 0.65] for BRR and BayesC, and cor(fitted, observed) > 0.8 for BRR
 * (the stated ranges for the scale of y1).
 */
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import type { MarkerPriorName, RunSpec } from '../../src/types.js';

const WHEAT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'data', 'wheat');

function spec(prior: MarkerPriorName): RunSpec {
  return {
    data: join(WHEAT, 'pheno.csv'),
    id: 'id',
    formula: 'y1 ~ 1',
    markers: { file: join(WHEAT, 'markers.csv'), prior, saveEffects: 0 },
    mcmc: { chains: 2, iterations: 3000, burnin: 1000, thin: 2, seed: 2024 },
  };
}

describe('wheat (y1)', () => {
  for (const prior of ['BRR', 'BayesC'] as const) {
    it(`${prior}: posterior mean of var[residual] in [0.45, 0.65]`, async () => {
      const res = await fit(spec(prior));
      const v = res.summary.parameters.find((r) => r.variable === 'var[residual]')!;
      expect(v.mean).toBeGreaterThanOrEqual(0.45);
      expect(v.mean).toBeLessThanOrEqual(0.65);
      if (prior === 'BRR') {
        const fitted = res.effects.fitted;
        const y = fitted.observed;
        const n = y.length;
        const my = y.reduce((a, b) => a + b, 0) / n;
        const mf = fitted.mean.reduce((a, b) => a + b, 0) / n;
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (let i = 0; i < n; i++) {
          sxy += (fitted.mean[i] - mf) * (y[i] - my);
          sxx += (fitted.mean[i] - mf) ** 2;
          syy += (y[i] - my) ** 2;
        }
        expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.8);
      }
    });
  }
});
