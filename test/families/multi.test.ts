/**
 * A binary or ordinal trait beside a Gaussian one in a multi-trait model:
 * - the residual covariance with the liability's variance fixed at 1: draws of R0 | e against the
 *   inverse-Wishart density on the slice R_11 = 1, integrated on a grid (means within 4 SE of iid draws);
 * - recovery of a bivariate sire model (binary or 3-category ordinal liability + Gaussian trait, 15% of
 *   the Gaussian one missing, 100 sires × 12 records) on 3 seeds: the intervals of the residual
 *   correlation and variance and of the sire correlation hold the posterior means of the Gaussian fit
 *   of the complete liabilities (what each sample says with nothing lost), and the ordinal threshold
 *   its true 0.8. Against the truth (0.4, 2, 0.5) the 18 intervals missed 3 or 4 times, depending on
 *   the draws: the samples themselves miss it (seed 101's complete liabilities put var[residual](y2)
 *   in [1.59, 1.91] against 2), and intervals from the same sample are not independent trials;
 *   coverage over many simulated data sets is SBC's question (issue 16).
 * - e = y − XB − ZU after every sweep (y with the liabilities and the imputed traits);
 * - a second non-Gaussian trait and a fixed residual covariance are errors.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { ResidualCovarianceBlock } from '../../src/blocks/multi/covariance.js';
import type { ChainState } from '../../src/mcmc/state.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, FitResult, RunSpec } from '../../src/types.js';
import { multiResidualInvariant, simulateSires } from '../helpers/multi.js';

const row = (res: FitResult, v: string) => {
  const r = res.summary.parameters.find((p) => p.variable === v);
  if (!r) throw new Error(`no ${v}`);
  return r;
};

describe('the residual covariance of a liability and a Gaussian trait', () => {
  it('R0 | e with R_11 = 1: the means of R_12 and R_22 within 4 SE of the inverse-Wishart density on that slice', () => {
    const n = 25;
    const rng = chainRng(3, 0);
    const e = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const z = normal(rng);
      e[i] = z;
      e[n + i] = 0.8 * z + 1.2 * normal(rng);
    }
    const setting = { term: 'residual', components: ['l', 'y'], correlated: true, df: 4, scale: [1, 0.2, 0.2, 2] };
    const block = new ResidualCovarianceBlock(n, setting, ['var', 'cov', 'var2'], 0);
    const covE = new Float64Array(4);
    const state = { e, multi: { covE, pitch: n } } as unknown as ChainState;
    block.init(state, rng);
    expect(Array.from(covE.subarray(0, 2))).toEqual([1, 0]);
    const draws = 40000;
    const r12 = new Float64Array(draws);
    const r22 = new Float64Array(draws);
    for (let k = 0; k < draws; k++) {
      block.update(state, rng);
      expect(covE[0]).toBe(1);
      r12[k] = covE[1];
      r22[k] = covE[3];
    }
    // Ψ = ν S + E'E, ν' = ν + n; density on the slice ∝ |Σ|^-(ν'+3)/2 exp(−tr(ΨΣ⁻¹)/2), Σ = [[1, c], [c, s]]
    const psi = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      psi[0] += e[i] * e[i];
      psi[1] += e[i] * e[n + i];
      psi[2] += e[n + i] * e[n + i];
    }
    psi[0] += 4 * 1;
    psi[1] += 4 * 0.2;
    psi[2] += 4 * 2;
    const df = 4 + n;
    const logDensity = (c: number, s: number): number => {
      const det = s - c * c;
      if (det <= 0) return -Infinity;
      // tr(ΨΣ⁻¹) with Σ⁻¹ = [[s, −c], [−c, 1]]/det
      const trace = (psi[0] * s - 2 * psi[1] * c + psi[2]) / det;
      return (-(df + 3) / 2) * Math.log(det) - trace / 2;
    };
    const mean = (x: Float64Array) => x.reduce((a, v) => a + v, 0) / x.length;
    const sd = (x: Float64Array) => {
      const m = mean(x);
      return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (x.length - 1));
    };
    // a grid over ±8 sd of the draws in each direction (the density is far below e^-30 beyond)
    const [c0, s0] = [mean(r12), mean(r22)];
    const [cw, sw] = [8 * sd(r12), 8 * sd(r22)];
    const points = 801;
    let total = 0;
    let mc = 0;
    let ms = 0;
    let peak = -Infinity;
    for (let a = 0; a < points; a++)
      for (let b = 0; b < points; b++) peak = Math.max(peak, logDensity(c0 - cw + (2 * cw * a) / (points - 1), s0 - sw + (2 * sw * b) / (points - 1)));
    for (let a = 0; a < points; a++) {
      const c = c0 - cw + (2 * cw * a) / (points - 1);
      for (let b = 0; b < points; b++) {
        const s = s0 - sw + (2 * sw * b) / (points - 1);
        const w = Math.exp(logDensity(c, s) - peak);
        total += w;
        mc += w * c;
        ms += w * s;
      }
    }
    expect(Math.abs(c0 - mc / total), `R_12 ${c0} vs ${mc / total}`).toBeLessThan((4 * sd(r12)) / Math.sqrt(draws));
    expect(Math.abs(s0 - ms / total), `R_22 ${s0} vs ${ms / total}`).toBeLessThan((4 * sd(r22)) / Math.sqrt(draws));
  });
});

/** A bivariate sire model: liability (σ²s 0.3, residual 1) and a Gaussian trait (0.5, 2), genetic correlation 0.5, residual 0.4. */
function simulateLiability(seed: number): DataRow[] {
  const g0 = [
    [0.3, 0.5 * Math.sqrt(0.15)],
    [0.5 * Math.sqrt(0.15), 0.5],
  ];
  const r0 = [
    [1, 0.4 * Math.SQRT2],
    [0.4 * Math.SQRT2, 2],
  ];
  return simulateSires(100, 12, g0, r0, 0.15, seed, [0.2, 5]).map((r) => ({ sire: r.sire, l: r.y1, y2: r.y2 }));
}

