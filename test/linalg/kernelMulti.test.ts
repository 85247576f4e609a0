/**
 * The multi-trait marker sweeps against textbook updates on the imputed, centred columns, for three
 * residual columns with missing genotypes and n not a multiple of 16: mvNormalSweep (each β_j ∈ R³
 * from N(C⁻¹Wr, C⁻¹)) and mvMixtureSweep (Cheng et al. 2018's sampler I, trait by trait), given the
 * same normals and uniforms, to 1e-11; and wasm = JS bit for bit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/blocks/plan.js';
import { allocateF64 } from '../../src/linalg/arena.js';
import { invertSPD } from '../../src/linalg/dense.js';
import { type KernelName, sweepKernel, wasmSimdAvailable } from '../../src/linalg/kernel.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';
import { markerColumn, simulateMarkers, withMissing } from '../helpers/markers.js';
import { maxRelDiff } from '../helpers/residual.js';

const dir = tempDir();
const sim = simulateMarkers(dir, 90, 29, 4, 0.5, 414);
const geno = withMissing(sim, join(dir, 'missing.csv'), 0.04, 415);
const rows: DataRow[] = sim.rows.slice(0, 77);
const model = prepare({ data: rows, id: 'id', formula: 'y ~ 1', markers: { file: geno, prior: 'BRR' } });
const md = model.design.markers[0];
const arena = model.design.arena!;
const n = md.n;
const T = 3;
const pitchF64 = md.records.stride * 4;
const X = Array.from({ length: md.p }, (_, j) => markerColumn(md, j));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const kernels: KernelName[] = wasmSimdAvailable() ? ['wasm', 'js'] : ['js'];

/** t residual columns pitch apart in the arena: e_s = y·(s + 1) − Σ_j x_j α_j[s]. */
function residuals(alpha: Float64Array): Float64Array {
  const e = allocateF64(arena, pitchF64 * T).view;
  for (let s = 0; s < T; s++) {
    for (let i = 0; i < n; i++) e[s * pitchF64 + i] = (model.design.y[i] - 10) * (s + 1) + 0.3 * s;
    for (let j = 0; j < md.p; j++) for (let i = 0; i < n; i++) e[s * pitchF64 + i] -= X[j][i] * alpha[j * T + s];
  }
  return e;
}

function arenaArray(values: ArrayLike<number>): Float64Array {
  const a = allocateF64(arena, values.length).view.subarray(0, values.length);
  a.set(values);
  return a;
}

const W = invertSPD(Float64Array.from([2, 0.5, 0.2, 0.5, 1.5, -0.3, 0.2, -0.3, 1]), T);
const GI = invertSPD(Float64Array.from([0.05, 0.01, 0, 0.01, 0.04, 0.005, 0, 0.005, 0.03]), T);
const rng = chainRng(91, 0);
const Z = new Float64Array(md.p * T);
const U = new Float64Array(md.p * T);
rng.normals(Z);
rng.uniforms(U);
const column = (e: Float64Array, s: number): Float64Array => e.subarray(s * pitchF64, s * pitchF64 + n);

describe('mvNormalSweep', () => {
  const start = Float64Array.from({ length: md.p * T }, (_, k) => 0.03 * Math.cos(k));
  // textbook: C = x'x W + Gi, r = x'e + x'x β, β = C⁻¹ W r + L⁻ᵀ z
  const ref = { beta: Float64Array.from(start), e: Float64Array.from(residuals(start)) };
  for (let j = 0; j < md.p; j++) {
    const xx = dot(X[j], X[j]);
    const r = Array.from({ length: T }, (_, s) => dot(X[j], column(ref.e, s)) + xx * ref.beta[j * T + s]);
    const c = Float64Array.from({ length: T * T }, (_, k) => xx * W[k] + GI[k]);
    const cInv = invertSPD(c, T);
    const wr = Array.from({ length: T }, (_, a) => W[a * T] * r[0] + W[a * T + 1] * r[1] + W[a * T + 2] * r[2]);
    // L⁻ᵀ z with C = LL'
    const l = Float64Array.from(c);
    for (let q = 0; q < T; q++) {
      for (let k = 0; k < q; k++) l[q * T + q] -= l[q * T + k] ** 2;
      l[q * T + q] = Math.sqrt(l[q * T + q]);
      for (let i = q + 1; i < T; i++) {
        for (let k = 0; k < q; k++) l[i * T + q] -= l[i * T + k] * l[q * T + k];
        l[i * T + q] /= l[q * T + q];
      }
    }
    const v = Array.from({ length: T }, (_, a) => Z[j * T + a]);
    for (let i = T - 1; i >= 0; i--) {
      for (let k = i + 1; k < T; k++) v[i] -= l[k * T + i] * v[k];
      v[i] /= l[i * T + i];
    }
    for (let a = 0; a < T; a++) {
      const now = cInv[a * T] * wr[0] + cInv[a * T + 1] * wr[1] + cInv[a * T + 2] * wr[2] + v[a];
      const change = ref.beta[j * T + a] - now;
      for (let i = 0; i < n; i++) ref.e[a * pitchF64 + i] += X[j][i] * change;
      ref.beta[j * T + a] = now;
    }
  }
  const out = new Map<KernelName, { beta: Float64Array; e: Float64Array }>();
  for (const name of kernels) {
    it(`${name} = the textbook sweep (1e-11)`, () => {
      const beta = arenaArray(start);
      const e = residuals(start);
      sweepKernel(arena.memory, name).mvNormalSweep(
        md.desc,
        e.byteOffset,
        pitchF64 * 8,
        T,
        allocateF64(arena, 4 * T).offset,
        beta.byteOffset,
        arenaArray(W).byteOffset,
        arenaArray(GI).byteOffset,
        arenaArray(Z).byteOffset,
        allocateF64(arena, T * T + 3 * T).offset,
      );
      expect(maxRelDiff(beta, ref.beta)).toBeLessThan(1e-11);
      for (let s = 0; s < T; s++) expect(maxRelDiff(column(e, s), column(ref.e, s))).toBeLessThan(1e-11);
      out.set(name, { beta, e });
    });
  }
  it('wasm = js, bit for bit', () => {
    expect(Array.from(out.get('wasm')!.beta)).toEqual(Array.from(out.get('js')!.beta));
    expect(Array.from(out.get('wasm')!.e)).toEqual(Array.from(out.get('js')!.e));
  });
});

