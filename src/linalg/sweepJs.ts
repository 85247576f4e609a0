/**
 * The marker sweeps in plain JS: the twin of wasm/sweep.as.ts (read its header for the algebra and the
 * memory layout), for runtimes without WebAssembly SIMD and for tests. It performs the same operations
 * in the same order on the same memory, lane by lane: record r of a block of 16 accumulates into
 * accumulator ((r >> 1) & 3), lane (r & 1); so both kernels give the same bits. It reads every code's
 * value from the byte table at address 0 (the nibble table holds the same values).
 *
 * Long because: it mirrors wasm/sweep.as.ts section by section, in one closure that holds the
 * single-column state every sweep shares.
 */
import type { SweepKernel } from './sweepKernel.js';

/** The JS kernel over a shared memory (views are refreshed when the memory has grown). */
export function jsKernel(memory: WebAssembly.Memory): SweepKernel {
  let buffer = memory.buffer;
  let f64 = new Float64Array(buffer);
  let u32 = new Uint32Array(buffer);
  let i32 = new Int32Array(buffer);
  const refresh = (): void => {
    if (memory.buffer.byteLength !== buffer.byteLength) {
      buffer = memory.buffer;
      f64 = new Float64Array(buffer);
      u32 = new Uint32Array(buffer);
      i32 = new Int32Array(buffer);
    }
  };
  let S = 0;
  let off = 0;
  let pendingA = 0;
  let pendingJ = -1;

  const field = (desc: number, offset: number): number => u32[(desc + offset) >> 2];

  /** Σ_i g_ij ê_i over the padded column, in the kernel's lane order. */
  const dot = (col: number, e: number, nq: number): number => {
    const T = f64;
    let a00 = 0;
    let a01 = 0;
    let a10 = 0;
    let a11 = 0;
    let a20 = 0;
    let a21 = 0;
    let a30 = 0;
    let a31 = 0;
    let ei = e >> 3;
    let wi = col >> 2;
    for (let q = 0; q < nq; q++, ei += 16, wi++) {
      const w = u32[wi];
      let b = (w & 255) << 2;
      a00 += T[b] * f64[ei];
      a01 += T[b + 1] * f64[ei + 1];
      a10 += T[b + 2] * f64[ei + 2];
      a11 += T[b + 3] * f64[ei + 3];
      b = ((w >>> 8) & 255) << 2;
      a20 += T[b] * f64[ei + 4];
      a21 += T[b + 1] * f64[ei + 5];
      a30 += T[b + 2] * f64[ei + 6];
      a31 += T[b + 3] * f64[ei + 7];
      b = ((w >>> 16) & 255) << 2;
      a00 += T[b] * f64[ei + 8];
      a01 += T[b + 1] * f64[ei + 9];
      a10 += T[b + 2] * f64[ei + 10];
      a11 += T[b + 3] * f64[ei + 11];
      b = (w >>> 24) << 2;
      a20 += T[b] * f64[ei + 12];
      a21 += T[b + 1] * f64[ei + 13];
      a30 += T[b + 2] * f64[ei + 14];
      a31 += T[b + 3] * f64[ei + 15];
    }
    return a00 + a10 + (a20 + a30) + (a01 + a11 + (a21 + a31));
  };

  /** ê ← ê + a·g_prev, then Σ_i g_col,i ê_i, in one pass. */
  const fused = (prev: number, col: number, a: number, e: number, nq: number): number => {
    const T = f64;
    const E = f64;
    let a00 = 0;
    let a01 = 0;
    let a10 = 0;
    let a11 = 0;
    let a20 = 0;
    let a21 = 0;
    let a30 = 0;
    let a31 = 0;
    let ei = e >> 3;
    let pi = prev >> 2;
    let wi = col >> 2;
    let bp = 0;
    let b = 0;
    let e0 = 0;
    let e1 = 0;
    let e2 = 0;
    let e3 = 0;
    for (let q = 0; q < nq; q++, ei += 16, pi++, wi++) {
      const wp = u32[pi];
      const w = u32[wi];
      bp = ((wp >>> 0) & 255) << 2;
      b = ((w >>> 0) & 255) << 2;
      e0 = E[ei + 0] + a * T[bp];
      e1 = E[ei + 1] + a * T[bp + 1];
      e2 = E[ei + 2] + a * T[bp + 2];
      e3 = E[ei + 3] + a * T[bp + 3];
      E[ei + 0] = e0;
      E[ei + 1] = e1;
      E[ei + 2] = e2;
      E[ei + 3] = e3;
      a00 += T[b] * e0;
      a01 += T[b + 1] * e1;
      a10 += T[b + 2] * e2;
      a11 += T[b + 3] * e3;
      bp = ((wp >>> 8) & 255) << 2;
      b = ((w >>> 8) & 255) << 2;
      e0 = E[ei + 4] + a * T[bp];
      e1 = E[ei + 5] + a * T[bp + 1];
      e2 = E[ei + 6] + a * T[bp + 2];
      e3 = E[ei + 7] + a * T[bp + 3];
      E[ei + 4] = e0;
      E[ei + 5] = e1;
      E[ei + 6] = e2;
      E[ei + 7] = e3;
      a20 += T[b] * e0;
      a21 += T[b + 1] * e1;
      a30 += T[b + 2] * e2;
      a31 += T[b + 3] * e3;
      bp = ((wp >>> 16) & 255) << 2;
      b = ((w >>> 16) & 255) << 2;
      e0 = E[ei + 8] + a * T[bp];
      e1 = E[ei + 9] + a * T[bp + 1];
      e2 = E[ei + 10] + a * T[bp + 2];
      e3 = E[ei + 11] + a * T[bp + 3];
      E[ei + 8] = e0;
      E[ei + 9] = e1;
      E[ei + 10] = e2;
      E[ei + 11] = e3;
      a00 += T[b] * e0;
      a01 += T[b + 1] * e1;
      a10 += T[b + 2] * e2;
      a11 += T[b + 3] * e3;
      bp = ((wp >>> 24) & 255) << 2;
      b = ((w >>> 24) & 255) << 2;
      e0 = E[ei + 12] + a * T[bp];
      e1 = E[ei + 13] + a * T[bp + 1];
      e2 = E[ei + 14] + a * T[bp + 2];
      e3 = E[ei + 15] + a * T[bp + 3];
      E[ei + 12] = e0;
      E[ei + 13] = e1;
      E[ei + 14] = e2;
      E[ei + 15] = e3;
      a20 += T[b] * e0;
      a21 += T[b + 1] * e1;
      a30 += T[b + 2] * e2;
      a31 += T[b + 3] * e3;
    }
    return a00 + a10 + (a20 + a30) + (a01 + a11 + (a21 + a31));
  };

  /** ê ← ê + a·g_prev over the padded column. */
  const axpy = (prev: number, a: number, e: number, nq: number): void => {
    const T = f64;
    let ei = e >> 3;
    let pi = prev >> 2;
    for (let q = 0; q < nq; q++, ei += 16, pi++) {
      const wp = u32[pi];
      for (let k = 0; k < 4; k++) {
        const bp = ((wp >>> (8 * k)) & 255) << 2;
        const at = ei + 4 * k;
        f64[at] += a * T[bp];
        f64[at + 1] += a * T[bp + 1];
        f64[at + 2] += a * T[bp + 2];
        f64[at + 3] += a * T[bp + 3];
      }
    }
  };

  const missingSum = (desc: number, j: number, e: number): number => {
    const ptr = field(desc, 20) >> 2;
    const idx = field(desc, 24) >> 2;
    const eb = e >> 3;
    let s = 0;
    const end = i32[ptr + j + 1];
    for (let t = i32[ptr + j]; t < end; t++) s += f64[eb + i32[idx + t]];
    return s;
  };

  const missingAdd = (desc: number, j: number, e: number, v: number): void => {
    const ptr = field(desc, 20) >> 2;
    const idx = field(desc, 24) >> 2;
    const eb = e >> 3;
    const end = i32[ptr + j + 1];
    for (let t = i32[ptr + j]; t < end; t++) f64[eb + i32[idx + t]] += v;
  };

  const start = (desc: number, e: number): void => {
    refresh();
    const n = field(desc, 16);
    const eb = e >> 3;
    let s = 0;
    for (let i = 0; i < n; i++) s += f64[eb + i];
    S = s;
    off = 0;
    pendingA = 0;
    pendingJ = -1;
  };

  const crossResidual = (desc: number, j: number, e: number): number => {
    const geno = field(desc, 0);
    const stride = field(desc, 4);
    const nq = field(desc, 8);
    const col = geno + j * stride;
    let d: number;
    if (pendingA !== 0) {
      const jp = pendingJ;
      const a = pendingA;
      missingAdd(desc, jp, e, a * f64[(field(desc, 28) >> 3) + jp]);
      S += a * f64[(field(desc, 36) >> 3) + jp];
      off -= a * f64[(field(desc, 32) >> 3) + jp];
      d = fused(geno + jp * stride, col, a, e, nq);
      pendingA = 0;
    } else {
      d = dot(col, e, nq);
    }
    d += f64[(field(desc, 28) >> 3) + j] * missingSum(desc, j, e);
    const c = f64[(field(desc, 32) >> 3) + j];
    const n = field(desc, 16);
    return d - c * S + off * (f64[(field(desc, 36) >> 3) + j] - n * c);
  };

  const finish = (desc: number, e: number): void => {
    if (pendingA !== 0) {
      const jp = pendingJ;
      const a = pendingA;
      missingAdd(desc, jp, e, a * f64[(field(desc, 28) >> 3) + jp]);
      off -= a * f64[(field(desc, 32) >> 3) + jp];
      axpy(field(desc, 0) + jp * field(desc, 4), a, e, field(desc, 8));
      pendingA = 0;
    }
    const n = field(desc, 16);
    const eb = e >> 3;
    if (off !== 0) for (let i = 0; i < n; i++) f64[eb + i] += off;
  };

  /* Multi-trait sweeps: each column's state (S, off, pending a, pending marker) in st, swapped in around every use. */
  const loadColumn = (st: number, s: number): void => {
    const a = (st >> 3) + 4 * s;
    S = f64[a];
    off = f64[a + 1];
    pendingA = f64[a + 2];
    pendingJ = f64[a + 3];
  };
  const saveColumn = (st: number, s: number): void => {
    const a = (st >> 3) + 4 * s;
    f64[a] = S;
    f64[a + 1] = off;
    f64[a + 2] = pendingA;
    f64[a + 3] = pendingJ;
  };
  const startColumns = (desc: number, e: number, pitch: number, t: number, st: number): void => {
    for (let s = 0; s < t; s++) {
      start(desc, e + s * pitch);
      saveColumn(st, s);
    }
  };
  const crossColumns = (desc: number, j: number, e: number, pitch: number, t: number, st: number, out: number): void => {
    for (let s = 0; s < t; s++) {
      loadColumn(st, s);
      f64[(out >> 3) + s] = crossResidual(desc, j, e + s * pitch);
      saveColumn(st, s);
    }
  };
  const pendColumn = (st: number, s: number, j: number, a: number): void => {
    const at = (st >> 3) + 4 * s;
    f64[at + 2] = a;
    f64[at + 3] = j;
  };
  const finishColumns = (desc: number, e: number, pitch: number, t: number, st: number): void => {
    for (let s = 0; s < t; s++) {
      loadColumn(st, s);
      finish(desc, e + s * pitch);
      saveColumn(st, s);
    }
  };
  /** In-place Cholesky of the t × t matrix at f64 index c (lower triangle). */
  const smallCholesky = (c: number, t: number): void => {
    for (let j = 0; j < t; j++) {
      let d = f64[c + j * t + j];
      for (let k = 0; k < j; k++) {
        const l = f64[c + j * t + k];
        d -= l * l;
      }
      const ljj = Math.sqrt(d);
      f64[c + j * t + j] = ljj;
      for (let i = j + 1; i < t; i++) {
        let v = f64[c + i * t + j];
        for (let k = 0; k < j; k++) v -= f64[c + i * t + k] * f64[c + j * t + k];
        f64[c + i * t + j] = v / ljj;
      }
    }
  };
  const smallForward = (c: number, t: number, x: number): void => {
    for (let i = 0; i < t; i++) {
      let v = f64[x + i];
      for (let k = 0; k < i; k++) v -= f64[c + i * t + k] * f64[x + k];
      f64[x + i] = v / f64[c + i * t + i];
    }
  };
  const smallBackward = (c: number, t: number, x: number): void => {
    for (let i = t - 1; i >= 0; i--) {
      let v = f64[x + i];
      for (let k = i + 1; k < t; k++) v -= f64[c + k * t + i] * f64[x + k];
      f64[x + i] = v / f64[c + i * t + i];
    }
  };

  return {
    exp: Math.exp,
    log: Math.log,
    normalSweep(desc, e, beta, prior, common, ridge, varE, z): void {
      start(desc, e);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const bb = beta >> 3;
      const pb = prior >> 3;
      const zb = z >> 3;
      for (let j = 0; j < p; j++) {
        const xe = crossResidual(desc, j, e);
        const xxj = f64[xx + j];
        const c = xxj + ridge / f64[pb + (common ? 0 : j)];
        const bj = f64[bb + j];
        const r = xe + xxj * bj;
        const bNew = r / c + Math.sqrt(varE / c) * f64[zb + j];
        pendingA = bj - bNew;
        pendingJ = j;
        f64[bb + j] = bNew;
      }
      finish(desc, e);
    },

    mixtureSweep(desc, e, beta, b, delta, priorVar, common, varE, pi, z, u): void {
      start(desc, e);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const priorOdds = pi / (1 - pi);
      const bb = beta >> 3;
      for (let j = 0; j < p; j++) {
        const xxj = f64[xx + j];
        const vj = f64[(priorVar >> 3) + (common ? 0 : j)];
        const c = xxj + varE / vj;
        const uj = f64[(u >> 3) + j];
        const bound = 2 * varE * c * Math.log((priorOdds * Math.sqrt((c * vj) / varE) * uj) / (1 - uj));
        const xe = crossResidual(desc, j, e);
        const old = f64[bb + j];
        const r = xe + xxj * old;
        const zj = f64[(z >> 3) + j];
        let now: number;
        if (r * r > bound) {
          f64[(delta >> 3) + j] = 1;
          now = r / c + Math.sqrt(varE / c) * zj;
          f64[(b >> 3) + j] = now;
        } else {
          f64[(delta >> 3) + j] = 0;
          f64[(b >> 3) + j] = Math.sqrt(vj) * zj;
          now = 0;
        }
        f64[bb + j] = now;
        pendingA = old - now;
        pendingJ = j;
      }
      finish(desc, e);
    },

    bayesRSweep(desc, e, beta, cls, delta, pi, gammas, K, varG, vbar, varE, work, z, u): void {
      start(desc, e);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const bb = beta >> 3;
      const ridge0 = work >> 3;
      const q0 = ridge0 + K;
      const w0 = ridge0 + 2 * K;
      const ratio0 = ridge0 + 3 * K;
      const pi0 = pi >> 3;
      const g0 = gammas >> 3;
      for (let k = 0; k < K; k++) {
        const vk = (f64[g0 + k] * varG) / vbar;
        f64[ridge0 + k] = varE / vk;
        f64[ratio0 + k] = vk / varE;
      }
      for (let j = 0; j < p; j++) {
        const xe = crossResidual(desc, j, e);
        const xxj = f64[xx + j];
        const old = f64[bb + j];
        const r = xe + xxj * old;
        let max = 0;
        for (let k = 0; k < K; k++) {
          const qk = f64[g0 + k] !== 0 ? (r * r) / (2 * varE * (xxj + f64[ridge0 + k])) : 0;
          f64[q0 + k] = qk;
          if (qk > max) max = qk;
        }
        let total = 0;
        for (let k = 0; k < K; k++) {
          const qk = f64[q0 + k];
          let wk = f64[pi0 + k] * (qk === max ? 1 : Math.exp(qk - max));
          if (f64[g0 + k] !== 0) wk /= Math.sqrt(1 + xxj * f64[ratio0 + k]);
          f64[w0 + k] = wk;
          total += wk;
        }
        let left = f64[(u >> 3) + j] * total;
        let k = 0;
        for (; k < K - 1; k++) {
          left -= f64[w0 + k];
          if (left <= 0) break;
        }
        const g = f64[g0 + k];
        let now = 0;
        if (g === 0) {
          f64[(delta >> 3) + j] = 0;
        } else {
          const c = xxj + f64[ridge0 + k];
          now = r / c + Math.sqrt(varE / c) * f64[(z >> 3) + j];
          f64[(delta >> 3) + j] = 1;
        }
        f64[bb + j] = now;
        f64[(cls >> 3) + j] = k;
        pendingA = old - now;
        pendingJ = j;
      }
      finish(desc, e);
    },
    mvNormalSweep(desc, e, pitch, t, st, beta, w, ginv, z, work): void {
      startColumns(desc, e, pitch, t, st);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const xe = work >> 3;
      const rhs = xe + t;
      const noise = xe + 2 * t;
      const c = xe + 3 * t;
      const wb = w >> 3;
      const gb = ginv >> 3;
      for (let j = 0; j < p; j++) {
        crossColumns(desc, j, e, pitch, t, st, work);
        const xxj = f64[xx + j];
        const bj = (beta >> 3) + j * t;
        for (let a = 0; a < t; a++) f64[xe + a] = f64[xe + a] + xxj * f64[bj + a];
        for (let a = 0; a < t; a++) {
          let v = 0;
          for (let b = 0; b < t; b++) v += f64[wb + a * t + b] * f64[xe + b];
          f64[rhs + a] = v;
          for (let b = 0; b < t; b++) f64[c + a * t + b] = xxj * f64[wb + a * t + b] + f64[gb + a * t + b];
          f64[noise + a] = f64[(z >> 3) + j * t + a];
        }
        smallCholesky(c, t);
        smallForward(c, t, rhs);
        smallBackward(c, t, rhs);
        smallBackward(c, t, noise);
        for (let a = 0; a < t; a++) {
          const old = f64[bj + a];
          const now = f64[rhs + a] + f64[noise + a];
          f64[bj + a] = now;
          pendColumn(st, a, j, old - now);
        }
      }
      finishColumns(desc, e, pitch, t, st);
    },

    mvMixtureSweep(desc, e, pitch, t, st, b, alpha, delta, ri, gi, logPi, z, u, work): void {
      startColumns(desc, e, pitch, t, st);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const wv = work >> 3;
      const old = wv + t;
      const rb = ri >> 3;
      const gb = gi >> 3;
      for (let j = 0; j < p; j++) {
        crossColumns(desc, j, e, pitch, t, st, work);
        const xxj = f64[xx + j];
        const base = j * t;
        let pattern = 0;
        for (let m = 0; m < t; m++) {
          const am = f64[(alpha >> 3) + base + m];
          f64[old + m] = am;
          f64[wv + m] = f64[wv + m] + xxj * am;
          if (f64[(delta >> 3) + base + m] !== 0) pattern |= 1 << m;
        }
        for (let k = 0; k < t; k++) {
          const gi11 = f64[gb + k * t + k];
          const c11 = gi11 + f64[rb + k * t + k] * xxj;
          let s0 = 0;
          let s1 = 0;
          let wr = 0;
          for (let m = 0; m < t; m++) {
            wr += f64[wv + m] * f64[rb + m * t + k];
            if (m === k) continue;
            const bm = f64[(b >> 3) + base + m];
            const g = f64[gb + k * t + m] * bm;
            s0 += g;
            s1 += g + xxj * f64[(delta >> 3) + base + m] * f64[rb + k * t + m] * bm;
          }
          const g0 = -s0 / gi11;
          const g1 = (wr - s1) / c11;
          const d0 = pattern & ~(1 << k);
          const d1 = pattern | (1 << k);
          const l0 = -0.5 * (Math.log(gi11) - g0 * g0 * gi11) + f64[(logPi >> 3) + d0];
          const l1 = -0.5 * (Math.log(c11) - g1 * g1 * c11) + f64[(logPi >> 3) + d1];
          const p1 = 1 / (1 + Math.exp(l0 - l1));
          const zk = f64[(z >> 3) + base + k];
          const at = base + k;
          if (f64[(u >> 3) + at] < p1) {
            const bk = g1 + zk / Math.sqrt(c11);
            f64[(b >> 3) + at] = bk;
            f64[(alpha >> 3) + at] = bk;
            f64[(delta >> 3) + at] = 1;
            pattern = d1;
          } else {
            f64[(b >> 3) + at] = g0 + zk / Math.sqrt(gi11);
            f64[(alpha >> 3) + at] = 0;
            f64[(delta >> 3) + at] = 0;
            pattern = d0;
          }
        }
        for (let k = 0; k < t; k++) pendColumn(st, k, j, f64[old + k] - f64[(alpha >> 3) + base + k]);
      }
      finishColumns(desc, e, pitch, t, st);
    },
  };
}
