/** What the benchmarks share: a table printer and simulated genotypes written as a PLINK .bed. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow } from '../../src/types.js';

export type Row = Record<string, string | number>;

export function table(title: string, rows: Row[]): void {
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => String(r[c])));
  const w = cols.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  console.log(`\n${title}`);
  console.log(cols.map((c, j) => c.padEnd(w[j])).join('  '));
  for (const r of cells) console.log(r.map((c, j) => c.padEnd(w[j])).join('  '));
}

/**
 * n individuals × p markers as PLINK .bed/.bim/.fam (SNP-major), allele frequencies U(0.05, 0.95) in
 * HWE (one uniform per genotype), with a phenotype per individual: 0.1 × the count at nQtl QTL plus
 * a standard normal.
 */
export function writeSimulatedBed(dir: string, n: number, p: number, nQtl: number, seed: number): { bed: string; rows: DataRow[] } {
  const rng = chainRng(seed, 0);
  const freq = new Float64Array(p);
  rng.uniforms(freq);
  for (let j = 0; j < p; j++) freq[j] = 0.05 + 0.9 * freq[j];
  const perSnp = Math.ceil(n / 4);
  const bytes = new Uint8Array(3 + p * perSnp);
  bytes.set([0x6c, 0x1b, 0x01]);
  const g = new Float64Array(n);
  const qtl = new Set(Array.from({ length: nQtl }, () => Math.floor(rng.uniform() * p)));
  const u = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    rng.uniforms(u);
    const f = freq[j];
    const p2 = f * f;
    const p1 = p2 + 2 * f * (1 - f);
    const base = 3 + j * perSnp;
    const isQtl = qtl.has(j);
    for (let i = 0; i < n; i++) {
      // count of A1: 2 with probability f², 1 with 2f(1 − f); .bed codes 00, 10, 11 for 2, 1, 0
      const c = u[i] < p2 ? 2 : u[i] < p1 ? 1 : 0;
      if (isQtl) g[i] += 0.1 * c;
      bytes[base + (i >> 2)] |= (c === 2 ? 0 : c === 1 ? 2 : 3) << ((i & 3) * 2);
    }
  }
  const bed = join(dir, 'geno.bed');
  writeFileSync(bed, bytes);
  writeFileSync(join(dir, 'geno.bim'), `${Array.from({ length: p }, (_, j) => `1\tm${j}\t0\t${j + 1}\tA\tB`).join('\n')}\n`);
  writeFileSync(join(dir, 'geno.fam'), `${Array.from({ length: n }, (_, i) => `f i${i} 0 0 0 -9`).join('\n')}\n`);
  return { bed, rows: Array.from(g, (gi, i) => ({ id: `i${i}`, y: gi + normal(rng) })) };
}

/** Pearson's correlation (the library's). */
export { pearson as correlation } from '../../src/diagnostics/prediction.js';
