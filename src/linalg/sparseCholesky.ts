/**
 * Sparse Cholesky factorisation of a symmetric positive-definite matrix with a minimum-degree
 * ordering, and its selected inverse (the entries of A⁻¹ on the pattern of L), which REML needs for
 * the traces tr(K⁻¹ C^{uu}) and the prediction error variances of large animal models.
 *
 * - Ordering: minimum degree on the elimination graph (Tinney & Walker 1967; George & Liu 1989):
 *   eliminate a node of smallest degree and join its neighbours into a clique. The neighbours of the
 *   k-th eliminated node are exactly the below-diagonal pattern of column k of L, so the symbolic
 *   factorisation comes with the ordering.
 * - Numeric factorisation: left-looking, column by column (George & Liu 1981, §5), separate from the
 *   symbolic analysis so that matrices of one pattern are ordered once.
 * - Selected inverse Z = A⁻¹ on the pattern of L by the Takahashi recurrences (Takahashi, Fagan &
 *   Chin 1973; Erisman & Tinney 1975): for j from n−1 down to 0, with L_jj the pivot,
 *     Z_ij = −(1/L_jj) Σ_{k ∈ pat(j)} L_kj Z_ik  (i ∈ pat(j)),
 *     Z_jj = 1/L_jj² − (1/L_jj) Σ_{k ∈ pat(j)} L_kj Z_kj,
 *   every Z_ik needed lying on the pattern of column min(i, k) (the pattern is chordal).
 */
import type { SparseSym } from './sparse.js';

/**
 * The symbolic part of the factorisation, which depends on the pattern of A only: the ordering, the
 * pattern of L and its row structure. REML factors matrices of one pattern many times (only λ
 * changes), so it analyses once and factors many times.
 */
export class SymbolicCholesky {
  readonly n: number;
  readonly perm: Int32Array;
  readonly iperm: Int32Array;
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  /** rowCols[rowPtr[j] … rowPtr[j + 1]): the columns k < j with L_jk ≠ 0, in increasing k. */
  private readonly rowPtr: Int32Array;
  private readonly rowCols: Int32Array;
  /** The pattern of A it was made for. */
  private readonly aRowPtr: Int32Array;
  private readonly aColIdx: Int32Array;

  private constructor(a: SparseSym) {
    const n = a.n;
    this.n = n;
    this.aRowPtr = Int32Array.from(a.rowPtr);
    this.aColIdx = Int32Array.from(a.colIdx);
    const { perm, pattern } = minimumDegree(a);
    this.perm = perm;
    const iperm = new Int32Array(n);
    for (let k = 0; k < n; k++) iperm[perm[k]] = k;
    this.iperm = iperm;
    // pattern of column k (permuted row indices > k), sorted
    const colPtr = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) colPtr[k + 1] = colPtr[k] + 1 + pattern[k].length;
    const rowIdx = new Int32Array(colPtr[n]);
    for (let k = 0; k < n; k++) {
      rowIdx[colPtr[k]] = k;
      const rows = Int32Array.from(pattern[k], (o) => iperm[o]).sort();
      rowIdx.set(rows, colPtr[k] + 1);
    }
    this.colPtr = colPtr;
    this.rowIdx = rowIdx;
    const rowCount = new Int32Array(n);
    for (let k = 0; k < n; k++) for (let t = colPtr[k] + 1; t < colPtr[k + 1]; t++) rowCount[rowIdx[t]]++;
    const rowPtr = new Int32Array(n + 1);
    for (let j = 0; j < n; j++) rowPtr[j + 1] = rowPtr[j] + rowCount[j];
    const rowCols = new Int32Array(rowPtr[n]);
    const fill = rowPtr.slice(0, n);
    for (let k = 0; k < n; k++) for (let t = colPtr[k] + 1; t < colPtr[k + 1]; t++) rowCols[fill[rowIdx[t]]++] = k;
    this.rowPtr = rowPtr;
    this.rowCols = rowCols;
  }

  /** Order A and find the pattern of its factor. */
  static analyze(a: SparseSym): SymbolicCholesky {
    return new SymbolicCholesky(a);
  }

  /** Whether A has the pattern this analysis was made for. */
  matches(a: SparseSym): boolean {
    if (a.n !== this.n || a.colIdx.length !== this.aColIdx.length) return false;
    for (let i = 0; i <= a.n; i++) if (a.rowPtr[i] !== this.aRowPtr[i]) return false;
    for (let t = 0; t < a.colIdx.length; t++) if (a.colIdx[t] !== this.aColIdx[t]) return false;
    return true;
  }

  /** Numeric factorisation (left-looking, column by column), or undefined when A is not positive definite. */
  factor(a: SparseSym): SparseCholesky | undefined {
    const { n, perm, iperm, colPtr, rowIdx, rowPtr, rowCols } = this;
    const values = new Float64Array(colPtr[n]);
    // next[k]: position in column k of the first row ≥ the current column
    const next = Int32Array.from(colPtr.subarray(0, n), (p) => p + 1);
    const x = new Float64Array(n);
    let logDet = 0;
    for (let j = 0; j < n; j++) {
      // scatter column perm[j] of A (rows ≥ j in the new order)
      const oj = perm[j];
      for (let t = a.rowPtr[oj]; t < a.rowPtr[oj + 1]; t++) {
        const i = iperm[a.colIdx[t]];
        if (i >= j) x[i] += a.values[t];
      }
      for (let r = rowPtr[j]; r < rowPtr[j + 1]; r++) {
        const k = rowCols[r];
        const p = next[k];
        const ljk = values[p];
        for (let t = p; t < colPtr[k + 1]; t++) x[rowIdx[t]] -= values[t] * ljk;
        next[k] = p + 1;
      }
      const d = x[j];
      if (!(d > 0)) return undefined;
      const ljj = Math.sqrt(d);
      logDet += 2 * Math.log(ljj);
      values[colPtr[j]] = ljj;
      x[j] = 0;
      for (let t = colPtr[j] + 1; t < colPtr[j + 1]; t++) {
        values[t] = x[rowIdx[t]] / ljj;
        x[rowIdx[t]] = 0;
      }
    }
    return new SparseCholesky(this, values, logDet);
  }
}

