/**
 * The marker sweeps in plain JS: the twin of wasm/sweep.as.ts (read its header for the algebra and the
 * memory layout), for runtimes without WebAssembly SIMD and for tests. It performs the same operations
 * in the same order on the same memory, lane by lane: record r of a block of 16 accumulates into
 * accumulator ((r >> 1) & 3), lane (r & 1); so both kernels give the same bits. It reads every code's
 * value from the byte table at address 0 (the nibble table holds the same values).
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

  return {
    normalSweep(desc, e, _scaled, beta, prior, common, ridge, varE, z): void {
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

    mixtureSweep(desc, e, _scaled, beta, b, delta, priorVar, common, varE, pi, z, u): void {
      start(desc, e);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const logPriorOdds = Math.log((1 - pi) / pi);
      const bb = beta >> 3;
      for (let j = 0; j < p; j++) {
        const xe = crossResidual(desc, j, e);
        const xxj = f64[xx + j];
        const vj = f64[(priorVar >> 3) + (common ? 0 : j)];
        const c = xxj + varE / vj;
        const old = f64[bb + j];
        const r = xe + xxj * old;
        const logOdds = logPriorOdds + (r * r) / (2 * varE * c) - 0.5 * Math.log((c * vj) / varE);
        const pIn = 1 / (1 + Math.exp(-logOdds));
        const zj = f64[(z >> 3) + j];
        let now: number;
        if (f64[(u >> 3) + j] < pIn) {
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

    bayesRSweep(desc, e, _scaled, beta, cls, delta, pi, gammas, K, varG, vbar, varE, work, z, u): void {
      start(desc, e);
      const p = field(desc, 12);
      const xx = field(desc, 40) >> 3;
      const bb = beta >> 3;
      const lp0 = work >> 3;
      const lw0 = lp0 + K;
      const w0 = lp0 + 2 * K;
      const pi0 = pi >> 3;
      const g0 = gammas >> 3;
      for (let k = 0; k < K; k++) f64[lp0 + k] = Math.log(f64[pi0 + k]);
      for (let j = 0; j < p; j++) {
        const xe = crossResidual(desc, j, e);
        const xxj = f64[xx + j];
        const old = f64[bb + j];
        const r = xe + xxj * old;
        let max = -Infinity;
        for (let k = 0; k < K; k++) {
          const g = f64[g0 + k];
          let lw = f64[lp0 + k];
          if (g !== 0) {
            const vk = (g * varG) / vbar;
            const c = xxj + varE / vk;
            lw = lw - 0.5 * Math.log((c * vk) / varE) + (r * r) / (2 * varE * c);
          }
          f64[lw0 + k] = lw;
          if (lw > max) max = lw;
        }
        let total = 0;
        for (let k = 0; k < K; k++) {
          const wk = Math.exp(f64[lw0 + k] - max);
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
          const vk = (g * varG) / vbar;
          const c = xxj + varE / vk;
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
  };
}
