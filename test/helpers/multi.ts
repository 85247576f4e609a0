/**
 * Multivariate test helpers: simulated bivariate sire data, and an independent dense oracle of the
 * multivariate mixed-model equations with known G0 and R0, built on the observed values only (no
 * imputation, no code shared with the sampler):
 *   Σ_i W_i' R_Oi⁻¹ W_i + diag(0, K⁻¹ ⊗ G⁻¹) θ = Σ_i W_i' R_Oi⁻¹ y_Oi,
 * whose solution is the posterior mean of (B, U) with the covariances fixed, and the inverse its
 * covariance (Henderson & Quaas 1976); and the residual e = y − XB − ZU recomputed from scratch.
 */
import type { Design } from '../../src/model/design.js';
import type { ChainState } from '../../src/mcmc/state.js';
import { fitWithHooks } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { invertSPD } from '../../src/linalg/dense.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, RunSpec } from '../../src/types.js';

/** Lower Cholesky factor of a small SPD matrix given as rows. */
export function cholRows(m: number[][]): number[][] {
  const d = m.length;
  const l = m.map(() => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    let s = m[j][j];
    for (let k = 0; k < j; k++) s -= l[j][k] ** 2;
    l[j][j] = Math.sqrt(s);
    for (let i = j + 1; i < d; i++) {
      let v = m[i][j];
      for (let k = 0; k < j; k++) v -= l[i][k] * l[j][k];
      l[i][j] = v / l[j][j];
    }
  }
  return l;
}

/** A draw of N(0, Σ) given Σ's Cholesky factor rows. */
function mvn(l: number[][], z: () => number): number[] {
  const d = l.length;
  const zs = Array.from({ length: d }, z);
  return l.map((row) => row.reduce((s, v, k) => s + v * zs[k], 0));
}

/**
 * y_i = μ + s_sire + e_i for two traits, s ~ N(0, G0), e ~ N(0, R0); `missing2` of the second
 * trait's values are missing (null).
 */
export function simulateSires(sires: number, progeny: number, g0: number[][], r0: number[][], missing2: number, seed: number, mu = [10, 20]): DataRow[] {
  const rng = chainRng(seed, 0);
  const z = (): number => normal(rng);
  const lg = cholRows(g0);
  const lr = cholRows(r0);
  const rows: DataRow[] = [];
  for (let s = 0; s < sires; s++) {
    const u = mvn(lg, z);
    for (let k = 0; k < progeny; k++) {
      const e = mvn(lr, z);
      const miss = rng.uniform() < missing2;
      rows.push({ sire: `s${s}`, y1: mu[0] + u[0] + e[0], y2: miss ? null : mu[1] + u[1] + e[1] });
    }
  }
  return rows;
}

export interface MultiOracle {
  /** B trait-major (p·t), then each term's U level-major. */
  mean: Float64Array;
  cov: Float64Array;
  dim: number;
}

/** Marker columns (each over the records) with β_j ~ N(0, Σβ): a block of the oracle after the random terms. */
export interface OracleMarkers {
  cols: readonly Float64Array[];
  sigma: number[][];
}

