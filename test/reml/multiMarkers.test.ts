/**
 * Marker sets in multi-trait REML, through the genomic form (src/reml/genomicTerms.ts): with one trait
 * it gives the single-trait SNP-BLUP REML (likelihood, variances, marker BLUPs and their PEVs, the
 * intercept in the centred parametrisation); with two traits and a missing share of the second, the
 * marker BLUPs, their PEVs and the intercepts at the REML estimates equal the dense multi-trait MME
 * of the centred markers; and `mixmc compare` puts Σβ, var[genetic], h2 and cor[genetic] per trait,
 * the marker effects and the GEBVs beside the posterior.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/blocks/plan.js';
import { multiBlupAt, multiReml } from '../../src/reml/multiReml.js';
import { reml } from '../../src/reml/reml.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { markerColumn, simulateMarkers } from '../helpers/markers.js';
import { multiMmeOracle } from '../helpers/multi.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** A second trait: half the first one's genetic values, its own polygenic part over every marker, and noise (genetic correlation well inside ±1). */
function secondTrait(sim: ReturnType<typeof simulateMarkers>, seed: number): number[] {
  const rng = chainRng(seed, 0);
  const b = sim.codes[0].map(() => normal(rng) / Math.sqrt(sim.codes[0].length));
  return sim.codes.map((c, i) => 0.5 * sim.g[i] + c.reduce((s, x, j) => s + x * b[j], 0) + 2 + normal(rng));
}

