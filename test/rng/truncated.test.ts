/**
 * Φ and its tails against R's pnorm values, and the truncated normal sampler: exact in every branch,
 * far in the tails (±8 and ±40 sd) and on narrow intervals — the sample mean and variance within
 * 4 standard errors of the truncated distribution's, computed from Φ and φ.
 */
import { describe, expect, it } from 'vitest';
import { chainRng } from '../../src/rng/rng.js';
import {
  logNormalCdf,
  logNormalInterval,
  normalCdf,
  normalInterval,
  normalUpper,
  standardTruncatedNormal,
  truncatedFromNormal,
  truncatedNormal,
} from '../../src/rng/truncated.js';
import { normal } from '../../src/rng/dist.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
/** R: a <- pnorm(40, lower.tail = FALSE, log.p = TRUE); b <- pnorm(40.1, …); a + log1p(−exp(b − a)). */
const LOG_Q40_Q401 = -804.62678817875212;

describe('Φ', () => {
  it("matches R's pnorm to 1e-13 relative, on both sides of the method switch and in the tails", () => {
    // R 4.2 (Debian's r-base-core): print(pnorm(x), digits = 17)
    const values: [number, number][] = [
      [0, 0.5],
      [1, 0.84134474606854293],
      [-1, 0.15865525393145705],
      [2.5, 0.99379033467422384],
      [-1.999999, 2.2750185939199707e-2],
      [-2.000001, 2.2750077957266673e-2],
      [-2.999999, 1.349902463485155e-3],
      [-3, 1.3498980316300946e-3],
      [-3.000001, 1.3498935997883299e-3],
      [-5, 2.8665157187919391e-7],
      [-8, 6.2209605742717849e-16],
      [-20, 2.7536241186062337e-89],
    ];
    for (const [x, p] of values) expect(rel(normalCdf(x), p), `Φ(${x})`).toBeLessThan(1e-13);
    expect(rel(logNormalCdf(-40), -804.6084420137538)).toBeLessThan(1e-13);
    expect(rel(logNormalCdf(-8), Math.log(6.22096057427178e-16))).toBeLessThan(1e-13);
    expect(rel(normalUpper(6), 9.8658764503769809e-10)).toBeLessThan(1e-13);
    expect(rel(normalInterval(-1, 2), 0.81859461412036372)).toBeLessThan(1e-13);
    // log(Q(40) − Q(40.1)) from R's log tails: a + log1p(−exp(b − a))
    expect(rel(logNormalInterval(40, 40.1), LOG_Q40_Q401)).toBeLessThan(1e-13);
    expect(rel(logNormalInterval(-40.1, -40), logNormalInterval(40, 40.1))).toBeLessThan(1e-14);
  });
});

/** Mean and variance of N(0, 1) truncated to [a, b]: (φ(a) − φ(b))/P and 1 + (aφ(a) − bφ(b))/P − mean². */
function truncatedMoments(a: number, b: number): { mean: number; variance: number } {
  // φ(x)/P computed as exp(log φ(x) − log P) so that far tails do not underflow
  const logP = logNormalInterval(a, b);
  const ratio = (x: number) => (Number.isFinite(x) ? Math.exp(-0.5 * x * x - 0.5 * Math.log(2 * Math.PI) - logP) : 0);
  const xr = (x: number) => (Number.isFinite(x) ? x * ratio(x) : 0);
  const mean = ratio(a) - ratio(b);
  return { mean, variance: 1 + xr(a) - xr(b) - mean * mean };
}

describe('the truncated normal sampler', () => {
  const cases: [number, number][] = [
    [8, Infinity],
    [-Infinity, -8],
    [40, Infinity],
    [-Infinity, -40],
    [8, 8.05],
    [-40.02, -40],
    [0.3, 2],
    [-0.5, 0.3],
    [-3, 4],
    [-Infinity, 1.5],
    [0, Infinity],
  ];
  for (const [a, b, sampler] of cases.flatMap(([a, b]) => [
    [a, b, 'exact'],
    [a, b, 'a bulk normal first'],
  ]) as [number, number, string][]) {
    it(`[${a}, ${b}] (${sampler}): every draw inside; mean and variance within 4 SE of the truncated distribution's`, () => {
      const rng = chainRng(31, 0);
      const n = 20000;
      const draw = sampler === 'exact' ? () => standardTruncatedNormal(rng, a, b) : () => truncatedFromNormal(rng, normal(rng), a, b);
      const draws = Float64Array.from({ length: n }, draw);
      for (const z of draws) {
        expect(z).toBeGreaterThanOrEqual(a);
        expect(z).toBeLessThanOrEqual(b);
      }
      const { mean, variance } = truncatedMoments(a, b);
      const m = draws.reduce((s, z) => s + z, 0) / n;
      const v = draws.reduce((s, z) => s + (z - m) ** 2, 0) / (n - 1);
      expect(Math.abs(m - mean), `mean ${m} vs ${mean}`).toBeLessThan(4 * Math.sqrt(variance / n));
      // the variance's SE from the fourth moment of the sample
      const m4 = draws.reduce((s, z) => s + (z - m) ** 4, 0) / n;
      expect(Math.abs(v - variance), `variance ${v} vs ${variance}`).toBeLessThan(4 * Math.sqrt((m4 - v * v) / n));
    });
  }

  it('a general mean and sd, and an empty interval is an error', () => {
    const rng = chainRng(2, 0);
    const z = Float64Array.from({ length: 5000 }, () => truncatedNormal(rng, 10, 2, 12, Infinity));
    expect(Math.min(...z)).toBeGreaterThanOrEqual(12);
    expect(() => standardTruncatedNormal(rng, 1, 1)).toThrowError(/a < b/);
  });
});
