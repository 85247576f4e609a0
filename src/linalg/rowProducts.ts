/**
 * Products of rows, out(i, j) = Σ_m x_im y_jm, two rows by four columns at a time in eight running
 * sums: each load of x serves four products and each load of y two, and a block of y's rows is read
 * from cache for every pair of x's rows. The one kernel behind the blocked dense REML
 * (blockedCholesky.ts: the trailing update and W'W), the genomic terms' K = MM' and K⁻¹M, and
 * VanRaden's G. Every entry takes its products in ascending m, so the bits are those of the plain
 * loops.
 */

/**
 * With S = sign·Σ_{from ≤ m < to} x[i·xs + m]·y[j·ys + m] summed from 0 in ascending m, the entry
 * out[i·oi + j·oj] becomes S, or itself plus S with `add`, for rows first ≤ i < last and columns
 * colFirst ≤ j < colLast, or with colLast = LOWER the columns colFirst ≤ j ≤ i (then entry (i, i + 1)
 * of a pair of rows is written as well: scratch above the diagonal).
 */
function tileProducts(
  out: Float64Array,
  oi: number,
  oj: number,
  x: Float64Array,
  xs: number,
  y: Float64Array,
  ys: number,
  first: number,
  last: number,
  colFirst: number,
  colLast: number,
  from: number,
  to: number,
  sign: number,
  add: boolean,
): void {
  let i = first;
  for (; i + 1 < last; i += 2) {
    const r0 = i * xs;
    const r1 = r0 + xs;
    const end = colLast === LOWER ? i + 2 : colLast;
    let j = colFirst;
    for (; j + 4 <= end; j += 4) {
      const q0 = j * ys;
      const q1 = q0 + ys;
      const q2 = q1 + ys;
      const q3 = q2 + ys;
      const o0 = i * oi + j * oj;
      const o1 = o0 + oi;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let m = from; m < to; m++) {
        const x0 = sign * x[r0 + m];
        const x1 = sign * x[r1 + m];
        const y0 = y[q0 + m];
        const y1 = y[q1 + m];
        const y2 = y[q2 + m];
        const y3 = y[q3 + m];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      out[o0] = add ? out[o0] + s00 : s00;
      out[o0 + oj] = add ? out[o0 + oj] + s01 : s01;
      out[o0 + 2 * oj] = add ? out[o0 + 2 * oj] + s02 : s02;
      out[o0 + 3 * oj] = add ? out[o0 + 3 * oj] + s03 : s03;
      out[o1] = add ? out[o1] + s10 : s10;
      out[o1 + oj] = add ? out[o1 + oj] + s11 : s11;
      out[o1 + 2 * oj] = add ? out[o1 + 2 * oj] + s12 : s12;
      out[o1 + 3 * oj] = add ? out[o1 + 3 * oj] + s13 : s13;
    }
    for (; j < end; j++) {
      rowProduct(out, i * oi + j * oj, x, r0, y, j * ys, from, to, sign, add);
      rowProduct(out, (i + 1) * oi + j * oj, x, r1, y, j * ys, from, to, sign, add);
    }
  }
  if (i < last) {
    const end = colLast === LOWER ? i + 1 : colLast;
    for (let j = colFirst; j < end; j++) rowProduct(out, i * oi + j * oj, x, i * xs, y, j * ys, from, to, sign, add);
  }
}

/** colLast of tileProducts for the lower triangle. */
const LOWER = -1;

/** One entry of tileProducts: out[o] ← sign·Σ_{from ≤ m < to} x[r + m]·y[q + m], or out[o] plus it with `add`. */
function rowProduct(
  out: Float64Array,
  o: number,
  x: Float64Array,
  r: number,
  y: Float64Array,
  q: number,
  from: number,
  to: number,
  sign: number,
  add: boolean,
): void {
  let s = 0;
  for (let m = from; m < to; m++) s += sign * x[r + m] * y[q + m];
  out[o] = add ? out[o] + s : s;
}

/**
 * out[i, j] += sign · Σ_{from ≤ m < to} x[i, m] x[j, m] for first ≤ j ≤ i < last (out n × n
 * row-major, x's rows `stride` apart; out's strict upper triangle is scratch, written beside the
 * diagonal), the sum taken from 0 in ascending m and then added. `x` may be `out` when the columns it
 * reads are outside those written.
 */
export function addLowerProducts(
  out: Float64Array,
  n: number,
  first: number,
  last: number,
  x: Float64Array,
  stride: number,
  from: number,
  to: number,
  sign: 1 | -1,
): void {
  tileProducts(out, n, 1, x, stride, x, stride, first, last, first, LOWER, from, to, sign, true);
}

/**
 * out[c·n + i] = Σ_k a[i·n + k]·v[c·n + k] for i < n, c < count: A (n × n row-major) times `count`
 * vectors stored one after another, each product summed in ascending k as matVec sums it.
 */
export function matTimesVectors(a: Float64Array, n: number, v: Float64Array, count: number, out: Float64Array): void {
  tileProducts(out, 1, n, a, n, v, n, 0, n, 0, count, 0, n, 1, false);
}
