/**
 * Pedigree A⁻¹ by Henderson's rules with Meuwissen & Luo inbreeding, against the tabular A, on a
 * simulated pedigree of 2,000 animals over 6 generations with matings among relatives; and the
 * pedigree errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPedigree, readPedigree, type Pedigree } from '../../src/io/pedigree.js';
import { aInverse } from '../../src/model/pedigree.js';
import { chainRng } from '../../src/rng/rng.js';
import { choleskyInPlace } from '../../src/linalg/dense.js';
import { tempDir } from '../helpers/cli.js';

/** 2,000 animals: 100 founders, then 6 generations of 316–317 offspring from parents of the last two generations (so relatives mate). */
function simulatePedigree(): { rows: { id: string; sire?: string; dam?: string }[] } {
  const rng = chainRng(2020, 0);
  const rows: { id: string; sire?: string; dam?: string }[] = [];
  const males: string[][] = [[]];
  const females: string[][] = [[]];
  for (let i = 0; i < 100; i++) {
    const id = `g0_${i}`;
    rows.push({ id });
    (i % 2 ? males : females)[0].push(id);
  }
  const pick = (a: string[]): string => a[Math.floor(rng.uniform() * a.length)];
  for (let gen = 1; gen <= 6; gen++) {
    males.push([]);
    females.push([]);
    const size = gen <= 4 ? 317 : 316;
    const pool = (x: string[][]): string[] => [...x[gen - 1], ...(gen >= 2 ? x[gen - 2] : [])];
    for (let i = 0; i < size; i++) {
      const id = `g${gen}_${i}`;
      // some parents unknown, as in real pedigrees
      const sire = rng.uniform() < 0.05 ? undefined : pick(pool(males));
      const dam = rng.uniform() < 0.05 ? undefined : pick(pool(females));
      rows.push({ id, sire, dam });
      (i % 2 ? males : females)[gen].push(id);
    }
  }
  return { rows };
}

/** The tabular method (Henderson 1976): A_ij = ½(A_i,sire(j) + A_i,dam(j)), A_jj = 1 + ½A_sire,dam. */
function tabularA(ped: Pedigree): Float64Array {
  const n = ped.ids.length;
  const A = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const s = ped.sire[j];
    const d = ped.dam[j];
    for (let i = 0; i < j; i++) {
      const v = 0.5 * ((s >= 0 ? A[i * n + s] : 0) + (d >= 0 ? A[i * n + d] : 0));
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
    A[j * n + j] = 1 + (s >= 0 && d >= 0 ? 0.5 * A[s * n + d] : 0);
  }
  return A;
}

describe('A⁻¹ with inbreeding', () => {
  const { rows } = simulatePedigree();
  // list some offspring before their parents to exercise the reordering
  const shuffled = [...rows.slice(1000), ...rows.slice(0, 1000)];
  const ped = buildPedigree(shuffled);
  const { ainv, F, logDet } = aInverse(ped);
  const A = tabularA(ped);
  const n = ped.ids.length;

  it('has 2,000 animals, parents before offspring, and real inbreeding', () => {
    expect(n).toBe(2000);
    for (let i = 0; i < n; i++) {
      if (ped.sire[i] >= 0) expect(ped.sire[i]).toBeLessThan(i);
      if (ped.dam[i] >= 0) expect(ped.dam[i]).toBeLessThan(i);
    }
    expect(Math.max(...F)).toBeGreaterThan(0.1);
  });

  it('A⁻¹·A = I to 1e-9', () => {
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = ainv.rowPtr[i]; k < ainv.rowPtr[i + 1]; k++) s += ainv.values[k] * A[ainv.colIdx[k] * n + j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('inbreeding coefficients = diag(A) − 1', () => {
    for (let i = 0; i < n; i++) expect(Math.abs(F[i] - (A[i * n + i] - 1))).toBeLessThan(1e-12);
  });

  it('log|A| = Σ log d_i equals the log-determinant of the tabular A (first 400 animals, a closed sub-pedigree)', () => {
    const m = 400;
    const sub: Pedigree = { ids: ped.ids.slice(0, m), sire: ped.sire.slice(0, m), dam: ped.dam.slice(0, m), absent: [] };
    const l = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) l[i * m + j] = A[i * n + j];
    expect(choleskyInPlace(l, m)).toBe(-1);
    let dense = 0;
    for (let i = 0; i < m; i++) dense += 2 * Math.log(l[i * m + i]);
    expect(aInverse(sub).logDet).toBeCloseTo(dense, 9);
    expect(Number.isFinite(logDet)).toBe(true);
  });
});

describe('pedigree errors', () => {
  const write = (text: string): string => {
    const f = join(tempDir(), 'ped.csv');
    writeFileSync(f, text);
    return f;
  };
  it('a cycle names the animals', () => {
    expect(() => readPedigree(write('id,sire,dam\na,c,x\nb,a,y\nc,b,z\n'))).toThrowError(
      /the pedigree has a cycle: (a → c → b → a|c → b → a → c|b → a → c → b)/,
    );
  });
  it('a parent listed as both sire and dam', () => {
    expect(() => readPedigree(write('id,sire,dam\nk1,p,q\nk2,q,r\n'))).toThrowError(/animal 'q' is listed both as a sire and as a dam/);
    expect(() => readPedigree(write('id,sire,dam\nk1,p,p\n'))).toThrowError(/ped\.csv, line 2: animal 'p' is both sire and dam of 'k1'/);
  });
  it('unknown parents may be 0, NA or -', () => {
    const p = readPedigree(write('id,sire,dam\na,0,NA\nb,-,0\nc,a,b\n'));
    expect(p.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(p.sire)).toEqual([-1, -1, 0]);
  });
});
