/**
 * Small dense linear algebra on row-major Float64Array square matrices. Used for the fixed-effect
 * block (X'X is p × p with p small) and for oracles in tests. Large systems go to src/linalg sparse
 * solvers or ml-matrix.
 */

/**
 * In-place Cholesky factorisation A = L L' of a symmetric positive-definite n × n matrix: on return
 * the lower triangle of `a` holds L and the strict upper triangle is zeroed.
 * @returns -1 on success, or the index of the first column whose pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): number {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let i = 0; i < j; i++) a[i * n + j] = 0;
  }
  return -1;
}

/** Solve L x = b in place (b becomes x), L lower triangular row-major n × n. */
export function forwardSolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Solve L' x = b in place (b becomes x), with L lower triangular row-major n × n. */
export function backSolveTransposed(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/** Solve A x = b in place given the Cholesky factor L of A. */
export function cholSolve(l: Float64Array, n: number, b: Float64Array): void {
  forwardSolve(l, n, b);
  backSolveTransposed(l, n, b);
}

/**
 * Inverse of A from its Cholesky factor L (A = LL'): the columns of W = L⁻¹ by forward substitution,
 * stored as rows of Wt so that every inner loop runs over contiguous memory, then A⁻¹ = W'W with
 * (A⁻¹)_ij = Σ_{k ≥ max(i,j)} W_ki W_kj. About 2n³/3 flops in all with the factorisation.
 */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const wt = new Float64Array(n * n); // wt[j·n + k] = W[k][j] = (L⁻¹)_kj, zero for k < j
  for (let j = 0; j < n; j++) {
    const row = j * n;
    wt[row + j] = 1 / l[j * n + j];
    for (let k = j + 1; k < n; k++) {
      let s = 0;
      const lk = k * n;
      for (let t = j; t < k; t++) s += l[lk + t] * wt[row + t];
      wt[row + k] = -s / l[lk + k];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += wt[ri + k] * wt[rj + k];
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}

/**
 * Inverse of a symmetric positive-definite matrix, as a new row-major array.
 * @throws Error when the matrix is not positive definite.
 */
export function invertSPD(a: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  const bad = choleskyInPlace(l, n);
  if (bad >= 0) throw new Error(`matrix is not positive definite (pivot ${bad})`);
  return inverseFromCholesky(l, n);
}
