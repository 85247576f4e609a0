/**
 * Multi-trait marker regressions: with Σβ and R0 held fixed, BRR's posterior means are the
 * multi-trait SNP-BLUP solution (an independent dense MME, 15% of the second trait missing) within
 * 4 MCSE; e = y − XB − Mα after every sweep (BRR and BayesC); the genetic correlation of simulated
 * data is recovered by BRR and BayesC; the outputs have a row per marker and trait.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correlation } from '../bench/util.js';
import { fit, fitWithHooks } from '../../src/api/fit.js';
import { mcseMean } from '../../src/diagnostics/mcse.js';
import { prepare } from '../../src/blocks/plan.js';
import type { ChainState } from '../../src/mcmc/state.js';
import type { Design } from '../../src/model/design.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, RunSpec } from '../../src/types.js';
import { tempDir } from '../helpers/cli.js';
import { markerColumn, simulateMarkers } from '../helpers/markers.js';
import { multiMmeOracle } from '../helpers/multi.js';

/** n individuals, p markers, two traits with genetic correlation about `rg` over `qtl` QTL; `missing2` of y2 missing. */
function simulate(dir: string, n: number, p: number, qtl: number, rg: number, missing2: number, seed: number) {
  const sim = simulateMarkers(dir, n, p, 0, 0.5, seed);
  const rng = chainRng(seed, 1);
  const b1 = new Array(p).fill(0);
  const b2 = new Array(p).fill(0);
  for (let q = 0; q < qtl; q++) {
    const j = Math.floor(rng.uniform() * p);
    const z1 = normal(rng);
    b1[j] = 0.3 * z1;
    b2[j] = 0.3 * (rg * z1 + Math.sqrt(1 - rg * rg) * normal(rng));
  }
  const g1 = sim.codes.map((c) => c.reduce((s, x, j) => s + x * b1[j], 0));
  const g2 = sim.codes.map((c) => c.reduce((s, x, j) => s + x * b2[j], 0));
  const rows: DataRow[] = g1.map((g, i) => ({ id: `ind${i}`, y1: 1 + g + normal(rng), y2: rng.uniform() < missing2 ? null : 2 + g2[i] + normal(rng) }));
  return { rows, geno: sim.genoFile, realisedCor: correlation(g1, g2) };
}

describe('multi-trait BRR with Σβ and R0 fixed: the posterior of the effects is the multi-trait SNP-BLUP solution', () => {
  it('every marker effect and intercept within 4 MCSE of the dense MME (15% of y2 missing)', async () => {
    const dir = tempDir();
    const { rows, geno } = simulate(dir, 120, 25, 8, 0.5, 0.15, 61);
    const sigma = [
      [0.02, 0.008],
      [0.008, 0.03],
    ];
    const r0 = [
      [1.1, 0.3],
      [0.3, 1.4],
    ];
    const spec: RunSpec = {
      data: rows,
      id: 'id',
      formula: 'cbind(y1, y2) ~ 1',
      markers: { file: geno, prior: 'BRR' },
      fixedVariances: { markers: sigma, residual: r0 },
      mcmc: { chains: 4, iterations: 3000, burnin: 100, thin: 1, seed: 5 },
    };
    const { design } = prepare(spec);
    const md = design.markers[0];
    // the draws of every effect after burn-in, chain by chain, for their MCSE
    const kept: number[][][] = [0, 1, 2, 3].map(() => []);
    const res = await fitWithHooks(spec, {}, { afterSweep: (state, it, chain) => void (it > 100 && kept[chain].push(Array.from(state.markers[0].beta))) });
    const oracle = multiMmeOracle(design, [], r0, { cols: Array.from({ length: md.p }, (_, j) => markerColumn(md, j)), sigma });
    const effects = res.effects.markerSets[0].effects;
    expect(effects.labels.slice(0, 2)).toEqual([`snp[${md.markers[0].id}](y1)`, `snp[${md.markers[0].id}](y2)`]);
    const intercepts = ['b[(Intercept)](y1)', 'b[(Intercept)](y2)'].map((v) => res.summary.parameters.find((p) => p.variable === v)!);
    intercepts.forEach((p, s) => expect(Math.abs(p.mean - oracle.mean[s]) / p.mcseMean, p.variable).toBeLessThan(4));
    effects.mean.forEach((m, k) => {
      const chains = kept.map((c) => Float64Array.from(c, (row) => row[k]));
      const se = mcseMean(chains);
      expect(Math.abs(m - oracle.mean[2 + k]) / se, effects.labels[k]).toBeLessThan(4);
    });
  });
});

