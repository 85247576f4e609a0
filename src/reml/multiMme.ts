/**
 * The mixed-model equations of a multivariate model (Henderson & Quaas 1976, J. Anim. Sci. 43:1188;
 * Meyer 1991, Genet. Sel. Evol. 23:67), on the observed values only (records missing some traits
 * keep the others):
 *
 *   C = Σ_i W_i' R_Oi⁻¹ W_i + diag(0, ⊕_k K_k⁻¹ ⊗ G_k⁻¹),   r = Σ_i W_i' R_Oi⁻¹ y_Oi,
 *
 * W_i the rows of record i's observed traits O_i (trait s: x_i' in the columns of trait s's fixed
 * effects, z_ic in the column of component s·nc + c of its level of each term), R_Oi the residual
 * covariance of those traits. Unknowns: B trait-major (s·p + j), then each term's levels level-major
 * (offset_k + l·d_k + a). The pattern of C is built once; every evaluation fills its values through
 * positions found once, so a REML iteration costs one pass over the observations.
 */
import type { SparseSym } from '../linalg/sparse.js';
import type { Design } from '../model/design.js';

export interface MultiTerm {
  name: string;
  q: number;
  d: number;
  offset: number;
  kinv?: SparseSym;
  logDetK: number;
}

export interface MultiMme {
  /** Unknowns; fixed effects p·t of them. */
  m: number;
  p: number;
  t: number;
  terms: MultiTerm[];
  /** Observations (record, trait) with a value, record by record. */
  nObs: number;
  /** obsPtr[i] … obsPtr[i + 1]: the observations of record i. */
  obsPtr: Int32Array;
  obsTrait: Int32Array;
  y: Float64Array;
  /** The row of W of each observation: (column, value) pairs rowCol/rowVal[rowPtr[o] … rowPtr[o + 1]). */
  rowPtr: Int32Array;
  rowCol: Int32Array;
  rowVal: Float64Array;
  /** The pattern of observed traits of each record (a bit per trait), and the distinct patterns. */
  recordPattern: Int32Array;
  patterns: Int32Array;
  /** C's pattern (CSR, both triangles), its values refilled by fillC. */
  c: SparseSym;
  /** For each record, the positions in c.values of W_i'W_i's entries, in the order fillC visits them. */
  dataPos: Int32Array;
  dataPtr: Int32Array;
  /** For each term, the positions of K⁻¹ ⊗ G⁻¹'s entries (nonzero K⁻¹_lm by row, then a, b). */
  priorPos: Int32Array[];
}

/** Build the observation rows and the pattern of C. */
export function buildMultiMme(design: Design): MultiMme {
  const { n } = design;
  const { t, observed } = design.traits;
  const p = design.fixed.p;
  const terms: MultiTerm[] = [];
  let m = p * t;
  for (const r of design.random) {
    const d = t * r.coefs.length;
    terms.push({ name: r.term, q: r.q, d, offset: m, kinv: r.cov?.kinv, logDetK: r.cov?.logDet ?? 0 });
    m += r.q * d;
  }
  // X by rows
  const xRows: { j: number; v: number }[][] = Array.from({ length: n }, () => []);
  const { colPtr, rowIdx, vals } = design.fixed;
  for (let j = 0; j < p; j++) for (let k = colPtr[j]; k < colPtr[j + 1]; k++) xRows[rowIdx[k]].push({ j, v: vals[k] });
  const obsPtr = new Int32Array(n + 1);
  const obsTrait: number[] = [];
  const y: number[] = [];
  const rowPtr: number[] = [0];
  const rowCol: number[] = [];
  const rowVal: number[] = [];
  const recordPattern = new Int32Array(n);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    let mask = 0;
    for (let s = 0; s < t; s++) {
      if (!observed[s * n + i]) continue;
      mask |= 1 << s;
      obsTrait.push(s);
      y.push(design.y[s * n + i]);
      for (const { j, v } of xRows[i]) {
        rowCol.push(s * p + j);
        rowVal.push(v);
      }
      design.random.forEach((r, k) => {
        const nc = r.coefs.length;
        const base = terms[k].offset + r.level[i] * terms[k].d + s * nc;
        for (let c = 0; c < nc; c++) {
          rowCol.push(base + c);
          rowVal.push(r.z ? r.z[i * nc + c] : 1);
        }
      });
      rowPtr.push(rowCol.length);
    }
    obsPtr[i + 1] = obsTrait.length;
    recordPattern[i] = mask;
    seen.add(mask);
  }
  // the pattern of C: W'W's pairs within each record, and K⁻¹ ⊗ (d × d) blocks
  const cols: Set<number>[] = Array.from({ length: m }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    for (let a = obsPtr[i]; a < obsPtr[i + 1]; a++) {
      for (let b = obsPtr[i]; b < obsPtr[i + 1]; b++) {
        for (let u = rowPtr[a]; u < rowPtr[a + 1]; u++) for (let w = rowPtr[b]; w < rowPtr[b + 1]; w++) cols[rowCol[u]].add(rowCol[w]);
      }
    }
  }
  const blocks = (term: MultiTerm, visit: (row: number, col: number) => void): void => {
    const { q, d, offset, kinv } = term;
    for (let l = 0; l < q; l++) {
      const neighbours = kinv ? Array.from(kinv.colIdx.subarray(kinv.rowPtr[l], kinv.rowPtr[l + 1])) : [l];
      for (const mm of neighbours) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) visit(offset + l * d + a, offset + mm * d + b);
    }
  };
  for (const term of terms) blocks(term, (r, c) => cols[r].add(c));
  const cRowPtr = new Int32Array(m + 1);
  for (let r = 0; r < m; r++) cRowPtr[r + 1] = cRowPtr[r] + cols[r].size;
  const cColIdx = new Int32Array(cRowPtr[m]);
  cols.forEach((set, r) => cColIdx.set(Int32Array.from(set).sort(), cRowPtr[r]));
  const c: SparseSym = { n: m, rowPtr: cRowPtr, colIdx: cColIdx, values: new Float64Array(cRowPtr[m]) };
  const position = (r: number, col: number): number => {
    let lo = cRowPtr[r];
    let hi = cRowPtr[r + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cColIdx[mid] < col) lo = mid + 1;
      else if (cColIdx[mid] > col) hi = mid - 1;
      else return mid;
    }
    throw new Error(`(${r}, ${col}) is not in the pattern of C`);
  };
  const dataPtr = new Int32Array(n + 1);
  const dataPos: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let a = obsPtr[i]; a < obsPtr[i + 1]; a++) {
      for (let b = obsPtr[i]; b < obsPtr[i + 1]; b++) {
        for (let u = rowPtr[a]; u < rowPtr[a + 1]; u++) for (let w = rowPtr[b]; w < rowPtr[b + 1]; w++) dataPos.push(position(rowCol[u], rowCol[w]));
      }
    }
    dataPtr[i + 1] = dataPos.length;
  }
  const priorPos = terms.map((term) => {
    const out: number[] = [];
    blocks(term, (r, col) => out.push(position(r, col)));
    return Int32Array.from(out);
  });
  return {
    m,
    p,
    t,
    terms,
    nObs: obsTrait.length,
    obsPtr,
    obsTrait: Int32Array.from(obsTrait),
    y: Float64Array.from(y),
    rowPtr: Int32Array.from(rowPtr),
    rowCol: Int32Array.from(rowCol),
    rowVal: Float64Array.from(rowVal),
    recordPattern,
    patterns: Int32Array.from([...seen].sort((a, b) => a - b)),
    c,
    dataPos: Int32Array.from(dataPos),
    dataPtr,
    priorPos,
  };
}

