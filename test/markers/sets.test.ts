/**
 * Marker sets as terms: two named panels, each with its own prior, traced as var[markers:NAME] …,
 * summed into var[genetic] and h². Checked end to end: the exact posterior (two ridge terms with
 * variances fixed = SNP-BLUP with two variance ratios), the residual invariant, the run directory
 * (markers-NAME.csv per set, gebv.csv, summary), prediction of held-out individuals from the run
 * directory and the CLI, and the spec errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { predict } from '../../src/api/predict.js';
import { summarize } from '../../src/api/summarize.js';
import { prepare } from '../../src/blocks/plan.js';
import { mcseMean, mean, pooled } from '../../src/diagnostics/kernels.js';
import type { RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { markerColumn, simulateMarkers } from '../helpers/markers.js';
import { solveDense } from '../helpers/mme.js';
import { residualInvariant } from '../helpers/residual.js';

const dir = tempDir();
const sim = simulateMarkers(dir, 90, 40, 6, 0.5, 61);
/** The simulated markers split into two panels: m0–m19 and m20–m39, each as its own CSV. */
function panel(name: string, from: number, to: number): string {
  const file = join(dir, `${name}.csv`);
  const header = `id,${Array.from({ length: to - from }, (_, j) => `m${from + j}`).join(',')}`;
  writeFileSync(file, `${[header, ...sim.codes.map((c, i) => `ind${i},${c.slice(from, to).join(',')}`)].join('\n')}\n`);
  return file;
}
const fileA = panel('panelA', 0, 20);
const fileB = panel('panelB', 20, 40);