describe('mvMixtureSweep', () => {
  // every pattern possible; start with a mix of markers in and out
  const logPi = Float64Array.from([0.4, 0.1, 0.05, 0.1, 0.05, 0.1, 0.05, 0.15], Math.log);
  const delta0 = Float64Array.from({ length: md.p * T }, (_, k) => (k % 3 === 0 ? 1 : 0));
  const b0 = Float64Array.from({ length: md.p * T }, (_, k) => 0.04 * Math.sin(k + 1));
  const alpha0 = Float64Array.from(b0, (v, k) => v * delta0[k]);
  const ref = { b: Float64Array.from(b0), alpha: Float64Array.from(alpha0), delta: Float64Array.from(delta0), e: Float64Array.from(residuals(alpha0)) };
  for (let j = 0; j < md.p; j++) {
    const xx = dot(X[j], X[j]);
    const w = Array.from({ length: T }, (_, s) => dot(X[j], column(ref.e, s)) + xx * ref.alpha[j * T + s]);
    const before = Array.from({ length: T }, (_, k) => ref.alpha[j * T + k]);
    for (let k = 0; k < T; k++) {
      const others = [0, 1, 2].filter((m) => m !== k);
      const gi11 = GI[k * T + k];
      const c11 = gi11 + W[k * T + k] * xx;
      const g0 = -others.reduce((s, m) => s + GI[k * T + m] * ref.b[j * T + m], 0) / gi11;
      const g1 =
        (w.reduce((s, wm, m) => s + wm * W[m * T + k], 0) -
          others.reduce((s, m) => s + (GI[k * T + m] + xx * ref.delta[j * T + m] * W[k * T + m]) * ref.b[j * T + m], 0)) /
        c11;
      const pattern = (d: number) => [0, 1, 2].reduce((s, m) => s + (m === k ? d : ref.delta[j * T + m]) * 2 ** m, 0);
      const l0 = -0.5 * (Math.log(gi11) - g0 * g0 * gi11) + logPi[pattern(0)];
      const l1 = -0.5 * (Math.log(c11) - g1 * g1 * c11) + logPi[pattern(1)];
      if (U[j * T + k] < 1 / (1 + Math.exp(l0 - l1))) {
        ref.b[j * T + k] = g1 + Z[j * T + k] / Math.sqrt(c11);
        ref.alpha[j * T + k] = ref.b[j * T + k];
        ref.delta[j * T + k] = 1;
      } else {
        ref.b[j * T + k] = g0 + Z[j * T + k] / Math.sqrt(gi11);
        ref.alpha[j * T + k] = 0;
        ref.delta[j * T + k] = 0;
      }
    }
    // after the marker (w stays as computed at its start): e_k ← e_k + x_j(α_old − α_new)
    for (let k = 0; k < T; k++) {
      const change = before[k] - ref.alpha[j * T + k];
      for (let i = 0; i < n; i++) ref.e[k * pitchF64 + i] += X[j][i] * change;
    }
  }
  const out = new Map<KernelName, Record<string, Float64Array>>();
  for (const name of kernels) {
    it(`${name} = the textbook sweep (1e-11)`, () => {
      const b = arenaArray(b0);
      const alpha = arenaArray(alpha0);
      const delta = arenaArray(delta0);
      const e = residuals(alpha0);
      sweepKernel(arena.memory, name).mvMixtureSweep(
        md.desc,
        e.byteOffset,
        pitchF64 * 8,
        T,
        allocateF64(arena, 4 * T).offset,
        b.byteOffset,
        alpha.byteOffset,
        delta.byteOffset,
        arenaArray(W).byteOffset,
        arenaArray(GI).byteOffset,
        arenaArray(logPi).byteOffset,
        arenaArray(Z).byteOffset,
        arenaArray(U).byteOffset,
        allocateF64(arena, 2 * T).offset,
      );
      expect(Array.from(delta)).toEqual(Array.from(ref.delta));
      expect(maxRelDiff(b, ref.b)).toBeLessThan(1e-11);
      expect(maxRelDiff(alpha, ref.alpha)).toBeLessThan(1e-11);
      for (let s = 0; s < T; s++) expect(maxRelDiff(column(e, s), column(ref.e, s))).toBeLessThan(1e-11);
      // both states occur
      expect(ref.delta.some((d) => d === 1) && ref.delta.some((d) => d === 0)).toBe(true);
      out.set(name, { b, alpha, delta, e });
    });
  }
  it('wasm = js, bit for bit', () => {
    for (const key of ['b', 'alpha', 'delta', 'e']) expect(Array.from(out.get('wasm')![key])).toEqual(Array.from(out.get('js')![key]));
  });
});