export class SparseCholesky {
  readonly n: number;
  /** perm[k] = original index of the k-th pivot; iperm is its inverse. */
  readonly perm: Int32Array;
  readonly iperm: Int32Array;
  /** L in CSC (permuted indices), diagonal first in each column, rows ascending after it. */
  readonly colPtr: Int32Array;
  readonly rowIdx: Int32Array;
  readonly values: Float64Array;
  readonly logDet: number;
  private zvals: Float64Array | undefined;

  constructor(symbolic: SymbolicCholesky, values: Float64Array, logDet: number) {
    this.n = symbolic.n;
    this.perm = symbolic.perm;
    this.iperm = symbolic.iperm;
    this.colPtr = symbolic.colPtr;
    this.rowIdx = symbolic.rowIdx;
    this.values = values;
    this.logDet = logDet;
  }

  /** Order, factor, or return undefined when A is not positive definite. */
  static factor(a: SparseSym): SparseCholesky | undefined {
    return SymbolicCholesky.analyze(a).factor(a);
  }

  /** Solve A x = b (original indices). */
  solve(b: Float64Array): Float64Array {
    const n = this.n;
    const y = new Float64Array(n);
    for (let k = 0; k < n; k++) y[k] = b[this.perm[k]];
    const { colPtr, rowIdx, values } = this;
    for (let j = 0; j < n; j++) {
      y[j] /= values[colPtr[j]];
      const yj = y[j];
      for (let t = colPtr[j] + 1; t < colPtr[j + 1]; t++) y[rowIdx[t]] -= values[t] * yj;
    }
    for (let j = n - 1; j >= 0; j--) {
      let s = y[j];
      for (let t = colPtr[j] + 1; t < colPtr[j + 1]; t++) s -= values[t] * y[rowIdx[t]];
      y[j] = s / values[colPtr[j]];
    }
    const out = new Float64Array(n);
    for (let k = 0; k < n; k++) out[this.perm[k]] = y[k];
    return out;
  }

  /** (A⁻¹)_ij for original indices (i, j) on the pattern of A (or of L); computed once by Takahashi. */
  inverseEntry(i: number, j: number): number {
    const z = this.selectedInverse();
    const a = this.iperm[i];
    const b = this.iperm[j];
    const c = Math.min(a, b);
    const r = Math.max(a, b);
    const t = this.find(c, r);
    if (t < 0) throw new Error(`(${i}, ${j}) is not on the pattern of the factor`);
    return z[t];
  }

