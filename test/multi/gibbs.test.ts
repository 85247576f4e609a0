/**
 * The multivariate Gibbs sampler against exact answers:
 * - a bivariate regression with no random term and a flat prior on B: R0 | y ~ IW(ν + n − p, νS + Ê'Ê)
 *   in closed form (the means of its entries within 4 MCSE);
 * - with G0 and R0 held fixed, the posterior of (B, U) is Gaussian with the multivariate MME solution
 *   as its mean (a bivariate sire model with 15% of the second trait missing, and sleepstudy's random
 *   slopes at lme4's REML estimates): every posterior mean within 4 MCSE of the oracle;
 * - e = y − XB − ZU (y with the imputed traits) after every sweep;
 * - the missing traits are drawn from their conditional normal given the observed ones.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { MissingTraitBlock } from '../../src/blocks/multi/impute.js';
import { createMultiState } from '../../src/mcmc/state.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import type { DataRow, FitResult, RunSpec } from '../../src/types.js';
import { fixturePath } from '../helpers/fixtures.js';
import { multiMmeOracle, multiResidualInvariant, simulateSires } from '../helpers/multi.js';

const row = (res: FitResult, v: string) => {
  const r = res.summary.parameters.find((p) => p.variable === v);
  if (!r) throw new Error(`no ${v}`);
  return r;
};

describe('the residual covariance: exact inverse-Wishart posterior', () => {
  it('a bivariate regression with a flat prior on B: the posterior means of R0 are Ψ/(ν + n − p − t − 1)', async () => {
    const rng = chainRng(71, 0);
    const n = 150;
    const rows: DataRow[] = Array.from({ length: n }, () => {
      const x = normal(rng);
      const e1 = normal(rng);
      const e2 = 0.6 * e1 + 0.8 * normal(rng);
      return { x, y1: 1 + 0.5 * x + e1, y2: -2 + 0.3 * x + 2 * e2 };
    });
    const df = 6;
    const scale = [
      [1, 0.2],
      [0.2, 3],
    ];
    const spec: RunSpec = {
      data: rows,
      formula: 'cbind(y1, y2) ~ 1 + x',
      priors: { residual: { df, scale } },
      mcmc: { chains: 4, iterations: 3000, burnin: 200, thin: 1, seed: 5 },
    };
    const res = await fit(spec, { workers: 0 });
    // Ê'Ê of the least-squares residuals of each trait on (1, x)
    let sx = 0;
    let sxx = 0;
    for (const r of rows) {
      sx += r.x as number;
      sxx += (r.x as number) ** 2;
    }
    const resid = (key: 'y1' | 'y2'): number[] => {
      let sy = 0;
      let sxy = 0;
      for (const r of rows) {
        sy += r[key] as number;
        sxy += (r.x as number) * (r[key] as number);
      }
      const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      const icpt = (sy - slope * sx) / n;
      return rows.map((r) => (r[key] as number) - icpt - slope * (r.x as number));
    };
    const e1 = resid('y1');
    const e2 = resid('y2');
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
    const nuPost = df + n - 2;
    const denom = nuPost - 2 - 1;
    const expected: [string, number][] = [
      ['var[residual](y1)', (df * scale[0][0] + dot(e1, e1)) / denom],
      ['cov[residual](y1,y2)', (df * scale[0][1] + dot(e1, e2)) / denom],
      ['var[residual](y2)', (df * scale[1][1] + dot(e2, e2)) / denom],
    ];
    for (const [v, mean] of expected) {
      const r = row(res, v);
      expect(Math.abs(r.mean - mean), `${v}: ${r.mean} vs ${mean} (MCSE ${r.mcseMean})`).toBeLessThan(4 * r.mcseMean);
    }
  });
});

/** Posterior means of every b and u within 4 MCSE of the oracle, in the sampler's parameter order. */
function expectOracle(res: FitResult, oracle: Float64Array, params: readonly string[]): void {
  let worst = 0;
  params.forEach((name, a) => {
    const r = row(res, name);
    const z = Math.abs(r.mean - oracle[a]) / r.mcseMean;
    worst = Math.max(worst, z);
    expect(z, `${name}: ${r.mean} vs ${oracle[a]} (MCSE ${r.mcseMean})`).toBeLessThan(4);
  });
  expect(worst).toBeGreaterThan(0);
}

