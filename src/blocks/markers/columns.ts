/**
 * The column kernels of the single-site Gibbs sweep with residual updating (BGLR's sample_beta in C;
 * Pérez & de los Campos 2014): for marker j with column x_j and current effect β_j, every prior's full
 * conditional needs r_j = x_j'e + x_j'x_j β_j, and after drawing β_j,new the residual becomes
 * e ← e + x_j (β_j − β_j,new) (skipped when the effect stays 0). These loops are the only place the
 * marker sweep's inner loops live.
 */

/** x_j'e for column j (offset off = j·n) of a column-major Float32 matrix. */
export function dotCol(x: Float32Array, off: number, e: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[off + i] * e[i];
  return s;
}

/** e ← e + a·x_j (unrolled by four: the JIT then keeps the loads and stores in flight). */
export function axpyCol(x: Float32Array, off: number, e: Float64Array, n: number, a: number): void {
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    e[i] += a * x[off + i];
    e[i + 1] += a * x[off + i + 1];
    e[i + 2] += a * x[off + i + 2];
    e[i + 3] += a * x[off + i + 3];
  }
  for (; i < n; i++) e[i] += a * x[off + i];
}

/**
 * The previous marker's pending residual update fused with the next marker's dot product, in one
 * pass over e: e ← e + a·x_prev, then return x_next'e. A sweep visits e once per marker instead of
 * twice (about a third faster on wheat).
 */
export function axpyDotCol(x: Float32Array, offPrev: number, a: number, off: number, e: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  const n2 = n - (n % 2);
  let i = 0;
  for (; i < n2; i += 2) {
    const e0 = e[i] + a * x[offPrev + i];
    const e1 = e[i + 1] + a * x[offPrev + i + 1];
    e[i] = e0;
    e[i + 1] = e1;
    s0 += x[off + i] * e0;
    s1 += x[off + i + 1] * e1;
  }
  if (i < n) {
    const e0 = e[i] + a * x[offPrev + i];
    e[i] = e0;
    s0 += x[off + i] * e0;
  }
  return s0 + s1;
}

/**
 * The residual updates of a sweep, applied lazily: the update of marker j is fused into the dot
 * product of the next marker that needs e (see axpyDotCol), and `flush` applies the last one.
 * Reusable (one per block); no allocation per marker.
 */
export class ResidualUpdates {
  private off = -1;
  private a = 0;

  /** x_j'e with every earlier update applied. */
  dot(x: Float32Array, off: number, e: Float64Array, n: number): number {
    if (this.off < 0) return dotCol(x, off, e, n);
    const s = axpyDotCol(x, this.off, this.a, off, e, n);
    this.off = -1;
    return s;
  }

  /** Schedule e ← e + a·x_j (nothing when a = 0). */
  add(off: number, a: number, x: Float32Array, e: Float64Array, n: number): void {
    if (a === 0) return;
    if (this.off >= 0) axpyCol(x, this.off, e, n, this.a);
    this.off = off;
    this.a = a;
  }

  /** Apply what is pending; after this e = y − fitted again. */
  flush(x: Float32Array, e: Float64Array, n: number): void {
    if (this.off >= 0) axpyCol(x, this.off, e, n, this.a);
    this.off = -1;
  }
}