/** The dense multivariate MME with G (per term, d × d rows) and R0 (t × t rows) known, and optionally markers. */
export function multiMmeOracle(design: Design, g: number[][][], r0: number[][], markers?: OracleMarkers): MultiOracle {
  const { n } = design;
  const { t, observed } = design.traits;
  const p = design.fixed.p;
  const offsets: number[] = [];
  let dim = p * t;
  const dims = design.random.map((r) => t * r.coefs.length);
  design.random.forEach((r, k) => {
    offsets.push(dim);
    dim += r.q * dims[k];
  });
  const markerOffset = dim;
  if (markers) dim += markers.cols.length * t;
  const x = (i: number, j: number): number => {
    for (let k = design.fixed.colPtr[j]; k < design.fixed.colPtr[j + 1]; k++) if (design.fixed.rowIdx[k] === i) return design.fixed.vals[k];
    return 0;
  };
  const lhs = new Float64Array(dim * dim);
  const rhs = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const obs = Array.from({ length: t }, (_, s) => s).filter((s) => observed[s * n + i]);
    const ro = obs.map((a) => obs.map((b) => r0[a][b]));
    const roInv = invertSPD(Float64Array.from(ro.flat()), obs.length);
    // the rows of W for the observed traits, as (column, value) lists
    const rows = obs.map((s) => {
      const entries: [number, number][] = [];
      for (let j = 0; j < p; j++) {
        const v = x(i, j);
        if (v !== 0) entries.push([s * p + j, v]);
      }
      design.random.forEach((r, k) => {
        const nc = r.coefs.length;
        for (let c = 0; c < nc; c++) {
          const zc = r.z ? r.z[i * nc + c] : 1;
          entries.push([offsets[k] + r.level[i] * dims[k] + s * nc + c, zc]);
        }
      });
      markers?.cols.forEach((x, j) => entries.push([markerOffset + j * t + s, x[i]]));
      return entries;
    });
    const o = obs.length;
    for (let a = 0; a < o; a++) {
      for (let b = 0; b < o; b++) {
        const w = roInv[a * o + b];
        for (const [ca, va] of rows[a]) {
          rhs[ca] += va * w * design.y[obs[b] * n + i];
          for (const [cb, vb] of rows[b]) lhs[ca * dim + cb] += va * w * vb;
        }
      }
    }
  }
  design.random.forEach((r, k) => {
    const d = dims[k];
    const gInv = invertSPD(Float64Array.from(g[k].flat()), d);
    const kinv = (l: number, m: number): number => {
      if (!r.cov) return l === m ? 1 : 0;
      const a = r.cov.kinv;
      for (let q = a.rowPtr[l]; q < a.rowPtr[l + 1]; q++) if (a.colIdx[q] === m) return a.values[q];
      return 0;
    };
    for (let l = 0; l < r.q; l++) {
      for (let m = 0; m < r.q; m++) {
        const kv = kinv(l, m);
        if (kv === 0) continue;
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) lhs[(offsets[k] + l * d + a) * dim + offsets[k] + m * d + b] += kv * gInv[a * d + b];
      }
    }
  });
  if (markers) {
    const sInv = invertSPD(Float64Array.from(markers.sigma.flat()), t);
    for (let j = 0; j < markers.cols.length; j++) {
      for (let a = 0; a < t; a++) for (let b = 0; b < t; b++) lhs[(markerOffset + j * t + a) * dim + markerOffset + j * t + b] += sInv[a * t + b];
    }
  }
  const cov = invertSPD(lhs, dim);
  const mean = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    let s = 0;
    for (let b = 0; b < dim; b++) s += cov[a * dim + b] * rhs[b];
    mean[a] = s;
  }
  return { mean, cov, dim };
}

/** e = y − XB − ZU with y the imputed responses, from scratch. */
export function recomputeMultiResidual(design: Design, state: ChainState): number {
  const { n } = design;
  const { t } = design.traits;
  const { y, pitch } = state.multi!;
  const p = design.fixed.p;
  let worst = 0;
  for (let s = 0; s < t; s++) {
    for (let i = 0; i < n; i++) {
      let fitted = 0;
      for (let j = 0; j < p; j++) {
        for (let k = design.fixed.colPtr[j]; k < design.fixed.colPtr[j + 1]; k++)
          if (design.fixed.rowIdx[k] === i) fitted += design.fixed.vals[k] * state.b[s * p + j];
      }
      design.random.forEach((r, k) => {
        const nc = r.coefs.length;
        const d = t * nc;
        for (let c = 0; c < nc; c++) fitted += (r.z ? r.z[i * nc + c] : 1) * state.u[k][r.level[i] * d + s * nc + c];
      });
      const e = y[s * n + i] - fitted;
      worst = Math.max(worst, Math.abs(e - state.e[s * pitch + i]) / Math.max(1, Math.abs(y[s * n + i])));
    }
  }
  return worst;
}

/** Fit `spec` in-process and return the largest deviation of e from y − XB − ZU over every sweep, and the number of sweeps. */
export async function multiResidualInvariant(spec: RunSpec): Promise<{ worst: number; sweeps: number }> {
  const { design } = prepare(spec);
  let worst = 0;
  let sweeps = 0;
  await fitWithHooks(
    spec,
    {},
    {
      afterSweep: (state) => {
        worst = Math.max(worst, recomputeMultiResidual(design, state));
        sweeps++;
      },
    },
  );
  return { worst, sweeps };
}
