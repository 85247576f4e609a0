/**
 * Sparse symmetric matrices in CSR form (both triangles stored) and the iterative solvers of the MME:
 * Jacobi-preconditioned conjugate gradients, and Gauss–Seidel (Saad 2003, Iterative Methods for Sparse Linear Systems, ch. 4 and 9).
 */

export interface SparseSym {
  n: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float64Array;
}

/** y = A x. */
export function spmv(a: SparseSym, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < a.n; i++) {
    let s = 0;
    for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) s += a.values[k] * x[a.colIdx[k]];
    y[i] = s;
  }
}

/** Diagonal of A. */
export function diagonal(a: SparseSym): Float64Array {
  const d = new Float64Array(a.n);
  for (let i = 0; i < a.n; i++) for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) if (a.colIdx[k] === i) d[i] += a.values[k];
  return d;
}

/** Dense row-major copy. */
export function toDense(a: SparseSym): Float64Array {
  const out = new Float64Array(a.n * a.n);
  for (let i = 0; i < a.n; i++) for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) out[i * a.n + a.colIdx[k]] += a.values[k];
  return out;
}

export interface IterativeResult {
  x: Float64Array;
  iterations: number;
  /** ||b − Ax|| / ||b|| at the end. */
  relativeResidual: number;
  converged: boolean;
}

/** Solve A x = b by conjugate gradients with the Jacobi (diagonal) preconditioner. */
export function pcg(a: SparseSym, b: Float64Array, tol = 1e-10, maxIter = 10 * a.n + 100, x0?: Float64Array): IterativeResult {
  const n = a.n;
  const x = x0 ? Float64Array.from(x0) : new Float64Array(n);
  const dinv = diagonal(a).map((v) => (v !== 0 ? 1 / v : 1));
  const r = new Float64Array(n);
  spmv(a, x, r);
  for (let i = 0; i < n; i++) r[i] = b[i] - r[i];
  const z = r.map((v, i) => v * dinv[i]);
  const p = Float64Array.from(z);
  const q = new Float64Array(n);
  let rz = dot(r, z);
  const bnorm = Math.sqrt(dot(b, b)) || 1;
  let it = 0;
  let res = Math.sqrt(dot(r, r)) / bnorm;
  while (res > tol && it < maxIter) {
    spmv(a, p, q);
    const alpha = rz / dot(p, q);
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * q[i];
      z[i] = r[i] * dinv[i];
    }
    const rzNew = dot(r, z);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
    it++;
    res = Math.sqrt(dot(r, r)) / bnorm;
  }
  return { x, iterations: it, relativeResidual: res, converged: res <= tol };
}

/** Solve A x = b by Gauss–Seidel sweeps until the largest change is below tol·max|x|. */
export function gaussSeidel(a: SparseSym, b: Float64Array, tol = 1e-10, maxIter = 100000): IterativeResult {
  const n = a.n;
  const x = new Float64Array(n);
  const d = diagonal(a);
  let it = 0;
  let change = Infinity;
  while (change > tol && it < maxIter) {
    change = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let k = a.rowPtr[i]; k < a.rowPtr[i + 1]; k++) if (a.colIdx[k] !== i) s -= a.values[k] * x[a.colIdx[k]];
      const next = s / d[i];
      change = Math.max(change, Math.abs(next - x[i]));
      scale = Math.max(scale, Math.abs(next));
      x[i] = next;
    }
    change /= scale || 1;
    it++;
  }
  const r = new Float64Array(n);
  spmv(a, x, r);
  let rr = 0;
  for (let i = 0; i < n; i++) rr += (b[i] - r[i]) ** 2;
  const res = Math.sqrt(rr) / (Math.sqrt(dot(b, b)) || 1);
  return { x, iterations: it, relativeResidual: res, converged: change <= tol };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
