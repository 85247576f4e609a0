/**
 * Multivariate REML: lme4's sleepstudy (random intercepts and slopes, correlated and ||) to its
 * printed digits; a bivariate sire model with missing traits against the REML likelihood computed
 * directly from V = ZGZ' + R (its value at the estimates, and a maximum there); and the Gibbs sampler
 * with the covariances fixed at the REML estimates reproduces REML's BLUE and BLUP within 4 MCSE.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { invertSPD } from '../../src/linalg/dense.js';
import type { Design } from '../../src/model/design.js';
import { reml } from '../../src/reml/reml.js';
import type { RunSpec } from '../../src/types.js';
import { fixturePath } from '../helpers/fixtures.js';
import { simulateSires } from '../helpers/multi.js';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('sleepstudy against lme4 1.1', () => {
  it('(1 + Days | Subject): 612.10, 35.07, cov 9.60, residual 654.94, logLik −871.8141', () => {
    const { design } = prepare({ data: fixturePath('sleepstudy.csv'), formula: 'Reaction ~ 1 + Days + (1 + Days | Subject)' });
    const r = reml(design);
    expect(r.converged).toBe(true);
    const v = Object.fromEntries(r.varianceComponents.map((c) => [c.variable, c.estimate]));
    expect(rel(v['var[Subject]((Intercept))'], 612.09)).toBeLessThan(1e-4);
    expect(rel(v['var[Subject](Days)'], 35.0717)).toBeLessThan(1e-4);
    expect(rel(v['cov[Subject]((Intercept),Days)'], 9.6043)).toBeLessThan(1e-3);
    expect(rel(v['var[residual]'], 654.941)).toBeLessThan(1e-4);
    expect(rel(r.logLik, -871.8141)).toBeLessThan(1e-6);
    expect(rel(r.fixed[0].estimate, 251.4051)).toBeLessThan(1e-6);
    expect(rel(r.fixed[1].estimate, 10.46729)).toBeLessThan(1e-6);
    // lme4's standard errors of the fixed effects: 6.8246 and 1.5458
    expect(rel(r.fixed[0].se, 6.8246)).toBeLessThan(1e-4);
    expect(rel(r.fixed[1].se, 1.5458)).toBeLessThan(1e-4);
  });

  it('(1 + Days || Subject): 627.57, 35.86, residual 653.58, logLik −871.8346', () => {
    const { design } = prepare({ data: fixturePath('sleepstudy.csv'), formula: 'Reaction ~ 1 + Days + (1 + Days || Subject)' });
    const r = reml(design);
    const v = Object.fromEntries(r.varianceComponents.map((c) => [c.variable, c.estimate]));
    expect(Object.keys(v)).toEqual(['var[Subject]((Intercept))', 'var[Subject](Days)', 'var[residual]']);
    expect(rel(v['var[Subject]((Intercept))'], 627.569)).toBeLessThan(1e-4);
    expect(rel(v['var[Subject](Days)'], 35.8582)).toBeLessThan(1e-4);
    expect(rel(v['var[residual]'], 653.584)).toBeLessThan(1e-4);
    expect(rel(r.logLik, -871.8346)).toBeLessThan(1e-6);
  });
});

/** −2 log REML likelihood computed directly: (N − pt)log 2π + log|V| + log|X'V⁻¹X| + y'Py, V = ZGZ' + R over the observed values. */
function directM2ll(design: Design, g: number[], r0: number[]): number {
  const { n } = design;
  const { t, observed } = design.traits;
  const obs: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) if (observed[s * n + i]) obs.push([i, s]);
  const N = obs.length;
  const p = design.fixed.p;
  const lvl = design.random[0].level;
  const v = new Float64Array(N * N);
  obs.forEach(([i, s], a) =>
    obs.forEach(([j, u], b) => {
      v[a * N + b] = (lvl[i] === lvl[j] ? g[s * t + u] : 0) + (i === j ? r0[s * t + u] : 0);
    }),
  );
  const logDet = (m: Float64Array, k: number): number => {
    const l = Float64Array.from(m);
    for (let c = 0; c < k; c++) {
      let d = l[c * k + c];
      for (let x = 0; x < c; x++) d -= l[c * k + x] ** 2;
      l[c * k + c] = Math.sqrt(d);
      for (let r = c + 1; r < k; r++) {
        let w = l[r * k + c];
        for (let x = 0; x < c; x++) w -= l[r * k + x] * l[c * k + x];
        l[r * k + c] = w / l[c * k + c];
      }
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += 2 * Math.log(l[c * k + c]);
    return s;
  };
  const vinv = invertSPD(v, N);
  // X of the observations: trait s's intercept (the model is y ~ 1)
  const px = p * t;
  const x = (a: number, c: number): number => (obs[a][1] === c ? 1 : 0);
  const xvx = new Float64Array(px * px);
  const xvy = new Float64Array(px);
  const y = obs.map(([i, s]) => design.y[s * n + i]);
  for (let c1 = 0; c1 < px; c1++) {
    for (let a = 0; a < N; a++) {
      if (!x(a, c1)) continue;
      for (let b = 0; b < N; b++) {
        xvy[c1] += vinv[a * N + b] * y[b];
        for (let c2 = 0; c2 < px; c2++) if (x(b, c2)) xvx[c1 * px + c2] += vinv[a * N + b];
      }
    }
  }
  const xvxInv = invertSPD(xvx, px);
  let yvy = 0;
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) yvy += y[a] * vinv[a * N + b] * y[b];
  let proj = 0;
  for (let c1 = 0; c1 < px; c1++) for (let c2 = 0; c2 < px; c2++) proj += xvy[c1] * xvxInv[c1 * px + c2] * xvy[c2];
  return (N - px) * Math.log(2 * Math.PI) + logDet(v, N) + logDet(xvx, px) + yvy - proj;
}