const PARAMETERS = ['cor[residual](y,y2)', 'var[residual](y2)', 'cor[sire](y,y2)'] as const;

describe('bivariate threshold models: recovery on 3 seeds', () => {
  const families = {
    binary: (l: number) => (l > 0 ? 1 : 0),
    ordinal: (l: number) => (l <= 0 ? 'low' : l <= 0.8 ? 'mid' : 'high'),
  };
  /** Posterior means of the Gaussian fit of the complete liabilities, by seed (what the sample says with nothing lost). */
  const complete = new Map<number, FitResult>();
  for (const [family, cut] of Object.entries(families) as ['binary' | 'ordinal', (l: number) => number | string][]) {
    for (const seed of [101, 202, 303]) {
      it(`${family} + Gaussian, seed ${seed}: cor[residual], var[residual](y2) and cor[sire] hold the Gaussian fit of the complete liabilities in their 95% intervals`, async () => {
        const rows = simulateLiability(seed);
        const mcmc = { chains: 2, iterations: 3000, burnin: 500, seed };
        if (!complete.has(seed)) {
          complete.set(
            seed,
            await fit({ data: rows.map((r) => ({ sire: r.sire, y: r.l, y2: r.y2 })), formula: 'cbind(y, y2) ~ 1 + (1|sire)', mcmc }, { workers: 0 }),
          );
        }
        const spec: RunSpec = {
          data: rows.map((r) => ({ sire: r.sire, y: cut(r.l as number), y2: r.y2 })),
          formula: 'cbind(y, y2) ~ 1 + (1|sire)',
          family: { y: family },
          ...(family === 'ordinal' ? { categories: { y: ['low', 'mid', 'high'] } } : {}),
          mcmc,
        };
        const res = await fit(spec, { workers: 0 });
        expect(row(res, 'var[residual](y)').sd).toBe(0);
        for (const v of PARAMETERS) {
          const r = row(res, v);
          const best = row(complete.get(seed)!, v).mean;
          expect(r.lower, `${v} [${r.lower}, ${r.upper}] vs ${best}`).toBeLessThan(best);
          expect(r.upper, `${v} [${r.lower}, ${r.upper}] vs ${best}`).toBeGreaterThan(best);
        }
        if (family === 'ordinal') {
          const g = row(res, 'threshold[2](y)');
          expect(g.lower, `threshold[2](y) [${g.lower}, ${g.upper}]`).toBeLessThan(0.8);
          expect(g.upper, `threshold[2](y) [${g.lower}, ${g.upper}]`).toBeGreaterThan(0.8);
        }
        expect(res.summary.warnings.map((w) => w.subject)).not.toContain('var[residual](y)');
      });
    }
  }

  it('e = y − XB − ZU after every sweep, with a liability, a random slope and a missing Gaussian trait', async () => {
    const rng = chainRng(12, 0);
    const rows: DataRow[] = Array.from({ length: 150 }, (_, i) => {
      const x = normal(rng);
      const l = 0.3 * x + normal(rng);
      return { g: `g${i % 10}`, x, y: l < -0.5 ? 'a' : l < 0.5 ? 'b' : 'c', y2: i % 6 === 0 ? null : 2 + l + normal(rng) };
    });
    const spec: RunSpec = {
      data: rows,
      formula: 'cbind(y, y2) ~ 1 + x + (1 + x|g)',
      family: { y: 'ordinal' },
      mcmc: { chains: 1, iterations: 60, burnin: 10, seed: 2 },
    };
    const { worst, sweeps } = await multiResidualInvariant(spec);
    expect(sweeps).toBe(60);
    expect(worst).toBeLessThan(1e-9);
  });

  it('a second non-Gaussian trait, and a fixed residual covariance with a liability, are errors', () => {
    const rows: DataRow[] = Array.from({ length: 30 }, (_, i) => ({ a: i % 2, b: i % 3 === 0 ? 1 : 0, y: i * 0.1 + (i % 4) }));
    expect(() => prepare({ data: rows, formula: 'cbind(a, b) ~ 1', family: { a: 'binary', b: 'binary' } })).toThrowError(/'a' and 'b' are both non-Gaussian/);
    expect(() =>
      prepare({
        data: rows,
        formula: 'cbind(a, y) ~ 1',
        family: { a: 'binary' },
        fixedVariances: {
          residual: [
            [1, 0],
            [0, 1],
          ],
        },
      }),
    ).toThrowError(/residual covariance cannot be fixed.*'a'/);
  });
});
