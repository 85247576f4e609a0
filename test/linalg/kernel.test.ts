/**
 * The marker sweep kernels against textbook single-site updates on the imputed, centred columns
 * (Pérez & de los Campos 2014; Habier et al. 2011; Erbe et al. 2012): given the same normals and
 * uniforms, one sweep of each kernel equals the sequential update e ← e + x_j(β_j − β_j,new) to 1e-11
 * relative, on data with missing genotypes and a number of records that is not a multiple of 16; and
 * the WebAssembly kernel equals the JS kernel bit for bit.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/blocks/plan.js';
import { allocate, allocateF64, claimScaledTable, createArena } from '../../src/linalg/arena.js';
import { type KernelName, sweepKernel, wasmSimdAvailable } from '../../src/linalg/kernel.js';
import type { MarkerDesign } from '../../src/model/markers.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';
import { markerColumn, simulateMarkers, withMissing } from '../helpers/markers.js';
import { maxRelDiff } from '../helpers/residual.js';

const dir = tempDir();
const sim = simulateMarkers(dir, 90, 37, 4, 0.5, 404);
// knock out about 4% of the genotypes, and leave 13 individuals without a record: 77 records
const geno = withMissing(sim, join(dir, 'missing.csv'), 0.04, 405);
const rows: DataRow[] = sim.rows.slice(0, 77);
const model = prepare({ data: rows, id: 'id', formula: 'y ~ 1', markers: { file: geno, prior: 'BRR' } });
const md: MarkerDesign = model.design.markers[0];
const arena = model.design.arena!;
const n = md.n;
const X = Array.from({ length: md.p }, (_, j) => markerColumn(md, j));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Arrays in the arena, filled from `values`. */
function arrays(values: Record<string, ArrayLike<number>>): Record<string, Float64Array> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => {
      const a = allocateF64(arena, Math.max(1, v.length)).view.subarray(0, v.length);
      a.set(v);
      return [k, a];
    }),
  );
}

/** A residual in the arena (padded to 16 records), e = y − 10 − Σ x_j β_j. */
function residual(beta: Float64Array): Float64Array {
  const e = allocateF64(arena, md.records.stride * 4).view.subarray(0, n);
  for (let i = 0; i < n; i++) e[i] = model.design.y[i] - 10;
  beta.forEach((b, j) => {
    for (let i = 0; i < n; i++) e[i] -= X[j][i] * b;
  });
  return e;
}

const draws = (): { z: Float64Array; u: Float64Array } => {
  const r = chainRng(77, 1);
  const z = new Float64Array(md.p);
  const u = new Float64Array(md.p);
  r.normals(z);
  r.uniforms(u);
  return { z, u };
};

const kernels: KernelName[] = wasmSimdAvailable() ? ['wasm', 'js'] : ['js'];

describe('the design has what the kernels are tested on', () => {
  it('missing genotypes among the records, n not a multiple of 16, individuals without a record', () => {
    expect(md.records.missIdx.length).toBeGreaterThan(50);
    expect(n % 16).not.toBe(0);
    expect(md.predIds.length).toBe(13);
    expect(wasmSimdAvailable()).toBe(true);
  });
});

describe('normalSweep', () => {
  const { z } = draws();
  const start = Float64Array.from({ length: md.p }, (_, j) => 0.05 * Math.sin(j));
  const varJ = Float64Array.from({ length: md.p }, (_, j) => 0.02 + 0.003 * j);
  const varE = 2.3;
  // textbook: c_j = x'x + σ²e/σ²_j, r_j = x'e + x'x β_j, β_j = r_j/c_j + sqrt(σ²e/c_j) z_j
  const ref = { beta: Float64Array.from(start), e: Float64Array.from(residual(start)) };
  for (let j = 0; j < md.p; j++) {
    const xx = dot(X[j], X[j]);
    const c = xx + varE / varJ[j];
    const r = dot(X[j], ref.e) + xx * ref.beta[j];
    const next = r / c + Math.sqrt(varE / c) * z[j];
    for (let i = 0; i < n; i++) ref.e[i] += X[j][i] * (ref.beta[j] - next);
    ref.beta[j] = next;
  }
  const out = new Map<KernelName, { beta: Float64Array; e: Float64Array }>();
  for (const name of kernels) {
    it(`${name} = the textbook sweep (1e-11)`, () => {
      const a = arrays({ beta: start, varJ, z });
      const e = residual(start);
      sweepKernel(arena.memory, name).normalSweep(md.desc, e.byteOffset, a.beta.byteOffset, a.varJ.byteOffset, 0, varE, varE, a.z.byteOffset);
      expect(maxRelDiff(a.beta, ref.beta)).toBeLessThan(1e-11);
      expect(maxRelDiff(e, ref.e)).toBeLessThan(1e-11);
      out.set(name, { beta: a.beta, e });
    });
  }
  it('wasm = js, bit for bit', () => {
    expect(Array.from(out.get('wasm')!.beta)).toEqual(Array.from(out.get('js')!.beta));
    expect(Array.from(out.get('wasm')!.e)).toEqual(Array.from(out.get('js')!.e));
  });
});

