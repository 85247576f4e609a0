import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import type { Design } from '../../src/model/design.js';
import { decodeColumn, type MarkerDesign } from '../../src/model/markers.js';
import { solveDense } from './mme.js';
import type { DataRow, FitResult, MarkerSpec, McmcConfig } from '../../src/types.js';
import { fit } from '../../src/api/fit.js';
import { tempDir } from './cli.js';

export interface Simulated {
  rows: DataRow[];
  /** codes[i][j] */
  codes: number[][];
  beta: number[];
  /** realised genetic values */
  g: number[];
  varE: number;
  genoFile: string;
}

/**
 * n individuals × p markers with allele frequencies in (0.1, 0.9) (HWE) and `qtl` QTL of random
 * sign that each explain the same share of the genetic variance (β_j = ±1/sqrt(2p_j q_j), so
 * 2p_j q_j β_j² = 1); the residual variance makes the population h² equal `h2`. Writes the
 * genotypes as CSV into dir.
 */
export function simulateMarkers(dir: string, n: number, p: number, qtl: number, h2: number, seed: number): Simulated {
  const rng = chainRng(seed, 0);
  const freq = Array.from({ length: p }, () => 0.1 + 0.8 * rng.uniform());
  const codes = Array.from({ length: n }, () => freq.map((f) => (rng.uniform() < f ? 1 : 0) + (rng.uniform() < f ? 1 : 0)));
  const beta = new Array(p).fill(0);
  const picked = new Set<number>();
  while (picked.size < qtl) picked.add(Math.floor(rng.uniform() * p));
  for (const j of picked) beta[j] = (rng.uniform() < 0.5 ? -1 : 1) / Math.sqrt(2 * freq[j] * (1 - freq[j]));
  let vg = 0;
  for (const j of picked) vg += 2 * freq[j] * (1 - freq[j]) * beta[j] * beta[j];
  const g = codes.map((c) => c.reduce((s, x, j) => s + x * beta[j], 0));
  const varE = (vg * (1 - h2)) / h2;
  const rows = g.map((gi, i) => ({ id: `ind${i}`, y: 10 + gi + Math.sqrt(varE) * normal(rng) }));
  const genoFile = join(dir, `geno-${seed}.csv`);
  writeFileSync(genoFile, `${[`id,${Array.from({ length: p }, (_, j) => `m${j}`).join(',')}`, ...codes.map((c, i) => `ind${i},${c.join(',')}`)].join('\n')}\n`);
  return { rows, codes, beta, g, varE, genoFile };
}

/**
 * The dense MME of y = Xb + Mβ + e with β ~ N(0, I·varB): solution and σ²e·LHS⁻¹, using the design's
 * own (centred, Float32) marker columns, so that it is the exact posterior of the sampler's model.
 */
export function markerMme(design: Design, varB: number, varE: number): { mean: Float64Array; cov: Float64Array; dim: number; p: number } {
  const md = design.markers[0];
  const n = design.n;
  const p = design.fixed.p;
  const cols: Float64Array[] = [];
  for (let j = 0; j < p; j++) {
    const c = new Float64Array(n);
    for (let k = design.fixed.colPtr[j]; k < design.fixed.colPtr[j + 1]; k++) c[design.fixed.rowIdx[k]] = design.fixed.vals[k];
    cols.push(c);
  }
  for (let j = 0; j < md.p; j++) cols.push(markerColumn(md, j));
  const lambdas = cols.map((_, a) => (a >= p ? varE / varB : 0));
  return { ...solveDense(cols, design.y, lambdas, varE), p };
}

/** Column j of a marker set over the records: the imputed, centred genotypes x_j the sampler uses. */
export function markerColumn(md: MarkerDesign, j: number): Float64Array {
  const x = new Float64Array(md.n);
  decodeColumn(md.records, md.means[j], md.center[j], j, x);
  return x;
}

/** The simulated genotypes rewritten to `file` with each one missing (NA) with probability `rate`. */
export function withMissing(sim: Simulated, file: string, rate: number, seed: number): string {
  const rng = chainRng(seed, 0);
  const p = sim.codes[0].length;
  const lines = sim.codes.map((c, i) => `ind${i},${c.map((v) => (rng.uniform() < rate ? 'NA' : v)).join(',')}`);
  writeFileSync(file, `${[`id,${Array.from({ length: p }, (_, j) => `m${j}`).join(',')}`, ...lines].join('\n')}\n`);
  return file;
}

/**
 * Simulate `n` × `p` genotypes (simulateMarkers, `qtl` QTL, h² 0.5, seed) in a new folder and fit
 * y ~ 1 with one marker set into its run directory `run`, in-process.
 */
export async function fitSimulatedMarkers(
  n: number,
  p: number,
  qtl: number,
  seed: number,
  markers: Record<string, unknown>,
  mcmc: McmcConfig,
): Promise<{ sim: Simulated; dir: string; res: FitResult }> {
  const root = tempDir('mixmc-markers-');
  const sim = simulateMarkers(root, n, p, qtl, 0.5, seed);
  const dir = join(root, 'run');
  const res = await fit(
    { data: sim.rows, id: 'id', formula: 'y ~ 1', markers: { ...markers, file: sim.genoFile } as MarkerSpec, mcmc },
    { outDir: dir, workers: 0 },
  );
  return { sim, dir, res };
}
