/**
 * Henderson's mixed-model equations built from the same Design the sampler uses (Henderson 1975, Biometrics 31:423,
 * with R = Iσ²e and G = ⊕_k K_k σ²_k, multiplied through by σ²e):
 *
 *   [X'X   X'Z          ] [b]   [X'y]
 *   [Z'X   Z'Z + Λ⊗K⁻¹  ] [u] = [Z'y],   Λ_k = σ²e/σ²_k,
 *
 * so that the solution is (BLUE, BLUP) and σ²e·C⁻¹ is the sampling covariance of b̂ (C11) and the
 * prediction-error covariance of û (C22) (Henderson 1975). Each marker set M_sβ_s enters as
 * a random term with dense columns and K = I (SNP-BLUP). W'W does not depend on the variances and is
 * built once, in sparse (CSR) form; C = W'W + Λ. W is kept as its sparse rows (fixed and random
 * terms) and the marker sets' packed columns, decoded a block of columns at a time (no n × p copy).
 */
import type { SparseSym } from '../linalg/sparse.js';
import type { Design } from '../model/design.js';
import { axpyColumn, decodeColumn, dotColumn, type MarkerDesign } from '../model/markers.js';
import { levelName, markerSetNames } from '../model/names.js';

/** A random block of the MME: an incidence term of the design, or a marker set. */
export interface MmeTerm {
  name: string;
  labels: string[];
  q: number;
  /** K⁻¹ (undefined = identity). */
  kinv?: SparseSym;
  /** log|K| (0 for identity). */
  logDetK: number;
}

export interface Mme {
  /** Unknowns: p fixed effects, then each term's levels. */
  m: number;
  p: number;
  terms: MmeTerm[];
  /** Offset of term k's first unknown. */
  offsets: number[];
  names: string[];
  /** W'W in CSR (both triangles). */
  wtw: SparseSym;
  /** W'y. */
  rhs: Float64Array;
  yty: number;
  n: number;
  /** Rows of W's sparse part (fixed and random terms) as (column, value) lists. */
  rowPtr: Int32Array;
  rowCol: Int32Array;
  rowVal: Float64Array;
  /** W's marker columns: each set's packed genotypes and the unknown of its first marker. */
  markerSets: { md: MarkerDesign; offset: number }[];
  y: Float64Array;
}

export interface MmeOptions {
  /** Include the design's marker sets as random terms with K = I (SNP-BLUP). */
  markers?: boolean;
}

/** Build W'W, W'y and the term layout. */
export function buildMme(design: Design, opts: MmeOptions = {}): Mme {
  const n = design.n;
  const p = design.fixed.p;
  const terms: MmeTerm[] = design.random.map((r) => ({
    name: r.term,
    labels: r.levels.map((l) => levelName(r.term, l)),
    q: r.q,
    kinv: r.cov?.kinv,
    logDetK: r.cov?.logDet ?? 0,
  }));
  const sets = opts.markers ? design.markers : [];
  for (const md of sets) {
    const names = markerSetNames(md.name);
    terms.push({ name: md.term, labels: md.markers.map((m) => names.effect(m.id)), q: md.p, logDetK: 0 });
  }
  const offsets: number[] = [];
  let m = p;
  for (const t of terms) {
    offsets.push(m);
    m += t.q;
  }
  // rows of W
  const rowLists: { c: number; v: number }[][] = Array.from({ length: n }, () => []);
  const { colPtr, rowIdx, vals } = design.fixed;
  for (let j = 0; j < p; j++) for (let k = colPtr[j]; k < colPtr[j + 1]; k++) rowLists[rowIdx[k]].push({ c: j, v: vals[k] });
  design.random.forEach((r, k) => {
    for (let i = 0; i < n; i++) rowLists[i].push({ c: offsets[k] + r.level[i], v: 1 });
  });
  const markerSets = sets.map((md, s) => ({ md, offset: offsets[design.random.length + s] }));
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + rowLists[i].length;
  const rowCol = new Int32Array(rowPtr[n]);
  const rowVal = new Float64Array(rowPtr[n]);
  rowLists.forEach((l, i) =>
    l.forEach((e, k) => {
      rowCol[rowPtr[i] + k] = e.c;
      rowVal[rowPtr[i] + k] = e.v;
    }),
  );
  // W'W by outer products of the rows (into a dense array when the system is small enough for
  // dense algebra anyway, into per-row maps otherwise), and W'y
  const rhs = new Float64Array(m);
  let yty = 0;
  for (let i = 0; i < n; i++) {
    yty += design.y[i] * design.y[i];
    for (let a = rowPtr[i]; a < rowPtr[i + 1]; a++) rhs[rowCol[a]] += rowVal[a] * design.y[i];
  }
  const dense = m <= DENSE_LIMIT ? new Float64Array(m * m) : undefined;
  const maps: Map<number, number>[] | undefined = dense ? undefined : Array.from({ length: m }, () => new Map());
  const add = dense
    ? (a: number, b: number, v: number): void => {
        dense[a * m + b] += v;
      }
    : (a: number, b: number, v: number): void => {
        maps![a].set(b, (maps![a].get(b) ?? 0) + v);
      };
  for (let i = 0; i < n; i++) {
    for (let a = rowPtr[i]; a < rowPtr[i + 1]; a++) {
      const va = rowVal[a];
      for (let b = rowPtr[i]; b < rowPtr[i + 1]; b++) add(rowCol[a], rowCol[b], va * rowVal[b]);
    }
  }
  addMarkerBlocks(markerSets, n, rowPtr, rowCol, rowVal, design.y, rhs, add);
  const wtw = dense ? denseToCsr(dense, m) : mapsToCsr(maps!);
  const names = [...design.fixed.names, ...terms.flatMap((t) => t.labels)];
  return { m, p, terms, offsets, names, wtw, rhs, yty, n, rowPtr, rowCol, rowVal, markerSets, y: design.y };
}

