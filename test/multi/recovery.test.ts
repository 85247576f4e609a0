/**
 * Recovery and calibration of the bivariate sire model.
 *
 * Coverage: the design (60 sires × 15 progeny, genetic correlation 0.35, residual
 * correlation 0.3, 15% of the second trait missing) on 20 seeds, with a prior on the data's scale
 * (df 4, S = 0.1·I for the sires and 0.9·I for the residual: a guessed h² of 0.4). Of the 8 × 20
 * = 160 95% intervals (variances, covariances, correlations), a calibrated posterior misses about 8
 * (binomial SD 2.8); the rule is at most 8 + 3·2.8 ≈ 16. (On seeds 1–3 alone some intervals miss
 * because those data are far from the truth. Seed 1's simulated residuals themselves have covariance
 * 0.201 (correlation 0.23) for a true 0.274 (0.30), and REML on its data gives 0.197 ± 0.033; seed 2's
 * 60 simulated sire effects have correlation 0.15 for a true 0.35, and REML gives a sire covariance of
 * −0.007 ± 0.020 for a true 0.030.)
 *
 * Simulation-based calibration (Talts et al. 2018, arXiv:1804.06788): G0 and R0 drawn from the
 * prior, data from the model, and the rank of each true value among the posterior draws; over 60
 * replicates the ranks must be uniform (χ² over 5 bins below 17.1, the 0.0017 point: 1% shared by
 * the 6 quantities).
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { chiSquare, normal } from '../../src/rng/dist.js';
import { chainRng, type Rng } from '../../src/rng/rng.js';
import type { DataRow } from '../../src/types.js';
import { cholRows } from '../helpers/multi.js';

/** Progeny records of `sires` sires: u ~ N(0, G0), e ~ N(0, R0), 15% of y2 missing. */
function sireData(rng: Rng, sires: number, progeny: number, g0: number[][], r0: number[][]): DataRow[] {
  const lg = cholRows(g0);
  const lr = cholRows(r0);
  const rows: DataRow[] = [];
  for (let s = 0; s < sires; s++) {
    const z = [normal(rng), normal(rng)];
    const u = [lg[0][0] * z[0], lg[1][0] * z[0] + lg[1][1] * z[1]];
    for (let k = 0; k < progeny; k++) {
      const w = [normal(rng), normal(rng)];
      const e = [lr[0][0] * w[0], lr[1][0] * w[0] + lr[1][1] * w[1]];
      const miss = rng.uniform() < 0.15;
      rows.push({ sire: `s${s}`, y1: 10 + u[0] + e[0], y2: miss ? null : 20 + u[1] + e[1] });
    }
  }
  return rows;
}

const QUANTITIES = ['var[sire](y1)', 'cov[sire](y1,y2)', 'var[sire](y2)', 'var[residual](y1)', 'cov[residual](y1,y2)', 'var[residual](y2)'];

describe('coverage: 60 sires × 15 progeny, r_g 0.35, r_e 0.3, 15% of y2 missing, 20 seeds', () => {
  it('misses at most 16 of the 160 95% intervals of the variances, covariances and correlations', async () => {
    const s1 = 0.1;
    const s2 = 0.075;
    const e1 = 0.9;
    const e2 = 0.925;
    const g0 = [
      [s1, 0.35 * Math.sqrt(s1 * s2)],
      [0.35 * Math.sqrt(s1 * s2), s2],
    ];
    const r0 = [
      [e1, 0.3 * Math.sqrt(e1 * e2)],
      [0.3 * Math.sqrt(e1 * e2), e2],
    ];
    const truth: Record<string, number> = {
      'var[sire](y1)': s1,
      'cov[sire](y1,y2)': g0[0][1],
      'var[sire](y2)': s2,
      'cor[sire](y1,y2)': 0.35,
      'var[residual](y1)': e1,
      'cov[residual](y1,y2)': r0[0][1],
      'var[residual](y2)': e2,
      'cor[residual](y1,y2)': 0.3,
    };
    const misses: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const res = await fit(
        {
          data: sireData(chainRng(seed, 0), 60, 15, g0, r0),
          formula: 'cbind(y1, y2) ~ 1 + (1|sire)',
          priors: {
            sire: {
              df: 4,
              scale: [
                [0.1, 0],
                [0, 0.1],
              ],
            },
            residual: {
              df: 4,
              scale: [
                [0.9, 0],
                [0, 0.9],
              ],
            },
          },
          mcmc: { chains: 2, iterations: 3000, burnin: 500, thin: 1, seed },
        },
        { workers: 0 },
      );
      for (const [name, value] of Object.entries(truth)) {
        const p = res.summary.parameters.find((r) => r.variable === name)!;
        expect(p.rhat).toBeLessThan(1.02);
        if (!(p.lower <= value && value <= p.upper)) misses.push(`seed ${seed} ${name}`);
      }
    }
    expect(misses.length, misses.join('; ')).toBeLessThanOrEqual(16);
  });
});