/** R_O⁻¹ of a pattern of observed traits, with the observed traits' list: what fillC needs per record. */
export interface PatternInverse {
  obs: number[];
  inv: Float64Array;
  logDet: number;
}

/**
 * Fill C's values and r: Σ_i W_i'R_Oi⁻¹W_i + ⊕ K⁻¹ ⊗ G_k⁻¹, Σ_i W_i'R_Oi⁻¹y_Oi; returns y'R⁻¹y.
 * Mutates: mme.c.values, rhs.
 */
export function fillC(mme: MultiMme, rinv: ReadonlyMap<number, PatternInverse>, ginv: readonly Float64Array[], rhs: Float64Array): number {
  const { c, obsPtr, rowPtr, rowCol, rowVal, y, dataPos, dataPtr, recordPattern } = mme;
  const values = c.values;
  values.fill(0);
  rhs.fill(0);
  let yRy = 0;
  const n = recordPattern.length;
  for (let i = 0; i < n; i++) {
    const { inv } = rinv.get(recordPattern[i])!;
    const o0 = obsPtr[i];
    const o = obsPtr[i + 1] - o0;
    let pos = dataPtr[i];
    for (let a = 0; a < o; a++) {
      for (let b = 0; b < o; b++) {
        const w = inv[a * o + b];
        const ra = o0 + a;
        const rb = o0 + b;
        yRy += y[ra] * w * y[rb];
        for (let u = rowPtr[ra]; u < rowPtr[ra + 1]; u++) {
          const wu = rowVal[u] * w;
          rhs[rowCol[u]] += wu * y[rb];
          for (let v = rowPtr[rb]; v < rowPtr[rb + 1]; v++) values[dataPos[pos++]] += wu * rowVal[v];
        }
      }
    }
  }
  mme.terms.forEach((term, k) => {
    const { q, d, kinv } = term;
    const g = ginv[k];
    const positions = mme.priorPos[k];
    let pos = 0;
    for (let l = 0; l < q; l++) {
      const from = kinv ? kinv.rowPtr[l] : 0;
      const to = kinv ? kinv.rowPtr[l + 1] : 1;
      for (let e = from; e < to; e++) {
        const kv = kinv ? kinv.values[e] : 1;
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) values[positions[pos++]] += kv * g[a * d + b];
      }
    }
  });
  return yRy;
}

/** ê = y − Wθ over the observations. */
export function observationResiduals(mme: MultiMme, theta: Float64Array): Float64Array {
  const e = new Float64Array(mme.nObs);
  for (let o = 0; o < mme.nObs; o++) {
    let s = mme.y[o];
    for (let u = mme.rowPtr[o]; u < mme.rowPtr[o + 1]; u++) s -= mme.rowVal[u] * theta[mme.rowCol[u]];
    e[o] = s;
  }
  return e;
}

/** W'R⁻¹f for a vector f over the observations. */
export function crossWR(mme: MultiMme, rinv: ReadonlyMap<number, PatternInverse>, f: Float64Array, out: Float64Array): void {
  out.fill(0);
  const { obsPtr, rowPtr, rowCol, rowVal, recordPattern } = mme;
  for (let i = 0; i < recordPattern.length; i++) {
    const { inv } = rinv.get(recordPattern[i])!;
    const o0 = obsPtr[i];
    const o = obsPtr[i + 1] - o0;
    for (let a = 0; a < o; a++) {
      let rf = 0;
      for (let b = 0; b < o; b++) rf += inv[a * o + b] * f[o0 + b];
      for (let u = rowPtr[o0 + a]; u < rowPtr[o0 + a + 1]; u++) out[rowCol[u]] += rowVal[u] * rf;
    }
  }
}
