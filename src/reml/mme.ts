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
 * built once, row by row of W, in sparse (CSR) form; C = W'W + Λ.
 */
import type { Design } from '../model/design.js';
import type { SparseSym } from '../linalg/sparse.js';
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
  /** Rows of W as (column, value) lists, to form residuals and W'f products. */
  rowPtr: Int32Array;
  rowCol: Int32Array;
  rowVal: Float64Array;
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
  sets.forEach((md, s) => {
    const off = offsets[design.random.length + s];
    for (let j = 0; j < md.p; j++) {
      for (let i = 0; i < n; i++) {
        const v = md.x[j * n + i];
        if (v !== 0) rowLists[i].push({ c: off + j, v });
      }
    }
  });
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
  let wtw: SparseSym;
  if (m <= DENSE_LIMIT) {
    const dense = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      for (let a = rowPtr[i]; a < rowPtr[i + 1]; a++) {
        const base = rowCol[a] * m;
        const va = rowVal[a];
        for (let b = rowPtr[i]; b < rowPtr[i + 1]; b++) dense[base + rowCol[b]] += va * rowVal[b];
      }
    }
    wtw = denseToCsr(dense, m);
  } else {
    const acc: Map<number, number>[] = Array.from({ length: m }, () => new Map());
    for (let i = 0; i < n; i++) {
      for (let a = rowPtr[i]; a < rowPtr[i + 1]; a++) {
        const row = acc[rowCol[a]];
        const va = rowVal[a];
        for (let b = rowPtr[i]; b < rowPtr[i + 1]; b++) row.set(rowCol[b], (row.get(rowCol[b]) ?? 0) + va * rowVal[b]);
      }
    }
    wtw = mapsToCsr(acc);
  }
  const names = [...design.fixed.names, ...terms.flatMap((t) => t.labels)];
  return { m, p, terms, offsets, names, wtw, rhs, yty, n, rowPtr, rowCol, rowVal, y: design.y };
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
  return e;
}

/** W'f. */
export function crossW(mme: Mme, f: Float64Array): Float64Array {
  const out = new Float64Array(mme.m);
  for (let i = 0; i < mme.n; i++) for (let k = mme.rowPtr[i]; k < mme.rowPtr[i + 1]; k++) out[mme.rowCol[k]] += mme.rowVal[k] * f[i];
  return out;
}