describe('mixtureSweep', () => {
  const { z, u } = draws();
  const varB = 0.08;
  const varE = 1.7;
  const pi = 0.6;
  const start = Float64Array.from({ length: md.p }, (_, j) => (j % 3 === 0 ? 0.1 * Math.cos(j) : 0));
  const ref = { beta: Float64Array.from(start), b: new Float64Array(md.p), delta: new Float64Array(md.p), e: Float64Array.from(residual(start)) };
  for (let j = 0; j < md.p; j++) {
    const xx = dot(X[j], X[j]);
    const c = xx + varE / varB;
    const r = dot(X[j], ref.e) + xx * ref.beta[j];
    // posterior odds of inclusion: prior odds × N(r; 0, σ²e·xx + xx²σ²β) / N(r; 0, σ²e·xx)
    const v1 = varE * xx + xx * xx * varB;
    const v0 = varE * xx;
    const pIn = 1 / (1 + Math.exp(-(Math.log((1 - pi) / pi) - 0.5 * Math.log(v1 / v0) - (r * r) / (2 * v1) + (r * r) / (2 * v0))));
    const inModel = u[j] < pIn;
    ref.delta[j] = inModel ? 1 : 0;
    ref.b[j] = inModel ? r / c + Math.sqrt(varE / c) * z[j] : Math.sqrt(varB) * z[j];
    const next = inModel ? ref.b[j] : 0;
    for (let i = 0; i < n; i++) ref.e[i] += X[j][i] * (ref.beta[j] - next);
    ref.beta[j] = next;
  }
  const out = new Map<KernelName, Float64Array[]>();
  for (const name of kernels) {
    it(`${name} = the textbook sweep (1e-11), inclusions identical`, () => {
      const a = arrays({ beta: start, b: new Float64Array(md.p), delta: new Float64Array(md.p), varB: [varB], z, u });
      const e = residual(start);
      const at = (x: Float64Array): number => x.byteOffset;
      sweepKernel(arena.memory, name).mixtureSweep(md.desc, at(e), at(a.beta), at(a.b), at(a.delta), at(a.varB), 1, varE, pi, at(a.z), at(a.u));
      expect(Array.from(a.delta)).toEqual(Array.from(ref.delta));
      expect(a.delta.some((d) => d === 1) && a.delta.some((d) => d === 0)).toBe(true);
      expect(maxRelDiff(a.b, ref.b)).toBeLessThan(1e-11);
      expect(maxRelDiff(a.beta, ref.beta)).toBeLessThan(1e-11);
      expect(maxRelDiff(e, ref.e)).toBeLessThan(1e-11);
      out.set(name, [a.beta, a.b, e]);
    });
  }
  it('wasm = js, bit for bit', () => {
    out.get('wasm')!.forEach((x, k) => expect(Array.from(x)).toEqual(Array.from(out.get('js')![k])));
  });
});

describe('bayesRSweep', () => {
  const { z, u } = draws();
  const gammas = [0, 1e-4, 1e-3, 1e-2];
  const pi = [0.6, 0.2, 0.15, 0.05];
  const varG = 1.4;
  const varE = 1.9;
  const vbar = md.msx / md.p;
  const start = new Float64Array(md.p);
  const ref = { beta: Float64Array.from(start), cls: new Float64Array(md.p), e: Float64Array.from(residual(start)) };
  for (let j = 0; j < md.p; j++) {
    const xx = dot(X[j], X[j]);
    const r = dot(X[j], ref.e) + xx * ref.beta[j];
    const logW = gammas.map((g, k) => {
      if (g === 0) return Math.log(pi[k]);
      const vk = (g * varG) / vbar;
      const c = xx + varE / vk;
      return Math.log(pi[k]) - 0.5 * Math.log((c * vk) / varE) + (r * r) / (2 * varE * c);
    });
    const max = Math.max(...logW);
    const w = logW.map((l) => Math.exp(l - max));
    const total = w.reduce((s, v) => s + v, 0);
    let left = u[j] * total;
    let k = 0;
    for (; k < gammas.length - 1; k++) {
      left -= w[k];
      if (left <= 0) break;
    }
    ref.cls[j] = k;
    let next = 0;
    if (gammas[k] > 0) {
      const vk = (gammas[k] * varG) / vbar;
      const c = xx + varE / vk;
      next = r / c + Math.sqrt(varE / c) * z[j];
    }
    for (let i = 0; i < n; i++) ref.e[i] += X[j][i] * (ref.beta[j] - next);
    ref.beta[j] = next;
  }
  const out = new Map<KernelName, Float64Array[]>();
  for (const name of kernels) {
    it(`${name} = the textbook sweep (1e-11), classes identical`, () => {
      const a = arrays({ beta: start, cls: new Float64Array(md.p), delta: new Float64Array(md.p), pi, gammas, work: new Float64Array(12), z, u });
      const e = residual(start);
      const at = (x: Float64Array): number => x.byteOffset;
      sweepKernel(arena.memory, name).bayesRSweep(
        md.desc,
        at(e),
        at(a.beta),
        at(a.cls),
        at(a.delta),
        at(a.pi),
        at(a.gammas),
        4,
        varG,
        vbar,
        varE,
        at(a.work),
        at(a.z),
        at(a.u),
      );
      expect(Array.from(a.cls)).toEqual(Array.from(ref.cls));
      expect(new Set(a.cls).size).toBeGreaterThan(1);
      expect(maxRelDiff(a.beta, ref.beta)).toBeLessThan(1e-11);
      expect(maxRelDiff(e, ref.e)).toBeLessThan(1e-11);
      out.set(name, [a.beta, e]);
    });
  }
  it('wasm = js, bit for bit', () => {
    out.get('wasm')!.forEach((x, k) => expect(Array.from(x)).toEqual(Array.from(out.get('js')![k])));
  });
});