  private find(col: number, row: number): number {
    if (row === col) return this.colPtr[col];
    let lo = this.colPtr[col] + 1;
    let hi = this.colPtr[col + 1] - 1;
    const r = this.rowIdx;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (r[mid] === row) return mid;
      if (r[mid] < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * The Takahashi recurrences column by column from the last, each column's sums gathered by walking
   * the columns k ∈ pat(j) already done: an entry Z_ik (i > k, both in pat(j)) stored in column k
   * serves the sum of Z_ij (term L_kj Z_ik) and that of Z_kj (term L_ij Z_ki). Rows of pat(j) are
   * found through a position map, so no search is needed.
   */
  private selectedInverse(): Float64Array {
    if (this.zvals) return this.zvals;
    const { n, colPtr, rowIdx, values } = this;
    const z = new Float64Array(values.length);
    const pos = new Int32Array(n).fill(-1);
    const acc = new Float64Array(n);
    for (let j = n - 1; j >= 0; j--) {
      const ljj = values[colPtr[j]];
      const start = colPtr[j] + 1;
      const end = colPtr[j + 1];
      for (let t = start; t < end; t++) pos[rowIdx[t]] = t;
      for (let tk = start; tk < end; tk++) {
        const k = rowIdx[tk];
        const lkj = values[tk];
        let ak = lkj * z[colPtr[k]];
        for (let tt = colPtr[k] + 1; tt < colPtr[k + 1]; tt++) {
          const ti = pos[rowIdx[tt]];
          if (ti < 0) continue;
          acc[rowIdx[tt]] += lkj * z[tt];
          ak += values[ti] * z[tt];
        }
        acc[k] += ak;
      }
      let s = 0;
      for (let t = start; t < end; t++) {
        const i = rowIdx[t];
        z[t] = -acc[i] / ljj;
        s += values[t] * z[t];
        acc[i] = 0;
        pos[i] = -1;
      }
      z[colPtr[j]] = 1 / (ljj * ljj) - s / ljj;
    }
    this.zvals = z;
    return z;
  }
}

/**
 * Minimum-degree ordering on the elimination graph, with the neighbours of every eliminated node
 * (the below-diagonal pattern of its column of L, as original indices).
 */
function minimumDegree(a: SparseSym): { perm: Int32Array; pattern: number[][] } {
  const n = a.n;
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set());
  for (let i = 0; i < n; i++) for (let t = a.rowPtr[i]; t < a.rowPtr[i + 1]; t++) if (a.colIdx[t] !== i) adj[i].add(a.colIdx[t]);
  // degree buckets
  const buckets: Set<number>[] = [];
  const bucket = (d: number): Set<number> => (buckets[d] ??= new Set());
  for (let i = 0; i < n; i++) bucket(adj[i].size).add(i);
  const eliminated = new Uint8Array(n);
  const perm = new Int32Array(n);
  const pattern: number[][] = new Array(n);
  let minDeg = 0;
  for (let k = 0; k < n; k++) {
    while (!buckets[minDeg] || buckets[minDeg].size === 0) minDeg++;
    if (minDeg === n - k - 1 && minDeg > 0) {
      // every remaining node is joined to all others: a clique, whose order does not matter
      const rest = buckets[minDeg];
      const order = [...rest];
      order.forEach((u, t) => {
        perm[k + t] = u;
        pattern[k + t] = order.slice(t + 1);
      });
      rest.clear();
      break;
    }
    const v = buckets[minDeg].values().next().value as number;
    buckets[minDeg].delete(v);
    eliminated[v] = 1;
    perm[k] = v;
    const nb = [...adj[v]];
    pattern[k] = nb;
    for (const u of nb) {
      const before = adj[u].size;
      adj[u].delete(v);
      for (const w of nb) if (w !== u) adj[u].add(w);
      const after = adj[u].size;
      if (after !== before) {
        buckets[before].delete(u);
        bucket(after).add(u);
        if (after < minDeg) minDeg = after;
      }
    }
    adj[v].clear();
  }
  return { perm, pattern };
}