describe('a bivariate sire model with 20% of the second trait missing', () => {
  const g0 = [
    [0.5, 0.2],
    [0.2, 0.8],
  ];
  const r0 = [
    [1.5, 0.4],
    [0.4, 2.5],
  ];
  const spec: RunSpec = { data: simulateSires(25, 6, g0, r0, 0.2, 33), formula: 'cbind(y1, y2) ~ 1 + (1|sire)' };

  it('REML maximises the likelihood computed directly from V = ZGZ′ + R, and reports its value', () => {
    const { design } = prepare(spec);
    const r = reml(design);
    expect(r.converged).toBe(true);
    const est = r.varianceComponents.map((c) => c.estimate);
    expect(r.varianceComponents.map((c) => c.variable)).toEqual([
      'var[sire](y1)',
      'cov[sire](y1,y2)',
      'var[sire](y2)',
      'var[residual](y1)',
      'cov[residual](y1,y2)',
      'var[residual](y2)',
    ]);
    const mat = (a: number, b: number, c: number) => [a, b, b, c];
    const m2ll = (th: number[]) => directM2ll(design, mat(th[0], th[1], th[2]), mat(th[3], th[4], th[5]));
    expect(rel(-0.5 * m2ll(est), r.logLik)).toBeLessThan(1e-9);
    // a maximum: every small move of one component lowers the likelihood, and the numeric gradient vanishes
    for (let k = 0; k < est.length; k++) {
      const h = 1e-4 * Math.max(Math.abs(est[k]), 0.1);
      const up = est.map((v, j) => (j === k ? v + h : v));
      const down = est.map((v, j) => (j === k ? v - h : v));
      const base = m2ll(est);
      expect(m2ll(up)).toBeGreaterThan(base - 1e-9);
      expect(m2ll(down)).toBeGreaterThan(base - 1e-9);
      expect(Math.abs((m2ll(up) - m2ll(down)) / (2 * h))).toBeLessThan(1e-3);
    }
  });

  it('the Gibbs sampler with the covariances fixed at the REML estimates gives REML’s BLUE and BLUP within 4 MCSE', async () => {
    const { design } = prepare(spec);
    const r = reml(design);
    const v = r.varianceComponents.map((c) => c.estimate);
    const res = await fit(
      {
        ...spec,
        fixedVariances: {
          sire: [
            [v[0], v[1]],
            [v[1], v[2]],
          ],
          residual: [
            [v[3], v[4]],
            [v[4], v[5]],
          ],
        },
        mcmc: { chains: 4, iterations: 2500, burnin: 100, thin: 1, seed: 21, traceLevels: 1000 },
      },
      { workers: 0 },
    );
    const rows = new Map(res.summary.parameters.map((p) => [p.variable, p]));
    for (const e of [...r.fixed.map((f) => [f.variable, f.estimate] as const), ...r.random.map((u) => [u.variable, u.blup] as const)]) {
      const p = rows.get(e[0])!;
      expect(Math.abs(p.mean - e[1]) / p.mcseMean, `${e[0]}: ${p.mean} vs ${e[1]}`).toBeLessThan(4);
    }
  });
});

describe('compare on multivariate models', () => {
  it('sleepstudy: every covariance element and the correlation, REML beside the posterior', async () => {
    const { compare } = await import('../../src/api/compare.js');
    const { comparison: c } = await compare(
      {
        data: fixturePath('sleepstudy.csv'),
        formula: 'Reaction ~ 1 + Days + (1 + Days | Subject)',
        mcmc: { chains: 2, iterations: 1500, burnin: 300, seed: 4 },
      },
      { workers: 0 },
    );
    expect(c.varianceComponents.map((v) => v.variable)).toEqual([
      'var[Subject]((Intercept))',
      'cov[Subject]((Intercept),Days)',
      'var[Subject](Days)',
      'var[residual]',
      'cor[Subject]((Intercept),Days)',
    ]);
    const cor = c.varianceComponents[4];
    // lme4's correlation 0.066, its SE by the delta method from the AI matrix
    expect(cor.reml.estimate).toBeCloseTo(9.6043 / Math.sqrt(612.09 * 35.0717), 4);
    expect(cor.reml.se).toBeGreaterThan(0.1);
    expect(c.random.map((r) => r.term)).toEqual(['u[Subject]']);
    expect(c.random[0].correlation).toBeGreaterThan(0.95);
    expect(c.fixed.map((f) => f.variable)).toEqual(['b[(Intercept)]', 'b[Days]']);
  });
});
