/**
 * Exact oracles from Walsh & Lynch's chapter on general linear and mixed models (Example 10.10): with the variances fixed, the posterior of (b, u) is
 * Gaussian with mean = the MME solution and covariance = σ²e · (MME coefficient matrix)⁻¹.
 * Tolerances: 4·MCSE, with the MCSE of each mean and of each covariance element computed from the
 * draws (posterior's mcse_mean, applied to x and to the products of centred draws).
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { invertSPD } from '../../src/linalg/dense.js';
import { mcseMean, mean } from '../../src/diagnostics/kernels.js';
import { WALSH_SIRES } from '../helpers/data.js';

function paramChains(res: Awaited<ReturnType<typeof fit>>, name: string): Float64Array[] {
  const j = res.params.indexOf(name);
  expect(j, `parameter ${name}`).toBeGreaterThanOrEqual(0);
  return res.chains.map((c) => c.draws[j]);
}

describe('Walsh & Lynch Examples 10.10/10.14/10.15 (sire model, σ²s = 2, σ²e = 6)', async () => {
  const res = await fit({
    data: WALSH_SIRES,
    formula: 'y ~ 0 + env + (1|sire)',
    factors: ['env', 'sire'],
    fixedVariances: { sire: 2, residual: 6 },
    mcmc: { chains: 4, iterations: 25000, burnin: 1000, thin: 1, seed: 2024 },
  });
  const names = ['b[env:1]', 'b[env:2]', 'u[sire:1]', 'u[sire:2]', 'u[sire:3]'];
  const chains = names.map((n) => paramChains(res, n));

  // Example 10.14 prints the MME after factoring 1/6 = 1/σ²e out of both sides: the true coefficient
  // matrix is A/6, so the posterior covariance is (A/6)⁻¹ = 6·A⁻¹ (Example 10.15 prints A⁻¹ itself).
  // Derived here, not copied.
  const A = Float64Array.from([4, 0, 1, 2, 1, 0, 2, 1, 0, 1, 1, 1, 5, 0, 0, 2, 0, 0, 5, 0, 1, 1, 0, 0, 5]);
  const rhs = [33, 26, 21, 17, 21];
  const Ainv = invertSPD(A, 5);
  const solution = [0, 1, 2, 3, 4].map((i) => rhs.reduce((s, r, j) => s + Ainv[i * 5 + j] * r, 0));
  const cov = Array.from(Ainv, (v) => 6 * v);

  it('derives the printed solution (148, 235, −1, 2, −1)/18 and the inverse 1/270·[…] of Example 10.15', () => {
    const printed = [148, 235, -1, 2, -1].map((v) => v / 18);
    solution.forEach((v, i) => expect(v).toBeCloseTo(printed[i], 12));
    const printedInv = [100, 25, -25, -40, -25, 25, 175, -40, -10, -40, -25, -40, 67, 10, 13, -40, -10, 10, 70, 10, -25, -40, 13, 10, 67];
    Ainv.forEach((v, i) => expect(v * 270).toBeCloseTo(printedInv[i], 10));
  });

  it('posterior means equal the MME solution within 4·MCSE', () => {
    names.forEach((n, i) => {
      const x = chains[i];
      const m = mean(Float64Array.from(x.flatMap((c) => Array.from(c))));
      const se = mcseMean(x);
      expect(Math.abs(m - solution[i]), `${n}: mean ${m} vs ${solution[i]} (MCSE ${se})`).toBeLessThan(4 * se);
    });
  });

  it('posterior covariance equals σ²e·LHS⁻¹ = 6·A⁻¹ within 4·MCSE per element', () => {
    const centred = chains.map((x) => {
      const all = Float64Array.from(x.flatMap((c) => Array.from(c)));
      const m = mean(all);
      return x.map((c) => c.map((v) => v - m));
    });
    for (let a = 0; a < 5; a++) {
      for (let b = a; b < 5; b++) {
        const prod = centred[a].map((c, k) => c.map((v, t) => v * centred[b][k][t]));
        const est = mean(Float64Array.from(prod.flatMap((c) => Array.from(c))));
        const se = mcseMean(prod);
        expect(Math.abs(est - cov[a * 5 + b]), `cov(${names[a]}, ${names[b]}) = ${est} vs ${cov[a * 5 + b]} (MCSE ${se})`).toBeLessThan(4 * se);
      }
    }
  });
});

describe('Walsh & Lynch Example 10.13: shrinkage of line effects', () => {
  const rows = [6, 8, 10, 12, 14, 16].map((y, i) => ({ line: Math.floor(i / 2) + 1, y }));
  // printed BLUPs (to the printed precision) for σ²E/σ²G = 500, 5, 1, 1/5
  const cases: [number, number[]][] = [
    [500, [-0.016, 0, 0.016]],
    [5, [-1.14, 0, 1.14]],
    [1, [-2.67, 0, 2.67]],
    [1 / 5, [-3.64, 0, 3.64]],
  ];
  for (const [ratio, blup] of cases) {
    it(`σ²E/σ²G = ${ratio}: posterior means of the line effects equal the printed BLUPs`, async () => {
      const varE = 1;
      const res = await fit({
        data: rows,
        formula: 'y ~ 1 + (1|line)',
        factors: ['line'],
        fixedVariances: { line: varE / ratio, residual: varE },
        mcmc: { chains: 2, iterations: 20000, burnin: 1000, thin: 1, seed: 7 },
      });
      // Exact BLUP: u_i = 2(ȳ_i − 11)/(2 + ratio), which the printed values round.
      const exact = [7, 11, 15].map((m) => (2 * (m - 11)) / (2 + ratio));
      // half a unit of the last printed digit (the book prints 2 or 3 decimals)
      const printedHalfUnit = (v: number): number => (v === 0 ? 1e-12 : 0.5 * 10 ** -String(Math.abs(v)).split('.')[1].length);
      exact.forEach((v, i) => expect(Math.abs(v - blup[i])).toBeLessThanOrEqual(printedHalfUnit(blup[i]) + 1e-12));
      exact.forEach((v, i) => {
        const x = paramChains(res, `u[line:${i + 1}]`);
        const m = mean(Float64Array.from(x.flatMap((c) => Array.from(c))));
        const se = mcseMean(x);
        expect(Math.abs(m - v), `line ${i + 1}: ${m} vs ${v} (MCSE ${se})`).toBeLessThan(4 * se);
        expect(Math.abs(m - blup[i])).toBeLessThan(4 * se + printedHalfUnit(blup[i]));
      });
    });
  }
});
