import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { chainKey, chainRng, Rng } from '../../src/rng/rng.js';
import { beta, chiSquare, gamma, inverseGaussian, normal, scaledInvChiSquare } from '../../src/rng/dist.js';
import jstatModule from 'jstat';

const jStat = jstatModule.jStat ?? jstatModule;
const pnorm = (x: number): number => jStat.normal.cdf(x, 0, 1);

describe('per-chain streams', () => {
  it('chain k of seed s is xor4096 keyed "mixmc:s:k", as documented', () => {
    expect(chainKey(7, 3)).toBe('mixmc:7:3');
    const ref = seedrandom.xor4096('mixmc:7:3');
    const r = chainRng(7, 3);
    for (let i = 0; i < 100; i++) expect(r.uniform()).toBe(ref.double());
  });

  it('state can be saved and restored mid-stream, bit for bit', () => {
    const r = chainRng(1, 0);
    for (let i = 0; i < 1000; i++) r.uniform();
    const saved = r.saveState();
    const ahead = Array.from({ length: 50 }, () => r.uniform());
    const back = Rng.fromState(saved);
    expect(Array.from({ length: 50 }, () => back.uniform())).toEqual(ahead);
  });

  it('streams of different chains are uncorrelated (|r| < 4/sqrt(n))', () => {
    const n = 20000;
    const a = chainRng(1, 0);
    const b = chainRng(1, 1);
    let sab = 0;
    for (let i = 0; i < n; i++) sab += (a.uniform() - 0.5) * (b.uniform() - 0.5);
    const r = sab / n / (1 / 12);
    expect(Math.abs(r)).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe('distributions (moments within 4 standard errors, n = 200000)', () => {
  const n = 200000;
  // SE of the mean = sqrt(σ²/n); SE of the sample variance = sqrt((μ4 − σ⁴)/n), μ4 estimated from the draws.
  const check = (draw: () => number, mean: number, variance: number) => {
    const x = Float64Array.from({ length: n }, draw);
    const m = x.reduce((a, v) => a + v, 0) / n;
    const v = x.reduce((a, t) => a + (t - m) ** 2, 0) / n;
    const m4 = x.reduce((a, t) => a + (t - m) ** 4, 0) / n;
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(variance / n));
    expect(Math.abs(v - variance)).toBeLessThan(4 * Math.sqrt((m4 - v * v) / n));
  };
  const rng = chainRng(123, 0);
  it('normal', () => check(() => normal(rng), 0, 1));
  it('gamma(shape 3.5) and gamma(shape 0.4)', () => {
    check(() => gamma(rng, 3.5), 3.5, 3.5);
    check(() => gamma(rng, 0.4), 0.4, 0.4);
  });
  it('chi-square(7)', () => check(() => chiSquare(rng, 7), 7, 14));
  it('beta(2, 5)', () => check(() => beta(rng, 2, 5), 2 / 7, (2 * 5) / (49 * 8)));
  it('scaled-inverse-chi-square(10, 2): mean ν s²/(ν − 2)', () => {
    const nu = 10;
    const s2 = 2;
    const mean = (nu * s2) / (nu - 2);
    const variance = (2 * nu * nu * s2 * s2) / ((nu - 2) ** 2 * (nu - 4));
    check(() => scaledInvChiSquare(rng, nu, s2), mean, variance);
  });
  it('inverse Gaussian(mu 2, λ 3): mean mu, variance mu³/λ', () => check(() => inverseGaussian(rng, 2, 3), 2, 8 / 3));
  it('inverse Gaussian far in the tail (mu 1e12, λ 500, as for β ≈ 0 in the Bayesian LASSO): positive, finite, Lévy-distributed below mu', () => {
    // for x ≪ mu the IG(mu, λ) density tends to the Lévy density of λ/χ²₁: P(x ≤ t) = 2(1 − Φ(sqrt(λ/t)))
    const draws = Float64Array.from({ length: n }, () => inverseGaussian(rng, 1e12, 500));
    expect(draws.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    for (const t of [100, 1000, 1e5]) {
      const p = 2 * (1 - pnorm(Math.sqrt(500 / t)));
      const hat = draws.filter((v) => v <= t).length / n;
      expect(Math.abs(hat - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
    expect(inverseGaussian(rng, Infinity, 500)).toBeGreaterThan(0);
  });
});