describe('marker sets in multi-trait REML (genomic form)', () => {
  it('one trait: the single-trait SNP-BLUP REML, to 1e-6', () => {
    const sim = simulateMarkers(tempDir(), 60, 90, 4, 0.5, 71);
    const { design } = prepare({ data: sim.rows, id: 'id', formula: 'y ~ 1', markers: { file: sim.genoFile, prior: 'BRR' } });
    const snp = reml(design, { markers: true, tol: 1e-12 });
    const genomic = multiReml(design, { tol: 1e-12 });
    expect(genomic.converged).toBe(true);
    expect(rel(genomic.logLik, snp.logLik)).toBeLessThan(1e-9);
    // [Σβ, σ²e] in both
    genomic.varianceComponents.forEach((v, k) => expect(rel(v.estimate, snp.varianceComponents[k].estimate)).toBeLessThan(1e-6));
    expect(genomic.random.map((u) => u.variable)).toEqual(snp.random.map((u) => u.variable));
    genomic.random.forEach((u, x) => {
      expect(Math.abs(u.blup - snp.random[x].blup)).toBeLessThan(1e-6 * Math.max(...snp.random.map((s) => Math.abs(s.blup))));
      expect(rel(u.pev, snp.random[x].pev)).toBeLessThan(1e-5);
    });
    expect(genomic.fixed[0].variable).toBe('b[(Intercept)]');
    expect(Math.abs(genomic.fixed[0].estimate - snp.fixed[0].estimate)).toBeLessThan(1e-6 * Math.abs(snp.fixed[0].estimate));
    expect(rel(genomic.fixed[0].se, snp.fixed[0].se)).toBeLessThan(1e-5);
  });

  it('two traits, 15% of the second missing: marker BLUPs, PEVs and intercepts at the REML estimates equal the dense MME of the centred markers', () => {
    const sim = simulateMarkers(tempDir(), 200, 260, 5, 0.5, 72);
    const y2 = secondTrait(sim, 73);
    const data = sim.rows.map((r, i) => ({ id: r.id, y1: r.y, y2: i % 7 === 0 ? null : y2[i] }));
    const { design } = prepare({ data, id: 'id', formula: 'cbind(y1, y2) ~ 1', markers: { file: sim.genoFile, prior: 'BRR' } });
    const r = reml(design, { markers: true });
    expect(r.converged).toBe(true);
    const est = (v: string): number => r.varianceComponents.find((c) => c.variable === v)!.estimate;
    const sigma = [
      [est('var[markers](y1)'), est('cov[markers](y1,y2)')],
      [est('cov[markers](y1,y2)'), est('var[markers](y2)')],
    ];
    const r0 = [
      [est('var[residual](y1)'), est('cov[residual](y1,y2)')],
      [est('cov[residual](y1,y2)'), est('var[residual](y2)')],
    ];
    const md = design.markers[0];
    const cols = Array.from({ length: md.p }, (_, j) => markerColumn(md, j));
    const oracle = multiMmeOracle({ ...design, random: [] }, [], r0, { cols, sigma });
    // unknowns: b (trait-major, one per trait), then β marker-major (j·2 + trait)
    const blups = r.random.filter((u) => u.variable.startsWith('snp['));
    expect(blups).toHaveLength(2 * md.p);
    const scale = Math.max(...Array.from(oracle.mean.subarray(2), Math.abs));
    blups.forEach((u, x) => {
      expect(Math.abs(u.blup - oracle.mean[2 + x])).toBeLessThan(1e-7 * scale);
      expect(rel(u.pev, oracle.cov[(2 + x) * oracle.dim + 2 + x])).toBeLessThan(1e-6);
    });
    r.fixed.forEach((f, s) => {
      expect(Math.abs(f.estimate - oracle.mean[s])).toBeLessThan(1e-7 * Math.max(1, Math.abs(oracle.mean[s])));
      expect(rel(f.se, Math.sqrt(oracle.cov[s * oracle.dim + s]))).toBeLessThan(1e-6);
    });
    // BLUE/BLUP at given matrices (`mixmc reml` with fixedVariances): the random terms' G, the sets' Σβ, R0
    const at = multiBlupAt(design, [Float64Array.from(sigma.flat()), Float64Array.from(r0.flat())]);
    at.random.forEach((u, x) => expect(Math.abs(u.blup - oracle.mean[2 + x])).toBeLessThan(1e-7 * scale));
  });

  it('mixmc compare on a bivariate BRR marker model: Σβ, var[genetic], h2, cor[genetic], marker effects and GEBVs per trait beside the posterior', async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 150, 200, 4, 0.5, 74);
    const y2 = secondTrait(sim, 75);
    writeFileSync(join(dir, 'p.csv'), `id,y1,y2\n${sim.rows.map((r, i) => `${r.id},${r.y},${i % 6 === 0 ? 'NA' : y2[i]}`).join('\n')}\n`);
    const f = join(dir, 'c.json');
    writeFileSync(
      f,
      JSON.stringify({
        data: 'p.csv',
        id: 'id',
        formula: 'cbind(y1, y2) ~ 1',
        markers: { file: sim.genoFile, prior: 'BRR' },
        mcmc: { chains: 2, iterations: 1500, burnin: 300, seed: 2 },
      }),
    );
    const out = join(dir, 'out');
    const r = await runCli(['compare', f, '--out', out, '--quiet', '--no-report']);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    const names = c.varianceComponents.map((v: { variable: string }) => v.variable);
    for (const v of [
      'var[markers](y1)',
      'cov[markers](y1,y2)',
      'var[markers](y2)',
      'var[residual](y2)',
      'var[genetic](y1)',
      'h2(y2)',
      'cov[genetic](y1,y2)',
      'cor[genetic](y1,y2)',
    ])
      expect(names, v).toContain(v);
    for (const v of c.varianceComponents) expect(Number.isFinite(v.reml.estimate) && Number.isFinite(v.posterior.mean), v.variable).toBe(true);
    const random = Object.fromEntries(c.random.map((x: { term: string; n: number; correlation: number }) => [x.term, x]));
    expect(random.markers.n).toBe(400);
    expect(random.gebv.n).toBe(300);
    // compare.csv pairs each GEBV's BLUP with the posterior mean of the same individual and trait: each
    // trait's posterior means follow its own BLUPs more closely than the other trait's
    const rows = readFileSync(join(out, 'compare.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((x) => x[0] === 'gebv');
    const of = (trait: string, col: number): number[] => rows.filter((x) => x[1].endsWith(`(${trait})`)).map((x) => Number(x[col]));
    const cor = (a: number[], b: number[]): number => {
      const ma = a.reduce((x, y) => x + y, 0) / a.length;
      const mb = b.reduce((x, y) => x + y, 0) / b.length;
      const sab = a.reduce((x, v, i) => x + (v - ma) * (b[i] - mb), 0);
      return sab / Math.sqrt(a.reduce((x, v) => x + (v - ma) ** 2, 0) * b.reduce((x, v) => x + (v - mb) ** 2, 0));
    };
    for (const [own, other] of [
      ['y1', 'y2'],
      ['y2', 'y1'],
    ])
      expect(cor(of(own, 3), of(own, 2))).toBeGreaterThan(cor(of(own, 3), of(other, 2)));
    expect(random.gebv.correlation).toBeGreaterThan(0);
    // mixmc reml with every matrix fixed: BLUE/BLUP with the marker sets in (they were left out)
    const est = (v: string): number => c.varianceComponents.find((x: { variable: string }) => x.variable === v).reml.estimate;
    const matrix = (term: string): number[][] => [
      [est(`var[${term}](y1)`), est(`cov[${term}](y1,y2)`)],
      [est(`cov[${term}](y1,y2)`), est(`var[${term}](y2)`)],
    ];
    const fixedSpec = join(dir, 'fixed.json');
    writeFileSync(
      fixedSpec,
      JSON.stringify({
        data: 'p.csv',
        id: 'id',
        formula: 'cbind(y1, y2) ~ 1',
        markers: { file: sim.genoFile, prior: 'BRR' },
        fixedVariances: { markers: matrix('markers'), residual: matrix('residual') },
      }),
    );
    const fixed = await runCli(['reml', fixedSpec, '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const blups = JSON.parse(fixed.stdout).random.filter((u: { variable: string }) => u.variable.startsWith('snp['));
    expect(blups).toHaveLength(400);
    const compared = readFileSync(join(out, 'compare.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const remlBlup = new Map(compared.filter((x) => x[0] === 'markers').map((x) => [x[1], Number(x[2])]));
    for (const u of blups) expect(Math.abs(u.blup - remlBlup.get(u.variable)!)).toBeLessThan(1e-6 * Math.max(...[...remlBlup.values()].map(Math.abs)));
  });
});