/** e = y − XB − Σ_j x_j α_j per trait (y with the imputed traits). */
function residualError(design: Design, state: ChainState): number {
  const md = design.markers[0];
  const { n } = design;
  const t = design.traits.t;
  const { y, pitch } = state.multi!;
  let worst = 0;
  for (let s = 0; s < t; s++) {
    const fitted = new Float64Array(n).fill(state.b[s]);
    for (let j = 0; j < md.p; j++) {
      const a = state.markers[0].beta[j * t + s];
      if (a === 0) continue;
      const x = markerColumn(md, j);
      for (let i = 0; i < n; i++) fitted[i] += x[i] * a;
    }
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[s * n + i] - fitted[i] - state.e[s * pitch + i]));
  }
  return worst;
}

describe('the residual of multi-trait marker models after every sweep', () => {
  for (const prior of ['BRR', 'BayesC'] as const) {
    it(prior, async () => {
      const dir = tempDir();
      const { rows, geno } = simulate(dir, 90, 40, 6, 0.4, 0.2, 62);
      const spec: RunSpec = {
        data: rows,
        id: 'id',
        formula: 'cbind(y1, y2) ~ 1',
        markers: { file: geno, prior },
        mcmc: { chains: 1, iterations: 40, burnin: 5, seed: 2 },
      };
      const { design } = prepare(spec);
      let worst = 0;
      await fitWithHooks(
        spec,
        {},
        {
          afterSweep: (state) => {
            worst = Math.max(worst, residualError(design, state));
          },
        },
      );
      expect(worst).toBeLessThan(1e-9);
    });
  }
});

describe('recovery of the genetic correlation', () => {
  // BayesCπ: Π over the four patterns is estimated (with Π fixed at independent traits, π = 0.5 each,
  // half the QTL are fitted on one trait only and the correlation shrinks)
  for (const prior of ['BRR', 'BayesCpi'] as const) {
    it(`${prior}: the realised genetic correlation of the records lies in the 95% interval of cor[genetic](y1,y2); the outputs have a row per marker and trait`, async () => {
      const dir = tempDir();
      const { rows, geno, realisedCor } = simulate(dir, 500, 300, 30, 0.6, 0.1, 63);
      const out = join(dir, 'run');
      const res = await fit(
        { data: rows, id: 'id', formula: 'cbind(y1, y2) ~ 1', markers: { file: geno, prior }, mcmc: { chains: 2, iterations: 5000, burnin: 1000, seed: 7 } },
        { workers: 2, outDir: out },
      );
      const cor = res.summary.parameters.find((p) => p.variable === 'cor[genetic](y1,y2)')!;
      expect(cor.rhat).toBeLessThan(1.02);
      expect(cor.lower).toBeLessThan(realisedCor);
      expect(cor.upper).toBeGreaterThan(realisedCor);
      const markers = readFileSync(join(out, 'markers.csv'), 'utf8').trim().split('\n');
      expect(markers[0]).toBe('id,chr,pos,counted,other,trait,mean,sd,pip');
      expect(markers.length).toBe(1 + 2 * res.effects.markerSets[0].markers.length);
      expect(markers[1].split(',')[5]).toBe('y1');
      expect(markers[2].split(',')[5]).toBe('y2');
      if (prior === 'BayesCpi') expect(markers[1].split(',')[8]).not.toBe('NA');
      const gebv = readFileSync(join(out, 'gebv.csv'), 'utf8').trim().split('\n');
      expect(gebv[0]).toBe('id,trait,mean,sd');
      expect(gebv.length).toBe(1 + 2 * 500);
    });
  }
});
