/**
 * Dense linear algebra on row-major Float64Array square matrices: the fixed-effect block (X'X, p × p),
 * relationship matrices, and dense REML up to a few thousand unknowns (faster here than ml-matrix's
 * arrays of arrays). Sparse systems use sparse.ts and sparseCholesky.ts.
 */

/**
 * In-place Cholesky factorisation A = L L' of a symmetric positive-definite n × n matrix: on return
 * the lower triangle of `a` holds L and the strict upper triangle is zeroed.
 * @returns -1 on success, or the index of the first column whose pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): number {
  for (let j = 0; j < n; j++) {
    const d = a[j * n + j] - dot(a, j * n, a, j * n, j);
    if (!(d > 0)) return j;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) a[i * n + j] = (a[i * n + j] - dot(a, i * n, a, j * n, j)) / ljj;
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
  const inv = new Float64Array(n * n);
  inverseFromCholeskyInto(l, n, inv, new Float64Array(n * n));
  return inv;
}

/** inverseFromCholesky into `inv` (n × n), with `wt` (n × n) as scratch: no allocation. */
export function inverseFromCholeskyInto(l: Float64Array, n: number, inv: Float64Array, wt: Float64Array): void {
  wt.fill(0, 0, n * n); // wt[j·n + k] = W[k][j] = (L⁻¹)_kj, zero for k < j
  for (let j = 0; j < n; j++) {
    const row = j * n;
    wt[row + j] = 1 / l[j * n + j];
    for (let k = j + 1; k < n; k++) wt[row + k] = -dot(l, k * n + j, wt, row + j, k - j) / l[k * n + k];
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const s = dot(wt, ri + i, wt, j * n + i, n - i);
      inv[ri + j] = s;
      inv[j * n + i] = s;
    }
  }
}

/** out = L x, L lower triangular n × n row-major (its upper triangle not read). Mutates: out. */
export function lowerTimes(l: Float64Array, n: number, x: ArrayLike<number>, out: Float64Array): void {
  for (let a = 0; a < n; a++) {
    let s = 0;
    const row = a * n;
    for (let b = 0; b <= a; b++) s += l[row + b] * x[b];
    out[a] = s;
  }
}

/** out = A x, A n × n row-major; returns xᵀout (x'Ax). Mutates: out. */
export function matVec(a: Float64Array, n: number, x: Float64Array, out: Float64Array): number {
  let quad = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let k = 0; k < n; k++) s += a[row + k] * x[k];
    out[i] = s;
    quad += x[i] * s;
  }
  return quad;
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

/**
 * out ← A⁻¹ of a symmetric positive-definite n × n matrix, with `scratch` (at least 2n² values):
 * no allocation.
 * @throws Error when A is not positive definite.
 */
export function invertSPDInto(a: Float64Array, n: number, out: Float64Array, scratch: Float64Array): void {
  const l = scratch.subarray(0, n * n);
  l.set(a.subarray(0, n * n));
  if (choleskyInPlace(l, n) >= 0) throw new Error('a covariance matrix is not positive definite');
  inverseFromCholeskyInto(l, n, out, scratch.subarray(n * n, 2 * n * n));
}

/** Σ_{t < len} x[xo + t]·y[yo + t], with four running sums so that the adds do not wait on each other. */
function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < len; t += 4) {
    s0 += x[xo + t] * y[yo + t];
    s1 += x[xo + t + 1] * y[yo + t + 1];
    s2 += x[xo + t + 2] * y[yo + t + 2];
    s3 += x[xo + t + 3] * y[yo + t + 3];
  }
  for (; t < len; t++) s0 += x[xo + t] * y[yo + t];
  return s0 + s1 + s2 + s3;
}