describe('two marker sets', () => {
  it('trace their own parameters by set, and var[genetic], h² once', () => {
    const model = prepare({
      data: sim.rows,
      id: 'id',
      formula: 'y ~ 1',
      markers: [
        { name: 'panelA', file: fileA, prior: 'BayesCpi' },
        { name: 'panelB', file: fileB, prior: 'BRR' },
      ],
    });
    expect(model.layout.params).toEqual([
      'b[(Intercept)]',
      'var[markers:panelA]',
      'pi[markers:panelA]',
      'markersIn[markers:panelA]',
      'var[markers:panelB]',
      'var[genetic]',
      'h2',
      'var[residual]',
    ]);
    expect(model.priors.map((p) => p.term)).toEqual(['markers:panelA', 'markers:panelB', 'residual']);
    // the R² share is split over the two sets: each prior mode is var(y)·0.25/MSx_s (BayesCπ's divided by 1 − π)
    expect(model.priors[1].rule).toMatch(/var\(y\)·R²\/MSx = [0-9.]+·0\.25\//);
  });

  it('with every variance fixed, the posterior means of β are the two-ratio SNP-BLUP solution (4·MCSE)', async () => {
    const spec: RunSpec = {
      data: sim.rows,
      id: 'id',
      formula: 'y ~ 1',
      markers: [
        { name: 'panelA', file: fileA, prior: 'BRR', saveEffects: 1 },
        { name: 'panelB', file: fileB, prior: 'BRR', saveEffects: 1 },
      ],
      fixedVariances: { 'markers:panelA': 0.4, 'markers:panelB': 0.05, residual: sim.varE },
      mcmc: { chains: 4, iterations: 5000, burnin: 300, thin: 1, seed: 17 },
    };
    const design = prepare(spec).design;
    const n = design.n;
    const cols: Float64Array[] = [Float64Array.from({ length: n }, () => 1)];
    const lambdas = [0];
    design.markers.forEach((md, s) => {
      for (let j = 0; j < md.p; j++) {
        cols.push(markerColumn(md, j));
        lambdas.push(sim.varE / (s === 0 ? 0.4 : 0.05));
      }
    });
    const oracle = solveDense(cols, design.y, lambdas, sim.varE);
    const res = await fit(spec, { workers: 2 });
    let k = 1;
    res.effects.markerSets.forEach((set, s) => {
      for (let j = 0; j < set.markers.length; j++, k++) {
        const x = res.chains.map((c) => {
          const e = c.effects[s]!;
          return Float64Array.from({ length: e.rows }, (_, r) => e.values[r * e.size + j]);
        });
        expect(Math.abs(mean(pooled(x)) - oracle.mean[k]), `${set.term} ${set.markers[j].id}`).toBeLessThan(4 * mcseMean(x));
      }
    });
  });

  it('keep e = y − fitted after every sweep', async () => {
    const spec: RunSpec = {
      data: sim.rows,
      id: 'id',
      formula: 'y ~ 1',
      markers: [
        { name: 'panelA', file: fileA, prior: 'BayesB' },
        { name: 'panelB', file: fileB, prior: 'BL' },
      ],
    };
    const { worst, sweeps } = await residualInvariant(spec, { chains: 1, iterations: 80, burnin: 10 });
    expect(sweeps).toBe(80);
    expect(worst).toBeLessThan(1e-9);
  });

  it('write markers-NAME.csv per set and gebv.csv; summary and predict (API and CLI) work on the run directory', async () => {
    const out = join(dir, 'run');
    // records for the first 70 individuals: the other 20 are genotyped in both panels without a record
    const spec: RunSpec = {
      data: sim.rows.slice(0, 70),
      id: 'id',
      formula: 'y ~ 1',
      markers: [
        { name: 'panelA', file: fileA, prior: 'BayesC', saveEffects: 1 },
        { name: 'panelB', file: fileB, prior: 'BRR', saveEffects: 1 },
      ],
      mcmc: { chains: 2, iterations: 400, burnin: 100, thin: 1, seed: 5 },
    };
    const res = await fit(spec, { outDir: out, workers: 2 });
    for (const [name, first] of [
      ['panelA', 'm0'],
      ['panelB', 'm20'],
    ]) {
      const file = join(out, `markers-${name}.csv`);
      expect(existsSync(file)).toBe(true);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('id,chr,pos,counted,other,mean,sd,pip');
      expect(lines).toHaveLength(21);
      expect(lines[1].startsWith(`${first},`)).toBe(true);
    }
    // the pip column: a mixture prior's inclusion probability, NA for a normal prior
    expect(readFileSync(join(out, 'markers-panelA.csv'), 'utf8').split('\n')[1].split(',')[7]).not.toBe('NA');
    expect(readFileSync(join(out, 'markers-panelB.csv'), 'utf8').split('\n')[1].split(',')[7]).toBe('NA');
    const gebv = res.effects.gebv!;
    expect(gebv.labels.slice(70)).toEqual(Array.from({ length: 20 }, (_, i) => `ind${70 + i}`));
    const s = summarize(out);
    for (const v of ['var[markers:panelA]', 'var[markers:panelB]', 'var[genetic]', 'h2']) expect(s.parameters.map((r) => r.variable)).toContain(v);
    // new genotypes of the 20 held-out individuals, one file per panel
    const newA = join(dir, 'newA.csv');
    const newB = join(dir, 'newB.csv');
    writeFileSync(
      newA,
      readFileSync(fileA, 'utf8')
        .split('\n')
        .filter((l, i) => i === 0 || (i > 70 && l !== ''))
        .join('\n'),
    );
    writeFileSync(
      newB,
      readFileSync(fileB, 'utf8')
        .split('\n')
        .filter((l, i) => i === 0 || (i > 70 && l !== ''))
        .join('\n'),
    );
    const pred = predict(out, { panelA: newA, panelB: newB });
    expect(pred.draws).toBe(600);
    pred.ids.forEach((id, i) => {
      expect(id).toBe(`ind${70 + i}`);
      // Float32 effect draws against the Float64 tracker
      expect(Math.abs(pred.mean[i] - gebv.mean[70 + i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gebv.mean[70 + i])));
    });
    const r = await runCli(['predict', out, '--geno', `panelA=${newA}`, `panelB=${newB}`, '--out', join(dir, 'pred.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n').slice(1);
    rows.forEach((row, i) => expect(Number(row.split(',')[1])).toBe(Number(pred.mean[i].toPrecision(10))));
    const missing = await runCli(['predict', out, '--geno', `panelA=${newA}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no genotypes given for the marker set 'markers:panelB'/);
  });
});

describe('marker set specs', () => {
  const base = { data: sim.rows, id: 'id', formula: 'y ~ 1' };
  it('one named set is the term markers:NAME', () => {
    const model = prepare({ ...base, markers: { name: 'chip', file: fileA, prior: 'BRR' } });
    expect(model.layout.params).toContain('var[markers:chip]');
  });

  it('a list needs a name in every set, and different names', () => {
    expect(() => prepare({ ...base, markers: [{ file: fileA, prior: 'BRR' }] })).toThrowError(/markers\[0\] needs a "name"/);
    expect(() =>
      prepare({
        ...base,
        markers: [
          { name: 'a', file: fileA, prior: 'BRR' },
          { name: 'a', file: fileB, prior: 'BRR' },
        ],
      }),
    ).toThrowError(/two marker sets are named 'a'/);
  });

  it("a key of another prior is named with the prior's keys", () => {
    expect(() => prepare({ ...base, markers: { file: fileA, prior: 'BRR', pi: 0.9 } as never })).toThrowError(
      /unknown key 'pi' for a BRR marker set \(markers\); a BRR set takes name, file, prior/,
    );
  });

  it('priors and fixed variances of a set use its term', () => {
    const model = prepare({
      ...base,
      markers: [
        { name: 'a', file: fileA, prior: 'BRR' },
        { name: 'b', file: fileB, prior: 'BRR' },
      ],
      priors: { 'markers:a': { df: 4, scale: 0.2 } },
    });
    expect(model.priors[0]).toMatchObject({ term: 'markers:a', df: 4, scale: 0.2, source: 'user' });
    expect(() => prepare({ ...base, markers: { name: 'a', file: fileA, prior: 'BRR' }, priors: { markers: { df: 4, scale: 1 } } })).toThrowError(
      /priors names 'markers', which is not a variance term of the model; did you mean 'markers:a'\? \(terms: markers:a, residual\)/,
    );
  });
});
