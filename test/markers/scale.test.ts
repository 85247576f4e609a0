/**
 * The collapsed hyper-parameter draws. BayesA and BayesB (SpecificVariances): with the effects b fixed, the
 * slice-sampled S must follow p(S | b) ∝ S^(shape − 1 + pν/2) e^(−rate·S) Π_j (S + b_j²)^(−(ν+1)/2),
 * and the Bayesian LASSO's λ must follow p(λ | β, σ²e) ∝ λ^(2·shape − 1 + p)·exp(−rate·λ² − λ·Σ|β_j|/σe),
 * whose means and medians the test computes by quadrature. Tolerances: 4 MCSE, the MCSE from the
 * chain's own ESS (posterior's ess_mean; for the median, the binomial SD of the indicator at the ESS).
 */
import { describe, expect, it } from 'vitest';
import { CommonVariance, SpecificVariances } from '../../src/blocks/markers/variances.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal, chiSquare } from '../../src/rng/dist.js';
import { essBasic } from '../../src/diagnostics/kernels.js';
import { lambdaGivenEffects } from '../../src/blocks/markers/lasso.js';

/**
 * Expect the draws of a chain to have the mean and median of the density exp(logDensity(x)) on
 * [lo, hi] (midpoint rule, `grid` cells; the end cells must hold < 1e-12 of the mass), within 4 MCSE.
 * `value` maps the grid variable to the drawn quantity (monotone increasing: exp for a log-scale grid).
 */
function expectDrawsFollow(
  draws: Float64Array,
  lo: number,
  hi: number,
  logDensity: (x: number) => number,
  value: (x: number) => number = (x) => x,
  grid = 4000,
): void {
  const dx = (hi - lo) / grid;
  const logd = Float64Array.from({ length: grid }, (_, i) => logDensity(lo + (i + 0.5) * dx));
  const mx = Math.max(...logd);
  const w = logd.map((v) => Math.exp(v - mx));
  const total = w.reduce((a, v) => a + v, 0);
  expect(w[0] / total).toBeLessThan(1e-12);
  expect(w[grid - 1] / total).toBeLessThan(1e-12);
  let mean = 0;
  for (let i = 0; i < grid; i++) mean += (w[i] / total) * value(lo + (i + 0.5) * dx);
  let cum = 0;
  let median = NaN;
  for (let i = 0; i < grid && Number.isNaN(median); i++) {
    cum += w[i] / total;
    if (cum >= 0.5) median = value(lo + (i + 1 - (cum - 0.5) / (w[i] / total)) * dx);
  }
  const n = draws.length;
  const ess = essBasic([draws]);
  const m = draws.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(draws.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  expect(Math.abs(m - mean)).toBeLessThan((4 * sd) / Math.sqrt(ess));
  expect(Math.abs(draws.filter((v) => v <= median).length / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / ess));
}

describe('BayesA/BayesB scale S given the effects', () => {
  for (const mixture of [false, true]) {
    it(`the slice-sampled S follows p(S | b${mixture ? '_in' : ''}) (mean and median by quadrature, within 4 MCSE)${mixture ? ': BayesB, the markers out ignored' : ''}`, () => {
      const rng = chainRng(41, 0);
      const p = 300;
      const df = 5;
      const shape = 1.1;
      const S0 = 0.02;
      const rate = (shape - 1) / S0;
      // effects from the model itself at S = 0.01: b_j = sqrt(S/χ²_ν)·z; in BayesB a third are out,
      // and their b_j (here deliberately large) must not matter
      const delta = Float64Array.from({ length: p }, (_, j) => (mixture && j % 3 === 0 ? 0 : 1));
      const b = Float64Array.from({ length: p }, (_, j) => (delta[j] ? Math.sqrt(0.01 / chiSquare(rng, df)) * normal(rng) : 10));
      const m = delta.reduce((a, v) => a + v, 0);
      const sv = new SpecificVariances({ df, scale: S0 / df, shape, rate });
      const S = Float64Array.of(S0);
      const varJ = new Float64Array(p);
      const n = 20000;
      const draws = new Float64Array(n);
      let outMean = 0;
      for (let t = 0; t < n; t++) {
        sv.update(b, varJ, S, rng, mixture ? delta : undefined);
        draws[t] = S[0];
        // σ²_j of a marker out is a prior draw S/χ²_ν: E[σ²_j/S] = 1/(ν − 2)
        if (mixture) outMean += varJ[0] / S[0] / n;
      }
      // the exact density of u = log S (Jacobian included) on a grid wide enough to hold all its mass
      const logDensity = (u: number): number => {
        let s = 0;
        b.forEach((v, j) => {
          if (delta[j]) s += Math.log(Math.exp(u) + v * v);
        });
        return (shape + (m * df) / 2) * u - rate * Math.exp(u) - ((df + 1) / 2) * s;
      };
      expectDrawsFollow(draws, Math.log(1e-4), Math.log(1), logDensity, Math.exp);
      expect(varJ.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
      // 1/χ²_5 has mean 1/3 and variance 2/(9·1) = 2/9
      if (mixture) expect(Math.abs(outMean - 1 / 3)).toBeLessThan(4 * Math.sqrt(2 / 9 / n));
    });
  }
});

describe('Bayesian LASSO λ given the effects', () => {
  it('the slice-sampled λ follows p(λ | β, σ²e) ∝ λ^(2·shape − 1 + p)·exp(−rate·λ² − λ·Σ|β|/σe) (quadrature, 4 MCSE)', () => {
    const rng = chainRng(43, 0);
    const p = 500;
    const shape = 1.1;
    const rate = 0.1 / 400;
    const a = 25; // Σ|β_j|/σe
    const n = 20000;
    const draws = new Float64Array(n);
    let lambda = 5;
    for (let t = 0; t < n; t++) draws[t] = lambda = lambdaGivenEffects(rng, lambda, a, p, shape, rate);
    expectDrawsFollow(draws, 0.1, 200, (l) => (2 * shape - 1 + p) * Math.log(l) - rate * l * l - a * l);
  });
});

describe('BayesC common variance given the effects in the model', () => {
  it('σ²β ~ (ν s² + Σ_in β_j²)/χ²(ν + m): the markers out (β_j = 0) add no degrees of freedom', () => {
    const rng = chainRng(44, 0);
    const df = 5;
    const scale = 0.002;
    const cv = new CommonVariance({ df, scale }, 'var[markers]');
    // 40 markers in, 160 out
    const beta = Float64Array.from({ length: 200 }, (_, j) => (j < 40 ? 0.05 * normal(rng) : 0));
    const m = 40;
    const ss = beta.reduce((a, v) => a + v * v, 0);
    const nu = df + m;
    const mean = (df * scale + ss) / (nu - 2);
    const variance = (2 * mean * mean) / (nu - 4);
    const n = 100000;
    let sum = 0;
    for (let t = 0; t < n; t++) sum += cv.draw(beta, 0, rng, m);
    expect(Math.abs(sum / n - mean)).toBeLessThan(4 * Math.sqrt(variance / n));
  });
});
