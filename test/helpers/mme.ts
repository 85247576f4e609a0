/**
 * An independent dense oracle for tests: Henderson's MME for known variances, built from a Design
 * with plain loops (no code shared with the sampler's blocks).
 *   [X'X  X'Z        ] [b]   [X'y]
 *   [Z'X  Z'Z + λ_k I] [u] = [Z'y],  λ_k = σ²e/σ²u_k,
 * solution = posterior mean of (b, u) with the variances fixed, and σ²e·LHS⁻¹ = posterior covariance.
 */
import type { Design } from '../../src/model/design.js';
import { invertSPD } from '../../src/linalg/dense.js';

export interface MmeOracle {
  names: string[];
  mean: Float64Array;
  cov: Float64Array;
  dim: number;
}

export function mmeOracle(design: Design, varU: number[], varE: number): MmeOracle {
  const n = design.n;
  const p = design.fixed.p;
  const cols: Float64Array[] = [];
  const names: string[] = [...design.fixed.names];
  for (let j = 0; j < p; j++) {
    const c = new Float64Array(n);
    for (let k = design.fixed.colPtr[j]; k < design.fixed.colPtr[j + 1]; k++) c[design.fixed.rowIdx[k]] = design.fixed.vals[k];
    cols.push(c);
  }
  const lambdas: number[] = new Array(p).fill(0);
  design.random.forEach((r, k) => {
    for (let j = 0; j < r.q; j++) {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) if (r.level[i] === j) c[i] = 1;
      cols.push(c);
      names.push(`u[${r.term}:${r.levels[j]}]`);
      lambdas.push(varE / varU[k]);
    }
  });
  return { names, ...solveDense(cols, design.y, lambdas, varE) };
}

/**
 * The dense MME of columns W with ridge λ_a on column a: solution of (W'W + diag λ) θ = W'y and
 * σ²e·(W'W + diag λ)⁻¹.
 */
export function solveDense(
  cols: readonly Float64Array[],
  y: Float64Array,
  lambdas: readonly number[],
  varE: number,
): { mean: Float64Array; cov: Float64Array; dim: number } {
  const dim = cols.length;
  const n = y.length;
  const lhs = new Float64Array(dim * dim);
  const rhs = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b < dim; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += cols[a][i] * cols[b][i];
      lhs[a * dim + b] = s + (a === b ? lambdas[a] : 0);
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += cols[a][i] * y[i];
    rhs[a] = s;
  }
  const inv = invertSPD(lhs, dim);
  const mean = new Float64Array(dim);
  for (let a = 0; a < dim; a++) {
    let s = 0;
    for (let b = 0; b < dim; b++) s += inv[a * dim + b] * rhs[b];
    mean[a] = s;
  }
  return { mean, cov: inv.map((v) => v * varE), dim };
}