/** Σ ~ IW(ν, Ψ) for 2 × 2 by Bartlett's construction, written here independently of the sampler's. */
function inverseWishart2(rng: Rng, nu: number, psi: number[]): number[] {
  const det = psi[0] * psi[3] - psi[1] * psi[2];
  const inv = [psi[3] / det, -psi[1] / det, -psi[2] / det, psi[0] / det];
  const l00 = Math.sqrt(inv[0]);
  const l10 = inv[2] / l00;
  const l11 = Math.sqrt(inv[3] - l10 * l10);
  const a00 = Math.sqrt(chiSquare(rng, nu));
  const a10 = normal(rng);
  const a11 = Math.sqrt(chiSquare(rng, nu - 1));
  const t00 = l00 * a00;
  const t10 = l10 * a00 + l11 * a10;
  const t11 = l11 * a11;
  const w = [t00 * t00, t00 * t10, t00 * t10, t10 * t10 + t11 * t11];
  const d = w[0] * w[3] - w[1] * w[2];
  return [w[3] / d, -w[1] / d, -w[2] / d, w[0] / d];
}

describe('simulation-based calibration of the bivariate sire model', () => {
  it('the ranks of true G0 and R0 among their posterior draws are uniform over 60 replicates', async () => {
    const nu = 6;
    const sg = [0.1, 0, 0, 0.08];
    const sr = [0.9, 0.2, 0.2, 0.9];
    const reps = 60;
    const ranks = QUANTITIES.map(() => [] as number[]);
    for (let rep = 0; rep < reps; rep++) {
      const rng = chainRng(1000 + rep, 0);
      const g = inverseWishart2(
        rng,
        nu,
        sg.map((v) => nu * v),
      );
      const r = inverseWishart2(
        rng,
        nu,
        sr.map((v) => nu * v),
      );
      const data = sireData(
        rng,
        30,
        8,
        [
          [g[0], g[1]],
          [g[2], g[3]],
        ],
        [
          [r[0], r[1]],
          [r[2], r[3]],
        ],
      );
      const res = await fit(
        {
          data,
          formula: 'cbind(y1, y2) ~ 1 + (1|sire)',
          priors: {
            sire: {
              df: nu,
              scale: [
                [sg[0], sg[1]],
                [sg[2], sg[3]],
              ],
            },
            residual: {
              df: nu,
              scale: [
                [sr[0], sr[1]],
                [sr[2], sr[3]],
              ],
            },
          },
          mcmc: { chains: 2, iterations: 2200, burnin: 200, thin: 10, seed: rep + 1 },
        },
        { workers: 0 },
      );
      const truth = [g[0], g[1], g[3], r[0], r[1], r[3]];
      QUANTITIES.forEach((name, k) => {
        const j = res.params.indexOf(name);
        const draws = res.chains.flatMap((c) => Array.from(c.draws[j]));
        ranks[k].push(draws.filter((v) => v < truth[k]).length / draws.length);
      });
    }
    QUANTITIES.forEach((name, k) => {
      const bins = new Array(5).fill(0);
      for (const r of ranks[k]) bins[Math.min(4, Math.floor(r * 5))]++;
      const expected = reps / 5;
      const chi2 = bins.reduce((s, b) => s + (b - expected) ** 2 / expected, 0);
      expect(chi2, `${name}: ranks by fifths ${bins.join(' ')}`).toBeLessThan(17.1);
    });
  });
});
