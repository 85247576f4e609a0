import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { chainKey, chainRng, Rng } from '../../src/rng/rng.js';
import { beta, chiSquare, chiSquares, gamma, inverseGaussian, normal, scaledInvChiSquare, sumLogShifted } from '../../src/rng/dist.js';
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

describe('bulk draws', () => {
  it('uniforms(out) gives what as many uniform() calls give', () => {
    const a = chainRng(3, 2);
    const b = chainRng(3, 2);
    const bulk = new Float64Array(1000);
    a.uniforms(bulk);
    expect(Array.from(bulk)).toEqual(Array.from({ length: 1000 }, () => b.uniform()));
  });

  it('normals (ziggurat): moments within 4 SE, and the Kolmogorov–Smirnov distance below its 0.1% critical value', () => {
    const n = 400000;
    const z = new Float64Array(n);
    chainRng(17, 0).normals(z);
    const m = z.reduce((s, v) => s + v, 0) / n;
    const v = z.reduce((s, x) => s + (x - m) ** 2, 0) / n;
    const k = z.reduce((s, x) => s + (x - m) ** 4, 0) / n / (v * v);
    expect(Math.abs(m)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(k - 3)).toBeLessThan(4 * Math.sqrt(24 / n));
    const sorted = Float64Array.from(z).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = pnorm(sorted[i]);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    // the tail beyond the ziggurat's base (R = 3.44) is sampled too
    const tail = z.filter((x) => Math.abs(x) > 3.5).length / n;
    const p = 2 * (1 - pnorm(3.5));
    expect(Math.abs(tail - p)).toBeLessThan(4 * Math.sqrt(p / n));
  });

  it('chiSquares: the mean and variance of χ²(ν) for ν of 3, 6 and 10 (4 SE), drawn together in turn', () => {
    const n = 300000;
    const out = new Float64Array(n);
    // three degrees of freedom in turn: each draw changes the shape, past the two remembered ones
    const extra = Float64Array.from({ length: n }, (_, j) => [0, 3, 7][j % 3]);
    chiSquares(chainRng(21, 0), 3, extra, out, new Float64Array(n), new Float64Array(n));
    for (const [df, k] of [
      [3, 0],
      [6, 1],
      [10, 2],
    ]) {
      const x = out.filter((_, j) => j % 3 === k);
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      const v = x.reduce((s, t) => s + (t - m) ** 2, 0) / x.length;
      expect(Math.abs(m - df)).toBeLessThan(4 * Math.sqrt((2 * df) / x.length));
      expect(Math.abs(v - 2 * df)).toBeLessThan(4 * Math.sqrt((8 * df * df * (1 + 6 / df)) / x.length));
    }
  });

  it('sumLogShifted: Σ log(a + b²) through blocked products equals the direct sum to 1e-12, also over the first m and at extreme scales', () => {
    const r = chainRng(5, 0);
    const b = Float64Array.from({ length: 5000 }, () => normal(r) * 10 ** (4 * r.uniform() - 2));
    const inModel = Float64Array.from({ length: 5000 }, (_, j) => (j % 3 === 0 ? 0 : 1));
    for (const a of [1e-12, 1e-4, 1, 1e6]) {
      let all = 0;
      let some = 0;
      for (let j = 0; j < b.length; j++) {
        all += Math.log(a + b[j] * b[j]);
        if (inModel[j] === 1) some += Math.log(a + b[j] * b[j]);
      }
      expect(Math.abs(sumLogShifted(a, b) - all)).toBeLessThan(1e-12 * Math.abs(all));
      const packed = b.filter((_, j) => inModel[j] === 1);
      expect(Math.abs(sumLogShifted(a, Float64Array.of(...packed, 1e300, 7), packed.length) - some)).toBeLessThan(1e-12 * Math.abs(some));
    }
  });
});
