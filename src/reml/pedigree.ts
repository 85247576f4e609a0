/**
 * Pedigrees: reading (id, sire, dam; 0, NA or - for unknown), ordering parents before offspring,
 * inbreeding coefficients by Meuwissen & Luo (1992), and A⁻¹ built directly by Henderson's rules
 * with inbreeding (A = L D L', A⁻¹ = L'⁻¹ D⁻¹ L⁻¹; Henderson 1976, Quaas 1976).
 */
import { MixmcError } from '../errors.js';
import { readTable } from '../io/csv.js';
import type { SparseSym } from '../linalg/sparse.js';

export interface Pedigree {
  /** Animals, parents before offspring. */
  ids: string[];
  /** Index of the sire/dam in `ids`, or −1 when unknown. */
  sire: Int32Array;
  dam: Int32Array;
}

const UNKNOWN = new Set(['', '0', 'NA', '-', '.']);

/**
 * Read a pedigree file (columns id, sire, dam: the first three, whatever their names). Parents that
 * are not listed as animals become founders; `extraIds` (animals with records but no pedigree line)
 * too. Parents listed after their offspring are reordered.
 * @throws MixmcError for a duplicate animal, an animal that is its own parent, a parent listed as
 *   both sire and dam, or a cycle (naming the animals).
 */
export function readPedigree(file: string, extraIds: Iterable<string> = []): Pedigree {
  const t = readTable(file);
  if (t.header.length < 3) throw new MixmcError('a pedigree needs three columns: id, sire, dam', { file, line: 1 });
  const rows = t.rows.map((r, k) => ({ id: r[0], sire: UNKNOWN.has(r[1]) ? undefined : r[1], dam: UNKNOWN.has(r[2]) ? undefined : r[2], line: t.lines[k] }));
  return buildPedigree(rows, extraIds, file);
}

export interface PedigreeRow {
  id: string;
  sire?: string;
  dam?: string;
  line?: number;
}

export function buildPedigree(rows: readonly PedigreeRow[], extraIds: Iterable<string> = [], file = 'pedigree'): Pedigree {
  const byId = new Map<string, PedigreeRow>();
  const asSire = new Set<string>();
  const asDam = new Set<string>();
  for (const r of rows) {
    if (UNKNOWN.has(r.id)) throw new MixmcError(`missing animal id`, { file, line: r.line });
    if (byId.has(r.id)) throw new MixmcError(`animal '${r.id}' is listed twice (also on line ${byId.get(r.id)!.line})`, { file, line: r.line });
    if (r.sire === r.id || r.dam === r.id) throw new MixmcError(`animal '${r.id}' is its own parent`, { file, line: r.line });
    if (r.sire !== undefined && r.sire === r.dam) throw new MixmcError(`animal '${r.sire}' is both sire and dam of '${r.id}'`, { file, line: r.line });
    byId.set(r.id, r);
    if (r.sire) asSire.add(r.sire);
    if (r.dam) asDam.add(r.dam);
  }
  for (const a of asSire) if (asDam.has(a)) throw new MixmcError(`animal '${a}' is listed both as a sire and as a dam`, { file });
  // parents and record animals without a line of their own are founders
  const all = new Map(byId);
  for (const r of rows) for (const p of [r.sire, r.dam]) if (p && !all.has(p)) all.set(p, { id: p });
  for (const id of extraIds) if (!all.has(id)) all.set(id, { id });
  // order parents before offspring (depth-first; a back edge is a cycle)
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 2) return;
    if (s === 1) {
      const cycle = path.slice(path.indexOf(id)).concat(id);
      throw new MixmcError(`the pedigree has a cycle: ${cycle.join(' → ')} (each is listed as a parent of the next)`, { file });
    }
    state.set(id, 1);
    const r = all.get(id)!;
    for (const p of [r.sire, r.dam]) if (p) visit(p, [...path, id]);
    state.set(id, 2);
    order.push(id);
  };
  for (const id of all.keys()) visit(id, []);
  const index = new Map(order.map((id, i) => [id, i]));
  const sire = Int32Array.from(order, (id) => (all.get(id)!.sire ? index.get(all.get(id)!.sire!)! : -1));
  const dam = Int32Array.from(order, (id) => (all.get(id)!.dam ? index.get(all.get(id)!.dam!)! : -1));
  return { ids: order, sire, dam };
}

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
