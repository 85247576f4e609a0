/**
 * Cholesky factorisation and inverse of large dense SPD matrices (the dense REML systems, up to a few
 * thousand unknowns), blocked so that the work runs from cache: dense.ts's versions take one dot
 * product per entry, which streams a whole row from memory for two flops per element. Same
 * arithmetic in another order, so the last bits differ from dense.ts's; the sampler keeps dense.ts's
 * (its draws with a relationship matrix depend on those bits), and REML takes these.
 * Golub & Van Loan, Matrix Computations (4th ed.), §4.2.9 (block Cholesky) and §3.1 (triangular
 * inverse); row-major n × n arrays, lower triangle.
 */
import { addLowerProducts } from './rowProducts.js';

/** Columns per block: a panel of BLOCK columns of a few thousand rows stays in the core's cache. */
const BLOCK = 48;

/**
 * In-place A = L L' by column blocks (right-looking): factor the diagonal block, solve the panel
 * below it (L21 = A21 L11'⁻¹), and update the trailing matrix A22 −= L21 L21', two rows by four
 * columns at a time. On return the lower triangle holds L and the strict upper triangle is zeroed.
 * @returns -1 on success, or the index of the first column whose pivot is not positive.
 */
export function choleskyBlocked(a: Float64Array, n: number): number {
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const kb = Math.min(BLOCK, n - k0);
    const k1 = k0 + kb;
    // L11: the diagonal block, unblocked (its trailing part was updated by the earlier blocks)
    for (let j = k0; j < k1; j++) {
      const rj = j * n;
      let d = a[rj + j];
      for (let m = k0; m < j; m++) d -= a[rj + m] * a[rj + m];
      if (!(d > 0)) return j;
      const ljj = Math.sqrt(d);
      a[rj + j] = ljj;
      for (let i = j + 1; i < k1; i++) {
        const ri = i * n;
        let s = a[ri + j];
        for (let m = k0; m < j; m++) s -= a[ri + m] * a[rj + m];
        a[ri + j] = s / ljj;
      }
    }
    // L21 = A21 L11'⁻¹: forward substitution along each row below the block
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      for (let c = k0; c < k1; c++) {
        const rc = c * n;
        let s = a[ri + c];
        for (let m = k0; m < c; m++) s -= a[ri + m] * a[rc + m];
        a[ri + c] = s / a[rc + c];
      }
    }
    trailingUpdate(a, n, k0, k1);
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return -1;
}

/** A[i, j] −= Σ_{k0 ≤ m < k1} L[i, m] L[j, m] for k1 ≤ j ≤ i < n (the lower triangle of A22). */
function trailingUpdate(a: Float64Array, n: number, k0: number, k1: number): void {
  addLowerProducts(a, n, k1, n, a, n, k0, k1, -1);
}

/**
 * A⁻¹ = W'W from the factor L of A (A = LL', W = L⁻¹), into `inv` (n × n, both triangles), with `wt`
 * (n × n) as scratch for W' by rows (wt[j·n + k] = W[k][j], zero for k < j). W's columns come four at
 * a time by forward substitution; (A⁻¹)_ij = Σ_k W_ki W_kj by addLowerProducts over blocks of BLOCK
 * values of k.
 */
export function inverseFromCholeskyBlocked(l: Float64Array, n: number, inv: Float64Array, wt: Float64Array): void {
  wt.fill(0, 0, n * n);
  let j = 0;
  for (; j + 3 < n; j += 4) triangularColumns4(l, n, wt, j);
  for (; j < n; j++) {
    const row = j * n;
    wt[row + j] = 1 / l[j * n + j];
    for (let k = j + 1; k < n; k++) {
      const lk = k * n;
      let s = 0;
      for (let m = j; m < k; m++) s += l[lk + m] * wt[row + m];
      wt[row + k] = -s / l[lk + k];
    }
  }
  // by blocks of k: only rows i < k1 of W' are non-zero in columns k0 … k1 − 1
  inv.fill(0, 0, n * n);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const k1 = Math.min(n, k0 + BLOCK);
    addLowerProducts(inv, n, 0, k1, wt, n, k0, k1, 1);
  }
  for (let i = 0; i < n; i++) for (let c = 0; c < i; c++) inv[c * n + i] = inv[i * n + c];
}

/**
 * Columns j … j + 3 of W = L⁻¹ (rows of wt) together: W_kc = −(Σ_{c ≤ m < k} L_km W_mc)/L_kk for
 * k > c, W_cc = 1/L_cc, each L row read once for the four.
 */
function triangularColumns4(l: Float64Array, n: number, wt: Float64Array, j: number): void {
  const w0 = j * n;
  const w1 = w0 + n;
  const w2 = w1 + n;
  const w3 = w2 + n;
  for (let k = j; k < n; k++) {
    const lk = k * n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    // W_mc = 0 for m < c: the four sums can all start at j
    for (let m = j; m < k; m++) {
      const v = l[lk + m];
      s0 += v * wt[w0 + m];
      s1 += v * wt[w1 + m];
      s2 += v * wt[w2 + m];
      s3 += v * wt[w3 + m];
    }
    const d = l[lk + k];
    wt[w0 + k] = k === j ? 1 / d : -s0 / d;
    wt[w1 + k] = k === j + 1 ? 1 / d : k > j + 1 ? -s1 / d : 0;
    wt[w2 + k] = k === j + 2 ? 1 / d : k > j + 2 ? -s2 / d : 0;
    wt[w3 + k] = k === j + 3 ? 1 / d : k > j + 3 ? -s3 / d : 0;
  }
}