describe('fixed covariances: the posterior of the location effects is the MME solution', () => {
  it('a bivariate sire model with 15% of the second trait missing', async () => {
    const g0 = [
      [0.4, 0.15],
      [0.15, 0.9],
    ];
    const r0 = [
      [1.6, 0.5],
      [0.5, 3.1],
    ];
    const data = simulateSires(30, 8, g0, r0, 0.15, 12);
    const spec: RunSpec = {
      data,
      formula: 'cbind(y1, y2) ~ 1 + (1|sire)',
      fixedVariances: { sire: g0, residual: r0 },
      mcmc: { chains: 4, iterations: 2500, burnin: 100, thin: 1, seed: 3, traceLevels: 1000 },
    };
    const res = await fit(spec, { workers: 0 });
    const { design } = prepare(spec);
    const oracle = multiMmeOracle(design, [g0], r0);
    const names = res.params.filter((p) => p.startsWith('b[') || p.startsWith('u['));
    expect(names).toHaveLength(2 + 30 * 2);
    expectOracle(res, oracle.mean, names);
  });

  it("sleepstudy's random intercepts and slopes at lme4's REML estimates", async () => {
    const g = [
      [612.09, 9.604],
      [9.604, 35.07],
    ];
    const r0 = [[654.94]];
    const spec: RunSpec = {
      data: fixturePath('sleepstudy.csv'),
      formula: 'Reaction ~ 1 + Days + (1 + Days | Subject)',
      fixedVariances: { Subject: g, residual: 654.94 },
      mcmc: { chains: 4, iterations: 3000, burnin: 100, thin: 1, seed: 9, traceLevels: 1000 },
    };
    const res = await fit(spec, { workers: 0 });
    const { design } = prepare(spec);
    const oracle = multiMmeOracle(design, [g], r0);
    const names = res.params.filter((p) => p.startsWith('b[') || p.startsWith('u['));
    expect(names.slice(0, 4)).toEqual(['b[(Intercept)]', 'b[Days]', 'u[Subject:308]((Intercept))', 'u[Subject:308](Days)']);
    expectOracle(res, oracle.mean, names);
    // lme4's fixed effects at these variances
    expect(oracle.mean[0]).toBeCloseTo(251.405, 2);
    expect(oracle.mean[1]).toBeCloseTo(10.467, 2);
  });
});

