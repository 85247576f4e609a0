/**
 * Factorising the MME coefficient matrix C for REML: dense for small or dense systems, sparse Cholesky
 * with a minimum-degree ordering and the Takahashi selected inverse otherwise, with the symbolic
 * analysis kept across iterations (only the values change with the variance ratios).
 */
import { MixmcError } from '../errors.js';
import { choleskyBlocked, inverseFromCholeskyBlocked } from '../linalg/blockedCholesky.js';
import { cholSolve } from '../linalg/dense.js';
import { type SparseSym, toDense } from '../linalg/sparse.js';
import { SymbolicCholesky } from '../linalg/sparseCholesky.js';
import { denseC, sparseC, type Mme } from './mme.js';

/** What REML needs of a factorised SPD matrix: log|A|, solves, and entries of A⁻¹ on A's pattern. */
export interface Factor {
  logDet: number;
  solve(b: Float64Array): Float64Array;
  inv(i: number, j: number): number;
}

/** Dense systems at most up to this size; sparse Cholesky (minimum degree) with a selected inverse beyond. */
export const DENSE_REML_LIMIT = 3000;
/**
 * A dense system (≥ DENSE_FRACTION non-zero: a genomic term's K⁻¹ ⊗ G⁻¹) is factored densely up to
 * this size (C, its factor and its inverse take 3 × 8m² bytes: 600 MB at 5,000); the sparse code on
 * such a matrix fills in completely and is many times slower.
 */
export const DENSE_SYSTEM_LIMIT = 5000;
/** Below this many unknowns a dense factorisation is always cheap. */
const SMALL_SYSTEM = 300;
/** C with at least this fraction of its entries non-zero is factored densely (GBLUP's dense G⁻¹). */
const DENSE_FRACTION = 0.05;

function denseFactor(c: Float64Array, m: number): Factor | undefined {
  const l = Float64Array.from(c);
  if (choleskyBlocked(l, m) >= 0) return undefined;
  let logDet = 0;
  for (let i = 0; i < m; i++) logDet += 2 * Math.log(l[i * m + i]);
  let inverse: Float64Array | undefined;
  return {
    logDet,
    solve: (b) => {
      const x = Float64Array.from(b);
      cholSolve(l, m, x);
      return x;
    },
    inv: (i, j) => {
      if (!inverse) {
        inverse = new Float64Array(m * m);
        inverseFromCholeskyBlocked(l, m, inverse, new Float64Array(m * m));
      }
      return inverse[i * m + j];
    },
  };
}

/**
 * Factors symmetric positive-definite matrices of one pattern, many times: dense when the system is
 * small (≤ SMALL_SYSTEM) or dense (≥ DENSE_FRACTION non-zero, up to DENSE_SYSTEM_LIMIT), sparse
 * otherwise with the ordering and symbolic analysis done once (only the values change).
 */
export class SpdFactorizer {
  private symbolic: SymbolicCholesky | undefined;
  private readonly sparse: boolean;

  /** @param force true: sparse; false: dense; undefined: chosen from the size and density of `a`. */
  constructor(a: SparseSym, force?: boolean) {
    const m = a.n;
    const dense = a.colIdx.length >= DENSE_FRACTION * m * m;
    this.sparse = m > (dense ? DENSE_SYSTEM_LIMIT : DENSE_REML_LIMIT) || (force ?? (m > SMALL_SYSTEM && !dense));
  }

  /** @returns undefined when `a` is not positive definite. */
  factor(a: SparseSym): Factor | undefined {
    if (!this.sparse) return denseFactor(toDense(a), a.n);
    if (!this.symbolic?.matches(a)) this.symbolic = SymbolicCholesky.analyze(a);
    const l = this.symbolic.factor(a);
    return l && { logDet: l.logDet, solve: (b) => l.solve(b), inv: (i, j) => l.inverseEntry(i, j) };
  }
}

/**
 * Factors C (or its random block C_uu for ML) for one MME at any λ. Dense when the system is small
 * (≤ SMALL_SYSTEM unknowns) or dense (≥ DENSE_FRACTION of C non-zero, up to DENSE_REML_LIMIT);
 * sparse otherwise, with the ordering and symbolic factorisation done once per block, since λ
 * changes the values of C but not its pattern. (A 2,000-animal random-mating pedigree took 37 s
 * dense and 2.4 s sparse with the analysis kept.)
 */
export class CFactorizer {
  private readonly sparse: boolean;
  private readonly factorizers = new Map<'all' | 'random', SpdFactorizer>();

  constructor(
    private readonly mme: Mme,
    force?: boolean,
  ) {
    const m = mme.m;
    let nnz = mme.wtw.colIdx.length;
    for (const t of mme.terms) nnz += t.kinv ? t.kinv.colIdx.length : t.q;
    this.sparse = m > DENSE_REML_LIMIT || (force ?? (m > SMALL_SYSTEM && nnz < DENSE_FRACTION * m * m));
  }

  factor(lambdas: readonly number[], block: 'all' | 'random'): Factor {
    const mme = this.mme;
    const skip = block === 'all' ? 0 : mme.p;
    const size = mme.m - skip;
    let f: Factor | undefined;
    if (!this.sparse) {
      const c = denseC(mme, lambdas);
      if (skip === 0) f = denseFactor(c, size);
      else {
        const sub = new Float64Array(size * size);
        for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) sub[i * size + j] = c[(skip + i) * mme.m + skip + j];
        f = denseFactor(sub, size);
      }
    } else {
      const full = sparseC(mme, lambdas);
      const a = skip === 0 ? full : subMatrix(full, skip);
      let factorizer = this.factorizers.get(block);
      if (!factorizer) {
        factorizer = new SpdFactorizer(a, true);
        this.factorizers.set(block, factorizer);
      }
      f = factorizer.factor(a);
    }
    if (!f) throw new MixmcError('the mixed-model equations are singular (a fixed effect not estimable?)', { term: 'formula' });
    return f;
  }
}

/** Rows and columns ≥ skip of a CSR matrix, reindexed from 0. */
function subMatrix(a: SparseSym, skip: number): SparseSym {
  const n = a.n - skip;
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let t = a.rowPtr[skip + i]; t < a.rowPtr[skip + i + 1]; t++) {
      if (a.colIdx[t] >= skip) {
        cols.push(a.colIdx[t] - skip);
        vals.push(a.values[t]);
      }
    }
    rowPtr[i + 1] = cols.length;
  }
  return { n, rowPtr, colIdx: Int32Array.from(cols), values: Float64Array.from(vals) };
}
