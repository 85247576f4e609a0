/**
 * Threshold traits against exact posteriors computed independently by numerical integration (a
 * grid over the parameters, whitened by the Laplace approximation at the mode, with jstat's normal
 * distribution function, not mixmc's):
 * - probit regression y ~ 1 + x with a flat prior: p(b | y) ∝ Π_i Φ(s_i·(b0 + b1·x_i)), s_i = ±1;
 * - an ordinal trait with three categories, first threshold 0, flat priors on b and γ2 > 0:
 *   p(b, γ2 | y) ∝ Π_i [Φ(γ_{c_i+1} − η_i) − Φ(γ_{c_i} − η_i)], drawn by Cowles' step and by plain Gibbs.
 * Every posterior mean within 4 MCSE of the grid's.
 */
import jstatModule from 'jstat';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, FitResult, RunSpec } from '../../src/types.js';

const jStat = jstatModule.jStat ?? jstatModule;
const Phi = (x: number): number => jStat.normal.cdf(x, 0, 1);

const row = (res: FitResult, v: string) => {
  const r = res.summary.parameters.find((p) => p.variable === v);
  if (!r) throw new Error(`no ${v}`);
  return r;
};

/**
 * Posterior means of a d-dimensional log density by a grid of `points` per axis over ±`width` sd of
 * its Laplace approximation (mode by Newton's method with finite-difference derivatives).
 */
function gridMeans(logp: (theta: number[]) => number, start: number[], points: number, width: number): number[] {
  const d = start.length;
  const h = 1e-4;
  let theta = [...start];
  const hessian = (t: number[]): { g: number[]; H: number[][] } => {
    const g = new Array(d).fill(0);
    const H = Array.from({ length: d }, () => new Array(d).fill(0));
    const at = (di: number[]) => logp(t.map((v, k) => v + di[k]));
    const f0 = at(new Array(d).fill(0));
    for (let a = 0; a < d; a++) {
      const ea = new Array(d).fill(0);
      ea[a] = h;
      const fp = at(ea);
      const fm = at(ea.map((v) => -v));
      g[a] = (fp - fm) / (2 * h);
      H[a][a] = (fp - 2 * f0 + fm) / (h * h);
      for (let b = 0; b < a; b++) {
        const e = (sa: number, sb: number) => {
          const v = new Array(d).fill(0);
          v[a] = sa * h;
          v[b] = sb * h;
          return at(v);
        };
        H[a][b] = H[b][a] = (e(1, 1) - e(1, -1) - e(-1, 1) + e(-1, -1)) / (4 * h * h);
      }
    }
    return { g, H };
  };
  const solve = (A: number[][], b: number[]): number[] => {
    const M = A.map((r, i) => [...r, b[i]]);
    for (let c = 0; c < d; c++) {
      for (let r = c + 1; r < d; r++) {
        const f = M[r][c] / M[c][c];
        for (let k = c; k <= d; k++) M[r][k] -= f * M[c][k];
      }
    }
    const x = new Array(d).fill(0);
    for (let r = d - 1; r >= 0; r--) {
      let s = M[r][d];
      for (let k = r + 1; k < d; k++) s -= M[r][k] * x[k];
      x[r] = s / M[r][r];
    }
    return x;
  };
  for (let it = 0; it < 50; it++) {
    const { g, H } = hessian(theta);
    const step = solve(H, g);
    theta = theta.map((v, k) => v - step[k]);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  // covariance = (−H)⁻¹; its Cholesky factor L whitens the grid: θ = mode + L z
  const { H } = hessian(theta);
  const cov = Array.from({ length: d }, (_, a) =>
    solve(
      H.map((r) => r.map((v) => -v)),
      Array.from({ length: d }, (_, b) => (a === b ? 1 : 0)),
    ),
  );
  const L = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = cov[a][b];
      for (let k = 0; k < b; k++) s -= L[a][k] * L[b][k];
      L[a][b] = a === b ? Math.sqrt(s) : s / L[b][b];
    }
  }
  const axis = Array.from({ length: points }, (_, k) => -width + (2 * width * k) / (points - 1));
  const f0 = logp(theta);
  let total = 0;
  const sums = new Array(d).fill(0);
  const z = new Array(d).fill(0);
  const walk = (a: number): void => {
    if (a === d) {
      const t = theta.map((m, r) => m + L[r].reduce((s, l, c) => s + l * z[c], 0));
      const w = Math.exp(logp(t) - f0);
      total += w;
      for (let k = 0; k < d; k++) sums[k] += w * t[k];
      return;
    }
    for (const v of axis) {
      z[a] = v;
      walk(a + 1);
    }
  };
  walk(0);
  return sums.map((s) => s / total);
}