describe('the residual after every sweep', () => {
  it('e = y − XB − ZU with three traits, a random slope and missing traits', async () => {
    const rng = chainRng(8, 0);
    const rows: DataRow[] = Array.from({ length: 120 }, (_, i) => {
      const x = normal(rng);
      const miss = rng.uniform();
      return {
        g: `g${i % 12}`,
        x,
        y1: miss < 0.1 ? null : 1 + x + normal(rng),
        y2: miss > 0.85 ? null : 2 - x + normal(rng),
        y3: 3 + normal(rng),
      };
    });
    const spec: RunSpec = { data: rows, formula: 'cbind(y1, y2, y3) ~ 1 + x + (1 + x|g)', mcmc: { chains: 1, iterations: 60, burnin: 10, thin: 1, seed: 2 } };
    const { worst, sweeps } = await multiResidualInvariant(spec);
    expect(sweeps).toBe(60);
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('missing traits', () => {
  it('are drawn from N(R_MO R_OO⁻¹ e_O, R_MM − R_MO R_OO⁻¹ R_OM)', () => {
    // three records: trait 2 missing; traits 1 and 3 missing; nothing missing
    const rows: DataRow[] = [
      { y1: 1, y2: null, y3: 2 },
      { y1: null, y2: 0.5, y3: null },
      { y1: 3, y2: 1, y3: 1 },
      { y1: 2, y2: 2, y3: 0 },
    ];
    const { design } = prepare({ data: rows, formula: 'cbind(y1, y2, y3) ~ 1' });
    const state = createMultiState(design, []);
    const r0 = [2, 0.6, 0.3, 0.6, 1.5, -0.4, 0.3, -0.4, 1];
    state.multi!.covE.set(r0);
    const n = design.n;
    const pitch = state.multi!.pitch;
    // observed residuals held at these values
    state.e[0 * pitch + 0] = 0.7;
    state.e[2 * pitch + 0] = -1.1;
    state.e[1 * pitch + 1] = 0.4;
    const block = new MissingTraitBlock(design);
    const rng = chainRng(4, 0);
    const draws = 40_000;
    const a: number[] = [];
    const b: number[][] = [];
    const y = state.multi!.y;
    const fitted = y[1 * n + 0] - state.e[1 * pitch + 0];
    const observedY = Float64Array.from(y);
    for (let k = 0; k < draws; k++) {
      block.update(state, rng);
      a.push(state.e[1 * pitch + 0]);
      b.push([state.e[0 * pitch + 1], state.e[2 * pitch + 1]]);
      // y = fitted + e: the imputed y moves with its e (the fitted value stays)
      expect(Math.abs(y[1 * n + 0] - state.e[1 * pitch + 0] - fitted)).toBeLessThan(1e-12);
    }
    // the observed values and residuals are untouched
    expect(state.e[0]).toBe(0.7);
    for (let s = 0; s < 3; s++) for (let i = 0; i < n; i++) if (design.traits.observed[s * n + i]) expect(y[s * n + i]).toBe(observedY[s * n + i]);
    // record 1: y2 | (e1, e3): mean R_21,23 R_{13,13}⁻¹ (0.7, −1.1), variance by the Schur complement
    const det = 2 * 1 - 0.3 * 0.3;
    const inv = [1 / det, -0.3 / det, -0.3 / det, 2 / det];
    const c = [0.6, -0.4];
    const w = [c[0] * inv[0] + c[1] * inv[2], c[0] * inv[1] + c[1] * inv[3]];
    const mean1 = w[0] * 0.7 + w[1] * -1.1;
    const var1 = 1.5 - (w[0] * c[0] + w[1] * c[1]);
    const m = a.reduce((s, v) => s + v, 0) / draws;
    const v = a.reduce((s, x) => s + (x - m) ** 2, 0) / (draws - 1);
    // independent draws: 4 standard errors of a mean and of a variance
    expect(Math.abs(m - mean1)).toBeLessThan(4 * Math.sqrt(var1 / draws));
    expect(Math.abs(v - var1)).toBeLessThan(4 * var1 * Math.sqrt(2 / draws));
    // record 2: (y1, y3) | e2 = 0.4: mean (0.6, −0.4)/1.5·0.4, covariance R_{13,13} − R_{13,2} R_{13,2}'/1.5
    const mean2 = [(0.6 / 1.5) * 0.4, (-0.4 / 1.5) * 0.4];
    const cov2 = [2 - 0.36 / 1.5, 0.3 + 0.24 / 1.5, 1 - 0.16 / 1.5];
    const m2 = [0, 1].map((j) => b.reduce((s, x) => s + x[j], 0) / draws);
    const c2 = b.reduce((s, x) => s + (x[0] - m2[0]) * (x[1] - m2[1]), 0) / (draws - 1);
    expect(Math.abs(m2[0] - mean2[0])).toBeLessThan(4 * Math.sqrt(cov2[0] / draws));
    expect(Math.abs(m2[1] - mean2[1])).toBeLessThan(4 * Math.sqrt(cov2[2] / draws));
    expect(Math.abs(c2 - cov2[1])).toBeLessThan(4 * Math.sqrt((cov2[0] * cov2[2] + cov2[1] ** 2) / draws));
  });
});