/** Marker columns decoded at a time when forming M'M. */
const BLOCK = 128;

/**
 * The marker sets' parts of W'W and W'y: M'(sparse part), M'M (by blocks of decoded columns) and M'y.
 * Mutates: rhs, and W'W through `add`.
 */
function addMarkerBlocks(
  markerSets: Mme['markerSets'],
  n: number,
  rowPtr: Int32Array,
  rowCol: Int32Array,
  rowVal: Float64Array,
  y: Float64Array,
  rhs: Float64Array,
  add: (a: number, b: number, v: number) => void,
): void {
  const columns = markerSets.flatMap(({ md, offset }) => Array.from({ length: md.p }, (_, j) => ({ md, j, at: offset + j })));
  const decode = (from: number, to: number): Float64Array[] =>
    columns.slice(from, to).map(({ md, j }) => {
      const x = new Float64Array(n);
      decodeColumn(md.records, md.means[j], md.center[j], j, x);
      return x;
    });
  for (let a0 = 0; a0 < columns.length; a0 += BLOCK) {
    const blockA = decode(a0, a0 + BLOCK);
    blockA.forEach((x, ka) => {
      const at = columns[a0 + ka].at;
      let xy = 0;
      for (let i = 0; i < n; i++) {
        xy += x[i] * y[i];
        for (let t = rowPtr[i]; t < rowPtr[i + 1]; t++) {
          const v = rowVal[t] * x[i];
          add(rowCol[t], at, v);
          add(at, rowCol[t], v);
        }
      }
      rhs[at] += xy;
    });
    for (let b0 = 0; b0 <= a0; b0 += BLOCK) {
      const blockB = b0 === a0 ? blockA : decode(b0, b0 + BLOCK);
      blockA.forEach((xa, ka) => {
        blockB.forEach((xb, kb) => {
          if (b0 === a0 && kb > ka) return;
          let s = 0;
          for (let i = 0; i < n; i++) s += xa[i] * xb[i];
          const ia = columns[a0 + ka].at;
          const ib = columns[b0 + kb].at;
          add(ia, ib, s);
          if (ia !== ib) add(ib, ia, s);
        });
      });
    }
  }
}

