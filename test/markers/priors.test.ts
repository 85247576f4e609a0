/**
 * Every marker prior: the residual invariant after every sweep, one-step replay checks of the
 * sweeps' full conditionals, and the id matching rules.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import { ResidualUpdates } from '../../src/blocks/markers/columns.js';
import { mixtureSweep, normalSweep } from '../../src/blocks/markers/sweeps.js';
import { maxRelDiff, residualInvariant } from '../helpers/residual.js';
import { RecordingRng, ReplayRng } from '../helpers/rng.js';
import { simulateMarkers } from '../helpers/markers.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir();
const sim = simulateMarkers(dir, 60, 40, 5, 0.5, 77);
const base = { data: sim.rows, id: 'id', formula: 'y ~ 1' };
const PRIORS = ['BRR', 'BayesA', 'BayesB', 'BayesC', 'BayesCpi', 'BL', 'BayesR'] as const;

describe('residual invariant e = y − fitted, every sweep, every prior', () => {
  for (const prior of PRIORS) {
    it(prior, async () => {
      const spec = { ...base, markers: { file: sim.genoFile, prior } };
      const { worst, sweeps, res } = await residualInvariant(spec, { chains: 1, iterations: 120, burnin: 20 });
      expect(sweeps).toBe(120);
      // Float32 columns: each residual update rounds x to 24 bits, still far below 1e-9 of |y|
      expect(worst).toBeLessThan(1e-9);
      for (const name of ['var[genetic]', 'h2', 'var[residual]']) expect(res.params).toContain(name);
      const h2 = res.chains[0].draws[res.params.indexOf('h2')];
      expect(h2.every((v) => v > 0 && v < 1)).toBe(true);
    });
  }
});

describe('one-step replay of the marker sweeps', () => {
  const model = prepare({ ...base, markers: { file: sim.genoFile, prior: 'BayesC' as const } });
  const md = model.design.markers[0];
  const n = md.n;
  const col = (j: number): Float64Array => Float64Array.from(md.x.subarray(j * n, (j + 1) * n));
  const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

  it("normalSweep: β_j = r_j/c_j + sqrt(σ²e/c_j)·z, c_j = x'x + σ²e/σ²_j, in marker order", () => {
    const src = chainRng(8, 0);
    const beta = Float64Array.from({ length: md.p }, () => 0.1 * normal(src));
    const e = Float64Array.from(model.design.y, (y) => y - 10);
    for (let j = 0; j < md.p; j++) for (let i = 0; i < n; i++) e[i] -= md.x[j * n + i] * beta[j];
    const varJ = Float64Array.from({ length: md.p }, (_, j) => 0.05 + 0.01 * j);
    const eRef = Float64Array.from(e);
    const betaRef = Float64Array.from(beta);
    const rec = new RecordingRng(chainRng(9, 0));
    normalSweep(md, e, beta, varJ, false, 2.5, 2.5, rec, new ResidualUpdates());
    const replay = new ReplayRng(rec.drawn);
    for (let j = 0; j < md.p; j++) {
      const x = col(j);
      const c = dot(x, x) + 2.5 / varJ[j];
      const r = dot(x, eRef) + dot(x, x) * betaRef[j];
      const next = r / c + Math.sqrt(2.5 / c) * normal(replay);
      for (let i = 0; i < n; i++) eRef[i] += x[i] * (betaRef[j] - next);
      betaRef[j] = next;
    }
    expect(replay.used).toBe(rec.drawn.length);
    expect(maxRelDiff(beta, betaRef)).toBeLessThan(1e-9);
    expect(maxRelDiff(e, eRef)).toBeLessThan(1e-9);
  });

  it('mixtureSweep: δ_j from the integrated likelihood, then b_j from its conditional or prior', () => {
    const p = md.p;
    const beta = new Float64Array(p);
    const b = new Float64Array(p);
    const delta = new Float64Array(p);
    const e = Float64Array.from(model.design.y, (y) => y - 10);
    const eRef = Float64Array.from(e);
    const betaRef = new Float64Array(p);
    const varB = Float64Array.of(0.08);
    const varE = 1.7;
    const pi = 0.7;
    const rec = new RecordingRng(chainRng(10, 0));
    mixtureSweep(md, e, beta, b, delta, varB, true, varE, pi, rec, new ResidualUpdates());
    const replay = new ReplayRng(rec.drawn);
    for (let j = 0; j < p; j++) {
      const x = col(j);
      const xx = dot(x, x);
      const c = xx + varE / varB[0];
      const r = dot(x, eRef) + xx * betaRef[j];
      // posterior odds of inclusion: prior odds × N(r; 0, σ²e·xx + xx²σ²β) / N(r; 0, σ²e·xx)
      const v1 = varE * xx + xx * xx * varB[0];
      const v0 = varE * xx;
      const logBf = -0.5 * Math.log(v1 / v0) - (r * r) / (2 * v1) + (r * r) / (2 * v0);
      const pIn = 1 / (1 + Math.exp(-(Math.log((1 - pi) / pi) + logBf)));
      const inModel = replay.uniform() < pIn;
      expect(delta[j]).toBe(inModel ? 1 : 0);
      const bj = inModel ? r / c + Math.sqrt(varE / c) * normal(replay) : Math.sqrt(varB[0]) * normal(replay);
      expect(b[j]).toBeCloseTo(bj, 9);
      const next = inModel ? bj : 0;
      for (let i = 0; i < n; i++) eRef[i] += x[i] * (betaRef[j] - next);
      betaRef[j] = next;
    }
    expect(replay.used).toBe(rec.drawn.length);
    expect(maxRelDiff(beta, betaRef)).toBeLessThan(1e-9);
    expect(maxRelDiff(e, eRef)).toBeLessThan(1e-9);
  });

  it('every prior builds, allocates and traces its documented parameters', () => {
    const expected: Record<string, string[]> = {
      BRR: ['var[markers]'],
      BayesA: ['scale[markers]'],
      BayesB: ['scale[markers]', 'markersIn'],
      BayesC: ['var[markers]', 'markersIn'],
      BayesCpi: ['var[markers]', 'pi', 'markersIn'],
      BL: ['lambda'],
      BayesR: ['var[markers]', 'pi[0]', 'pi[0.0001]', 'pi[0.001]', 'pi[0.01]', 'markersIn'],
    };
    for (const prior of PRIORS) {
      const m = prepare({ ...base, markers: { file: sim.genoFile, prior } });
      const s = buildSampler(m.design, m.settings);
      for (const name of [...expected[prior], 'var[genetic]', 'h2']) expect(s.params, prior).toContain(name);
    }
  });
});

describe('matching records to genotypes', () => {
  it('a phenotyped individual without genotype is an error listing the first ids', () => {
    const rows = [...sim.rows, { id: 'nogeno1', y: 3 }, { id: 'nogeno2', y: 4 }];
    expect(() => prepare({ ...base, data: rows, markers: { file: sim.genoFile, prior: 'BRR' as const } })).toThrowError(
      /2 record\(s\) have no genotype in .*geno-77\.csv: 'nogeno1' \(line 62\), 'nogeno2' \(line 63\)\. Set "dropUngenotyped": true/,
    );
  });

  it('dropUngenotyped leaves them out with a warning; genotyped individuals without a record get GEBVs', async () => {
    const rows = [...sim.rows.slice(0, 50), { id: 'nogeno1', y: 3 }];
    const res = await fit(
      { ...base, data: rows, markers: { file: sim.genoFile, prior: 'BRR' as const, dropUngenotyped: true } },
      { chains: 1, iterations: 50, burnin: 10, thin: 1 },
    );
    expect(res.run.records).toBe(50);
    expect(res.summary.warnings.some((w) => /1 record\(s\) without genotype dropped/.test(w.message))).toBe(true);
    const gebv = res.effects.gebv!;
    expect(gebv.labels.length).toBe(60);
    expect(gebv.labels.slice(50)).toEqual(Array.from({ length: 10 }, (_, i) => `ind${50 + i}`));
  });

  it('markers without an id column is an error', () => {
    expect(() => prepare({ data: sim.rows, formula: 'y ~ 1', markers: { file: sim.genoFile, prior: 'BRR' as const } })).toThrowError(/needs 'id'/);
  });

  it('an unknown prior names the choices', () => {
    expect(() => prepare({ ...base, markers: { file: sim.genoFile, prior: 'BayesZ' as 'BRR' } })).toThrowError(
      /unknown marker prior 'BayesZ'; expected one of BRR, BayesA/,
    );
  });
});

describe('genotype preprocessing and reported defaults', () => {
  it('imputes missing genotypes by the column mean and drops monomorphic markers, counting both', () => {
    const d = tempDir();
    const file = `${d}/g.csv`;
    const rows = Array.from({ length: 12 }, (_, i) => `i${i},${i % 3},1,${i === 4 ? 'NA' : (i * 7) % 3},${i === 2 ? '' : i % 2}`);
    writeFileSync(file, `id,a,mono,b,c\n${rows.join('\n')}\n`);
    const data = Array.from({ length: 12 }, (_, i) => ({ id: `i${i}`, y: i * 0.3 }));
    const model = prepare({ data, id: 'id', formula: 'y ~ 1', markers: { file, prior: 'BRR' as const } });
    const md = model.design.markers[0];
    expect(md.markers.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(md.imputed).toBe(2);
    expect(model.design.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining(['2 missing genotype(s) imputed with the column mean', '1 monomorphic marker(s) dropped']),
    );
    // the imputed entry is the column mean, so its centred value is 0
    expect(md.x[1 * md.n + 4]).toBe(0);
  });

  it('reports the default marker prior with its rule and values (BGLR: mode = var(y)·R²/MSx)', () => {
    const model = prepare({ ...base, markers: { file: sim.genoFile, prior: 'BRR' as const } });
    const p = model.priors.find((r) => r.term === 'markers')!;
    const md = model.design.markers[0];
    const mode = (model.design.varY * 0.5) / md.msx;
    expect(p.source).toBe('default');
    expect(p.df).toBe(5);
    expect(p.scale).toBeCloseTo((mode * 7) / 5, 12);
    expect(p.rule).toMatch(/prior mode = var\(y\)·R²\/MSx/);
    const resid = model.priors.find((r) => r.term === 'residual')!;
    expect(resid.scale).toBeCloseTo((model.design.varY * 0.5 * 7) / 5, 12);
  });
});
