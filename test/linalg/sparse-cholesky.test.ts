/**
 * Sparse Cholesky with minimum-degree ordering and its selected inverse, against dense algebra on a
 * random sparse SPD matrix (and on A⁻¹ of a pedigree), to 1e-10.
 */
import { describe, expect, it } from 'vitest';
import { SparseCholesky, SymbolicCholesky } from '../../src/linalg/sparseCholesky.js';
import { choleskyInPlace, invertSPD } from '../../src/linalg/dense.js';
import { toDense, type SparseSym } from '../../src/linalg/sparse.js';
import { chainRng } from '../../src/rng/rng.js';
import { buildPedigree } from '../../src/io/pedigree.js';
import { aInverse } from '../../src/model/pedigree.js';

function randomSpd(n: number, density: number, seed: number): SparseSym {
  const rng = chainRng(seed, 0);
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (rng.uniform() < density) {
        const v = rng.uniform() - 0.5;
        rows[i].set(j, v);
        rows[j].set(i, v);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const v of rows[i].values()) s += Math.abs(v);
    rows[i].set(i, s + 0.5 + rng.uniform());
  }
  const rowPtr = new Int32Array(n + 1);
  rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i] + r.size));
  const colIdx = new Int32Array(rowPtr[n]);
  const values = new Float64Array(rowPtr[n]);
  rows.forEach((r, i) =>
    [...r.entries()]
      .sort((a, b) => a[0] - b[0])
      .forEach(([c, v], k) => {
        colIdx[rowPtr[i] + k] = c;
        values[rowPtr[i] + k] = v;
      }),
  );
  return { n, rowPtr, colIdx, values };
}

function check(a: SparseSym, factor: (a: SparseSym) => SparseCholesky | undefined = SparseCholesky.factor): void {
  const n = a.n;
  const dense = toDense(a);
  const f = factor(a)!;
  expect(f).toBeDefined();
  const l = Float64Array.from(dense);
  choleskyInPlace(l, n);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i]);
  expect(f.logDet).toBeCloseTo(logDet, 9);
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const x = f.solve(b);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = a.rowPtr[i]; t < a.rowPtr[i + 1]; t++) s += a.values[t] * x[a.colIdx[t]];
    expect(Math.abs(s - b[i])).toBeLessThan(1e-10);
  }
  const inv = invertSPD(dense, n);
  for (let i = 0; i < n; i++)
    for (let t = a.rowPtr[i]; t < a.rowPtr[i + 1]; t++) {
      const j = a.colIdx[t];
      expect(Math.abs(f.inverseEntry(i, j) - inv[i * n + j])).toBeLessThan(1e-10);
    }
}

describe('sparse Cholesky and selected inverse', () => {
  it('a random sparse SPD matrix (n = 150)', () => check(randomSpd(150, 0.03, 1)));
  it('A⁻¹ of a pedigree (n = 300)', () => {
    const rng = chainRng(3, 0);
    const rows = Array.from({ length: 300 }, (_, i) =>
      i < 30 ? { id: `a${i}` } : { id: `a${i}`, sire: `a${Math.floor(rng.uniform() * i)}`, dam: `b${Math.floor(rng.uniform() * i)}` },
    );
    const dams = new Set(rows.map((r) => r.dam).filter(Boolean) as string[]);
    const ped = buildPedigree(
      [...rows.map((r) => ({ ...r, dam: r.dam })), ...[...dams].map((d) => ({ id: d }))].filter((r, k, all) => all.findIndex((x) => x.id === r.id) === k),
    );
    check(aInverse(ped).ainv);
  });
  it('a dense matrix (the elimination graph is one clique) and a sparse one with a dense block', () => {
    check(randomSpd(40, 1, 4));
    const a = randomSpd(120, 0.02, 5);
    const rows = Array.from(
      { length: 120 },
      (_, i) =>
        new Map(Array.from({ length: a.rowPtr[i + 1] - a.rowPtr[i] }, (_, t) => [a.colIdx[a.rowPtr[i] + t], a.values[a.rowPtr[i] + t]] as [number, number])),
    );
    // the last 30 rows and columns joined to each other, diagonal kept dominant
    for (let i = 90; i < 120; i++) for (let j = 90; j < 120; j++) if (i !== j) rows[i].set(j, 0.01);
    for (let i = 90; i < 120; i++) rows[i].set(i, rows[i].get(i)! + 0.3);
    const rowPtr = new Int32Array(121);
    rows.forEach((r, i) => (rowPtr[i + 1] = rowPtr[i] + r.size));
    const sorted = rows.map((r) => [...r.entries()].sort((x, y) => x[0] - y[0]));
    check({ n: 120, rowPtr, colIdx: Int32Array.from(sorted.flat().map((e) => e[0])), values: Float64Array.from(sorted.flat().map((e) => e[1])) });
  });
  it('one symbolic analysis serves every matrix of its pattern, and knows other patterns', () => {
    const a = randomSpd(150, 0.03, 6);
    const sym = SymbolicCholesky.analyze(a);
    // new symmetric values (still diagonally dominant) through the kept analysis
    const scaled = { ...a, values: Float64Array.from(a.values) };
    for (let i = 0; i < scaled.n; i++) {
      for (let t = scaled.rowPtr[i]; t < scaled.rowPtr[i + 1]; t++) {
        const j = scaled.colIdx[t];
        scaled.values[t] = j === i ? scaled.values[t] + 1 : scaled.values[t] * (1 + 0.1 * Math.sin(i + j));
      }
    }
    expect(sym.matches(scaled)).toBe(true);
    check(scaled, (m) => sym.factor(m));
    expect(sym.matches(randomSpd(150, 0.03, 7))).toBe(false);
  });
  it('a matrix that is not positive definite gives undefined', () => {
    const a: SparseSym = { n: 2, rowPtr: Int32Array.of(0, 2, 4), colIdx: Int32Array.of(0, 1, 0, 1), values: Float64Array.of(1, 2, 2, 1) };
    expect(SparseCholesky.factor(a)).toBeUndefined();
  });
});