function simulate(seed: number, n: number, cut: (l: number) => number): DataRow[] {
  const rng = chainRng(seed, 0);
  return Array.from({ length: n }, () => {
    const x = normal(rng);
    return { x, y: cut(-0.4 + 0.8 * x + normal(rng)) };
  });
}

describe('threshold traits: exact posteriors by numerical integration', () => {
  it('probit regression y ~ 1 + x: posterior means of b within 4 MCSE of a 2-D grid', async () => {
    const rows = simulate(31, 300, (l) => (l > 0 ? 1 : 0));
    const logp = ([b0, b1]: number[]): number =>
      rows.reduce((s, r) => {
        const eta = b0 + b1 * (r.x as number);
        return s + Math.log(Phi(r.y === 1 ? eta : -eta));
      }, 0);
    const [m0, m1] = gridMeans(logp, [0, 0], 121, 7);
    const spec: RunSpec = { data: rows, formula: 'y ~ 1 + x', family: 'binary', mcmc: { chains: 4, iterations: 3000, burnin: 300, thin: 1, seed: 9 } };
    const res = await fit(spec, { workers: 0 });
    for (const [v, m] of [
      ['b[(Intercept)]', m0],
      ['b[x]', m1],
    ] as const) {
      const r = row(res, v);
      expect(Math.abs(r.mean - m), `${v}: ${r.mean} vs ${m} (MCSE ${r.mcseMean})`).toBeLessThan(4 * r.mcseMean);
    }
    expect(row(res, 'var[residual]').mean).toBe(1);
  });

  const cut3 = (l: number): number => (l <= 0 ? 0 : l <= 0.9 ? 1 : 2);
  const rows3 = simulate(32, 300, cut3);
  const logp3 = ([b0, b1, g2]: number[]): number => {
    if (g2 <= 0) return -Infinity;
    const gamma = [-Infinity, 0, g2, Infinity];
    return rows3.reduce((s, r) => {
      const eta = b0 + b1 * (r.x as number);
      const c = r.y as number;
      return s + Math.log(Phi(gamma[c + 1] - eta) - Phi(gamma[c] - eta));
    }, 0);
  };
  const reference = gridMeans(logp3, [0, 0, 1], 41, 6.5);

  for (const method of ['cowles', 'gibbs'] as const) {
    it(`ordinal trait, 3 categories (${method} thresholds): posterior means of b and γ2 within 4 MCSE of a 3-D grid`, async () => {
      const spec: RunSpec = {
        data: rows3,
        formula: 'y ~ 1 + x',
        family: 'ordinal',
        thresholds: method,
        mcmc: { chains: 4, iterations: method === 'gibbs' ? 6000 : 3000, burnin: 500, thin: 1, seed: 10 },
      };
      const res = await fit(spec, { workers: 0 });
      ['b[(Intercept)]', 'b[x]', 'threshold[2]'].forEach((v, k) => {
        const r = row(res, v);
        expect(Math.abs(r.mean - reference[k]), `${v}: ${r.mean} vs ${reference[k]} (MCSE ${r.mcseMean})`).toBeLessThan(4 * r.mcseMean);
      });
    });
  }
});
