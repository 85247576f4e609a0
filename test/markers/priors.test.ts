/**
 * Every marker prior: the residual invariant after every sweep, the traced parameters, the id
 * matching rules, genotype preprocessing and the reported defaults (the sweeps' full conditionals are
 * checked against textbook updates in test/linalg/kernel.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { residualInvariant } from '../helpers/residual.js';
import { markerColumn, simulateMarkers } from '../helpers/markers.js';
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

describe('parameters', () => {
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
      /unknown marker prior "BayesZ"; expected one of BRR, BayesA/,
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
    expect(markerColumn(md, 1)[4]).toBe(0);
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
