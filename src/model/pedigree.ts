/**
 * The pedigree relationship matrix: inbreeding coefficients by Meuwissen & Luo (1992), and A⁻¹ built
 * directly by Henderson's rules with inbreeding (A = L D L', A⁻¹ = L'⁻¹ D⁻¹ L⁻¹; Henderson 1976,
 * Quaas 1976).
 */
import type { Pedigree } from '../io/pedigree.js';
import type { SparseSym } from '../linalg/sparse.js';

/**
 * Inbreeding coefficients by Meuwissen & Luo (1992): for each animal i (in order), walk its
 * ancestors j in decreasing order accumulating L_ij (L_sj += ½L_ij, L_dj += ½L_ij), and
 * F_i = Σ_j L_ij² d_j − 1, with d_j = ½ − ¼(F_s + F_d) (F of an unknown parent = −1).
 * Returns F and the within-family variances d (A = L diag(d) L').
 */
export function inbreeding(ped: Pedigree): { F: Float64Array; d: Float64Array } {
  const n = ped.ids.length;
  const F = new Float64Array(n);
  const d = new Float64Array(n);
  const L = new Float64Array(n);
  const inList = new Uint8Array(n);
  const heap: number[] = [];
  const push = (v: number): void => {
    heap.push(v);
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (heap[parent] >= heap[k]) break;
      [heap[parent], heap[k]] = [heap[k], heap[parent]];
      k = parent;
    }
  };
  const pop = (): number => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && heap[l] > heap[m]) m = l;
        if (r < heap.length && heap[r] > heap[m]) m = r;
        if (m === k) break;
        [heap[m], heap[k]] = [heap[k], heap[m]];
        k = m;
      }
    }
    return top;
  };
  const fOf = (j: number): number => (j < 0 ? -1 : F[j]);
  for (let i = 0; i < n; i++) {
    const s = ped.sire[i];
    const m = ped.dam[i];
    d[i] = 0.5 - 0.25 * (fOf(s) + fOf(m));
    if (s < 0 || m < 0) {
      F[i] = 0; // an animal with an unknown parent is not inbred
      continue;
    }
    if (i > 0 && ped.sire[i - 1] === s && ped.dam[i - 1] === m) {
      F[i] = F[i - 1];
      continue;
    }
    let fi = -1;
    L[i] = 1;
    push(i);
    inList[i] = 1;
    while (heap.length > 0) {
      const j = pop();
      inList[j] = 0;
      fi += L[j] * L[j] * d[j];
      for (const p of [ped.sire[j], ped.dam[j]]) {
        if (p < 0) continue;
        L[p] += 0.5 * L[j];
        if (!inList[p]) {
          inList[p] = 1;
          push(p);
        }
      }
      L[j] = 0;
    }
    F[i] = fi;
  }
  return { F, d };
}

/**
 * A⁻¹ by Henderson's rules with inbreeding: each animal i with b_i = 1/d_i adds b_i at (i,i),
 * −b_i/2 at (i,parent) and b_i/4 at (parent,parent'), for its known parents. Also log|A| = Σ log d_i.
 */
export function aInverse(ped: Pedigree): { ainv: SparseSym; logDet: number; F: Float64Array } {
  const { F, d } = inbreeding(ped);
  const n = ped.ids.length;
  const entries = new Map<number, number>();
  const add = (i: number, j: number, v: number): void => {
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    const key = a * n + b;
    entries.set(key, (entries.get(key) ?? 0) + v);
  };
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    const b = 1 / d[i];
    logDet += Math.log(d[i]);
    const parents = [ped.sire[i], ped.dam[i]].filter((p) => p >= 0);
    add(i, i, b);
    for (const p of parents) add(i, p, -b / 2);
    for (const p of parents) for (const q of parents) if (p <= q) add(p, q, p === q ? b / 4 : b / 4);
  }
  return { ainv: sparseFromUpper(n, entries), logDet, F };
}

/** A symmetric sparse matrix from upper-triangle entries keyed a·n + b (a ≤ b). */
function sparseFromUpper(n: number, entries: Map<number, number>): SparseSym {
  const rows: number[][] = Array.from({ length: n }, () => []);
  const vals: number[][] = Array.from({ length: n }, () => []);
  for (const [key, v] of entries) {
    const a = Math.floor(key / n);
    const b = key - a * n;
    rows[a].push(b);
    vals[a].push(v);
    if (a !== b) {
      rows[b].push(a);
      vals[b].push(v);
    }
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + rows[i].length;
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  for (let i = 0; i < n; i++) {
    const order = rows[i].map((c, k) => ({ c, v: vals[i][k] })).sort((x, y) => x.c - y.c);
    order.forEach((o, k) => {
      colIdx[rowPtr[i] + k] = o.c;
      values[rowPtr[i] + k] = o.v;
    });
  }
  return { n, rowPtr, colIdx, values };
}