describe('exp and log', () => {
  it.runIf(wasmSimdAvailable())('the wasm kernel’s own e^x has Math.exp’s bits (the JS twin calls Math.exp)', () => {
    const exp = sweepKernel(arena.memory, 'wasm').exp;
    // every branch of the algorithm: non-finite, overflow and underflow, |x| < 2^-28, |x| ≤ ½ln2,
    // ½ln2 < |x| < 1.5ln2 (and x = 1), the general reduction, and results below 2^-1021 (subnormal)
    const special = [
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1,
      -1,
      1e-300,
      -1e-300,
      3e-9,
      Math.LN2 / 2,
      -Math.LN2 / 2,
      Math.LN2,
      1.5 * Math.LN2,
      709.78,
      709.79,
      -708.5,
      -720,
      -745.13,
      -745.14,
      1000,
      -1000,
    ];
    const xs = [...special];
    const rng = chainRng(21, 0);
    const u = new Float64Array(200_000);
    rng.uniforms(u);
    for (let i = 0; i < u.length; i++) xs.push((2 * u[i] - 1) * [1e-9, 0.01, 0.5, 1.1, 5, 40, 720, 760][i % 8]);
    const differ = xs.filter((x) => !Object.is(exp(x), Math.exp(x)));
    expect(differ).toEqual([]);
    expect(sweepKernel(arena.memory, 'js').exp).toBe(Math.exp);
  });

  it.runIf(wasmSimdAvailable())('the wasm kernel’s own ln x has Math.log’s bits (the JS twin calls Math.log)', () => {
    const log = sweepKernel(arena.memory, 'wasm').log;
    // every branch: non-finite, zero, negative, subnormal (scaled by 2^54), |f| < 2^-20 (and f = 0),
    // 1 + f on either side of the split at ~1.2 (the two tails of the fit), k = 0 and k ≠ 0
    const special = [NaN, Infinity, -Infinity, 0, -0, -1, -1e-300, 1, 2, 0.5, 4, Number.MIN_VALUE, 1e-310, 2.2250738585072014e-308];
    const xs = [...special, Number.MAX_VALUE, 1 + 2 ** -21, 1 - 2 ** -22, 2 * (1 + 2 ** -25), Math.SQRT2, Math.SQRT1_2, Math.E, 1.2, 1.3];
    const rng = chainRng(22, 0);
    const u = new Float64Array(200_000);
    rng.uniforms(u);
    for (let i = 0; i < u.length; i++) {
      const v = u[i];
      xs.push([v, v * 1e-300, v * 1e300, 1 + (v - 0.5) * 1e-5, 0.7 + 0.7 * v, Math.exp((v - 0.5) * 1400), v * 1e-315][i % 7]);
    }
    const differ = xs.filter((x) => !Object.is(log(x), Math.log(x)));
    expect(differ).toEqual([]);
    expect(sweepKernel(arena.memory, 'js').log).toBe(Math.log);
  });
});

describe('scaled tables (each wasm instance addresses its own as a constant)', () => {
  it('256 distinct tables of 256 bytes below every allocation, then none; past them the JS twin serves', () => {
    const fresh = createArena();
    const tables = Array.from({ length: 256 }, () => claimScaledTable(fresh.memory));
    expect(new Set(tables).size).toBe(256);
    const sorted = [...tables].sort((a, b) => a - b);
    for (let k = 1; k < 256; k++) expect(sorted[k] - sorted[k - 1]).toBeGreaterThanOrEqual(256);
    expect(sorted[0]).toBeGreaterThanOrEqual(8456);
    expect(allocate(fresh, 8)).toBeGreaterThanOrEqual(sorted[255] + 256);
    expect(claimScaledTable(fresh.memory)).toBe(-1);
    // the JS twin's exp is Math.exp itself; the wasm kernel's is its own
    expect(sweepKernel(fresh.memory, 'wasm').exp).toBe(Math.exp);
    expect(sweepKernel(arena.memory, 'wasm').exp).not.toBe(Math.exp);
  });
});