/** The nonzeros of a dense m × m matrix as CSR. */
function denseToCsr(a: Float64Array, m: number): SparseSym {
  const rowPtr = new Int32Array(m + 1);
  for (let i = 0; i < m; i++) {
    let c = 0;
    for (let j = 0; j < m; j++) if (a[i * m + j] !== 0) c++;
    rowPtr[i + 1] = rowPtr[i] + c;
  }
  const colIdx = new Int32Array(rowPtr[m]);
  const values = new Float64Array(rowPtr[m]);
  for (let i = 0; i < m; i++) {
    let k = rowPtr[i];
    for (let j = 0; j < m; j++) {
      const v = a[i * m + j];
      if (v !== 0) {
        colIdx[k] = j;
        values[k++] = v;
      }
    }
  }
  return { n: m, rowPtr, colIdx, values };
}

function mapsToCsr(rows: Map<number, number>[]): SparseSym {
  const n = rows.length;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + rows[i].size;
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  rows.forEach((r, i) => {
    [...r.entries()]
      .sort((a, b) => a[0] - b[0])
      .forEach(([c, v], k) => {
        colIdx[rowPtr[i] + k] = c;
        values[rowPtr[i] + k] = v;
      });
  });
  return { n, rowPtr, colIdx, values };
}

/** The largest MME built and solved with dense algebra. */
export const DENSE_LIMIT = 3000;

/** Dense C = W'W + ⊕ λ_k K_k⁻¹ (row-major m × m). */
export function denseC(mme: Mme, lambdas: readonly number[]): Float64Array {
  const { m, wtw } = mme;
  if (m > DENSE_LIMIT) throw new Error(`denseC called with ${m} > ${DENSE_LIMIT} unknowns`);
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let k = wtw.rowPtr[i]; k < wtw.rowPtr[i + 1]; k++) c[i * m + wtw.colIdx[k]] += wtw.values[k];
  addPenalty(mme, lambdas, (i, j, v) => {
    c[i * m + j] += v;
  });
  return c;
}

/** Sparse C = W'W + ⊕ λ_k K_k⁻¹ in CSR. */
export function sparseC(mme: Mme, lambdas: readonly number[]): SparseSym {
  const rows: Map<number, number>[] = Array.from({ length: mme.m }, () => new Map());
  const { wtw } = mme;
  for (let i = 0; i < mme.m; i++) for (let k = wtw.rowPtr[i]; k < wtw.rowPtr[i + 1]; k++) rows[i].set(wtw.colIdx[k], wtw.values[k]);
  addPenalty(mme, lambdas, (i, j, v) => void rows[i].set(j, (rows[i].get(j) ?? 0) + v));
  return mapsToCsr(rows);
}

function addPenalty(mme: Mme, lambdas: readonly number[], add: (i: number, j: number, v: number) => void): void {
  mme.terms.forEach((t, k) => {
    const off = mme.offsets[k];
    const lam = lambdas[k];
    if (!t.kinv) {
      for (let j = 0; j < t.q; j++) add(off + j, off + j, lam);
      return;
    }
    const a = t.kinv;
    for (let i = 0; i < a.n; i++) for (let r = a.rowPtr[i]; r < a.rowPtr[i + 1]; r++) add(off + i, off + a.colIdx[r], lam * a.values[r]);
  });
}

/** y − Wθ. */
export function residuals(mme: Mme, theta: Float64Array): Float64Array {
  const e = Float64Array.from(mme.y);
  for (let i = 0; i < mme.n; i++) for (let k = mme.rowPtr[i]; k < mme.rowPtr[i + 1]; k++) e[i] -= mme.rowVal[k] * theta[mme.rowCol[k]];
  for (const { md, offset } of mme.markerSets) {
    for (let j = 0; j < md.p; j++) if (theta[offset + j] !== 0) axpyColumn(md.records, md.means[j], md.center[j], j, -theta[offset + j], e);
  }
  return e;
}

/** W'f. */
export function crossW(mme: Mme, f: Float64Array): Float64Array {
  const out = new Float64Array(mme.m);
  for (let i = 0; i < mme.n; i++) for (let k = mme.rowPtr[i]; k < mme.rowPtr[i + 1]; k++) out[mme.rowCol[k]] += mme.rowVal[k] * f[i];
  for (const { md, offset } of mme.markerSets) for (let j = 0; j < md.p; j++) out[offset + j] = dotColumn(md.records, md.means[j], md.center[j], j, f);
  return out;
}
