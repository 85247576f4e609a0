/** Dense products: the row-product tiles give the bits of the plain loops; the blocked Cholesky factor and inverse agree with the unblocked ones. */
import { describe, expect, it } from 'vitest';
import { choleskyBlocked, inverseFromCholeskyBlocked } from '../../src/linalg/blockedCholesky.js';
import { choleskyInPlace, inverseFromCholesky, matVec } from '../../src/linalg/dense.js';
import { addLowerProducts, matTimesVectors } from '../../src/linalg/rowProducts.js';
import { chainRng } from '../../src/rng/rng.js';

describe('matTimesVectors', () => {
  it('equals matVec bit for bit for every vector, for odd and even n and counts that leave a partial group of four', () => {
    const rng = chainRng(3, 0);
    for (const [n, room, count] of [
      [7, 8, 7],
      [12, 8, 8],
      [33, 12, 10],
      [1, 4, 3],
    ]) {
      const a = Float64Array.from({ length: n * n }, () => rng.uniform() - 0.5);
      const v = Float64Array.from({ length: n * room }, () => rng.uniform() * 4 - 2);
      const out = new Float64Array(n * room).fill(Number.NaN);
      matTimesVectors(a, n, v, count, out);
      const want = new Float64Array(n);
      for (let c = 0; c < room; c++) {
        matVec(a, n, v.subarray(c * n, (c + 1) * n), want);
        for (let i = 0; i < n; i++) {
          if (c < count) expect(out[c * n + i], `n ${n}, vector ${c}, row ${i}`).toBe(want[i]);
          else expect(out[c * n + i], 'vectors past count are not written').toBeNaN();
        }
      }
    }
  });
});

describe('the blocked Cholesky factor and inverse (dense REML)', () => {
  /** A = BB' + n·I, SPD and well conditioned. */
  function spd(n: number, seed: number): Float64Array {
    const rng = chainRng(seed, 0);
    const b = Float64Array.from({ length: n * n }, () => rng.uniform() - 0.5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
        a[i * n + j] = s;
      }
    }
    return a;
  }

  it('agree with the unblocked ones to 1e-12 across block edges (1, 5, 47–49, 97, 131), and A·A⁻¹ = I', () => {
    for (const n of [1, 5, 47, 48, 49, 97, 131]) {
      const a = spd(n, n);
      const l = Float64Array.from(a);
      const want = Float64Array.from(a);
      expect(choleskyBlocked(l, n)).toBe(-1);
      expect(choleskyInPlace(want, n)).toBe(-1);
      for (let k = 0; k < n * n; k++) expect(Math.abs(l[k] - want[k]), `n ${n}, L entry ${k}`).toBeLessThan(1e-12 * Math.sqrt(n));
      const inv = new Float64Array(n * n);
      inverseFromCholeskyBlocked(l, n, inv, new Float64Array(n * n));
      const ref = inverseFromCholesky(want, n);
      for (let k = 0; k < n * n; k++) expect(Math.abs(inv[k] - ref[k]), `n ${n}, inverse entry ${k}`).toBeLessThan(1e-14);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
          expect(Math.abs(s - (i === j ? 1 : 0)), `n ${n}, (A·A⁻¹)[${i}, ${j}]`).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('report the first column whose pivot is not positive, as the unblocked one does', () => {
    for (const [n, bad] of [
      [60, 3],
      [60, 50],
      [100, 99],
    ]) {
      const a = spd(n, 7);
      // row and column `bad` a copy of row and column 0, with half its diagonal: the pivot at `bad` is −a00/2
      for (let k = 0; k < n; k++) {
        a[bad * n + k] = a[k];
        a[k * n + bad] = a[k];
      }
      a[bad * n + bad] = a[0] / 2;
      expect(choleskyBlocked(Float64Array.from(a), n)).toBe(choleskyInPlace(Float64Array.from(a), n));
      expect(choleskyBlocked(Float64Array.from(a), n)).toBe(bad);
    }
  });
});

describe('addLowerProducts', () => {
  it('adds to each lower entry from `first` to `last` its signed sum of products, taken from 0 in ascending order, bit for bit; nothing else below the diagonal changes', () => {
    const rng = chainRng(5, 0);
    for (const [n, stride, from, to, first, last, sign] of [
      [9, 6, 0, 6, 0, 9, 1],
      [10, 7, 2, 7, 3, 10, -1],
      [1, 3, 0, 3, 0, 1, 1],
      [13, 13, 1, 5, 5, 13, -1],
      [12, 8, 0, 8, 0, 7, 1],
    ] as const) {
      const x = Float64Array.from({ length: n * stride }, () => rng.uniform() * 2 - 1);
      const start = Float64Array.from({ length: n * n }, () => rng.uniform());
      const got = Float64Array.from(start);
      addLowerProducts(got, n, first, last, x, stride, from, to, sign);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let m = from; m < to; m++) s += sign * x[i * stride + m] * x[j * stride + m];
          const want = j >= first && i < last ? start[i * n + j] + s : start[i * n + j];
          expect(got[i * n + j], `n ${n}, (${i}, ${j})`).toBe(want);
        }
      }
    }
  });
});
