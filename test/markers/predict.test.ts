/**
 * Prediction of new individuals from the saved posterior: predict(fit, genotypes) and
 * `mixmc predict RUN_DIR --geno FILE` give the GEBVs (mean ± SD over the saved draws of β, or the
 * mean x'E[β] alone when no draws were saved), with the training centring. Genotyped individuals left out of the training records get the same GEBVs from
 * the fit itself (its gebv tracker) as from predict on their genotypes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { predict } from '../../src/api/predict.js';
import { simulateMarkers } from '../helpers/markers.js';
import { runCli, tempDir } from '../helpers/cli.js';

describe('predict', () => {
  it('equals the fit’s own GEBVs for held-out genotyped individuals, from the API and the CLI', async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 80, 60, 4, 0.5, 91);
    const out = join(dir, 'run');
    // records for the first 60 individuals only; the other 20 are genotyped without a record
    const res = await fit(
      {
        data: sim.rows.slice(0, 60),
        id: 'id',
        formula: 'y ~ 1',
        markers: { file: sim.genoFile, prior: 'BayesCpi' as const, saveEffects: 1 },
        mcmc: { chains: 2, iterations: 600, burnin: 100, thin: 1, seed: 3 },
      },
      { outDir: out, workers: 2 },
    );
    const gebv = res.effects.gebv!;
    expect(gebv.labels.slice(60)).toEqual(Array.from({ length: 20 }, (_, i) => `ind${60 + i}`));
    // the genotypes of the held-out individuals, as a new file
    const header = `id,${Array.from({ length: 60 }, (_, j) => `m${j}`).join(',')}`;
    const lines = sim.codes.slice(60).map((c, i) => `ind${60 + i},${c.join(',')}`);
    const newFile = join(dir, 'new.csv');
    writeFileSync(newFile, `${[header, ...lines].join('\n')}\n`);
    const api = predict(res, newFile);
    expect(api.draws).toBe(1000);
    api.ids.forEach((_id, i) => {
      // Float32 effect draws against the Float64 tracker: agreement to ~1e-6 relative
      expect(Math.abs(api.mean[i] - gebv.mean[60 + i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gebv.mean[60 + i])));
      expect(Math.abs(api.sd[i] - gebv.sd[60 + i])).toBeLessThan(1e-4 * gebv.sd[60 + i] + 1e-6);
    });
    const r = await runCli(['predict', out, '--geno', newFile, '--out', join(dir, 'pred.csv')]);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, 'pred.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    rows.forEach((row, i) => {
      expect(row[0]).toBe(api.ids[i]);
      expect(Number(row[1])).toBe(Number(api.mean[i].toPrecision(10))); // result CSVs hold 10 significant digits
      expect(Number(row[2])).toBe(Number(api.sd[i].toPrecision(10)));
    });
  });

  it("without saved effect draws (the default) gives x'E[β], equal to the fit’s own GEBV means, and SD NA", async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 50, 40, 3, 0.5, 93);
    const out = join(dir, 'run');
    const res = await fit(
      {
        data: sim.rows.slice(0, 40),
        id: 'id',
        formula: 'y ~ 1',
        markers: { file: sim.genoFile, prior: 'BayesA' as const },
        mcmc: { chains: 2, iterations: 300, burnin: 50, thin: 1, seed: 5 },
      },
      { outDir: out, workers: 0 },
    );
    expect(res.chains.every((c) => !c.effects[0] || c.effects[0].rows === 0)).toBe(true);
    const gebv = res.effects.gebv!;
    const newFile = join(dir, 'new.csv');
    writeFileSync(
      newFile,
      `${[`id,${Array.from({ length: 40 }, (_, j) => `m${j}`).join(',')}`, ...sim.codes.slice(40).map((c, i) => `ind${40 + i},${c.join(',')}`)].join('\n')}\n`,
    );
    const api = predict(res, newFile);
    expect(api.draws).toBe(0);
    api.ids.forEach((_id, i) => {
      // the mean of x'β over draws = x'(mean of β); Float32 genotypes bound the agreement
      expect(Math.abs(api.mean[i] - gebv.mean[40 + i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gebv.mean[40 + i])));
      expect(api.sd[i]).toBeNaN();
    });
    const r = await runCli(['predict', out, '--geno', newFile, '--out', join(dir, 'pred.csv')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/kept no draws of the marker effects.*saveEffects/);
    const rows = readFileSync(join(dir, 'pred.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    rows.forEach((row, i) => {
      expect(Number(row[1])).toBe(Number(api.mean[i].toPrecision(10))); // result CSVs hold 10 significant digits
      expect(row[2]).toBe('NA');
    });
  });

  it('a multi-trait model: per trait, equal to the fit’s own GEBVs of held-out genotyped individuals (with and without saved draws), from the API and the CLI', async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 70, 40, 3, 0.5, 95);
    // two traits on the first 50 individuals (the second missing on every fourth); 20 genotyped without a record
    const data = sim.rows.slice(0, 50).map((r, i) => ({ id: r.id, y1: r.y, y2: i % 4 === 0 ? null : 0.5 * Number(r.y) + (i % 3) }));
    const newFile = join(dir, 'new.csv');
    writeFileSync(
      newFile,
      `${[`id,${Array.from({ length: 40 }, (_, j) => `m${j}`).join(',')}`, ...sim.codes.slice(50).map((c, i) => `ind${50 + i},${c.join(',')}`)].join('\n')}\n`,
    );
    for (const saveEffects of [1, 0]) {
      const out = join(dir, `run${saveEffects}`);
      const res = await fit(
        {
          data,
          id: 'id',
          formula: 'cbind(y1, y2) ~ 1',
          markers: { file: sim.genoFile, prior: 'BayesC' as const, saveEffects },
          mcmc: { chains: 2, iterations: 300, burnin: 50, thin: 1, seed: 7 },
        },
        { outDir: out, workers: 0 },
      );
      const gebv = res.effects.gebv!;
      // gebv is trait-major over the 70 genotyped individuals, records first
      expect(gebv.traits?.slice(0, 1)).toEqual(['y1']);
      expect(gebv.labels.slice(50, 70)).toEqual(Array.from({ length: 20 }, (_, i) => `ind${50 + i}`));
      const api = predict(res, newFile);
      expect(api.traits).toEqual(['y1', 'y2']);
      expect(api.draws).toBe(saveEffects ? 500 : 0);
      expect(api.mean).toHaveLength(40);
      for (let k = 0; k < 2; k++) {
        for (let i = 0; i < 20; i++) {
          const own = 70 * k + 50 + i;
          expect(gebv.traits![own]).toBe(k === 0 ? 'y1' : 'y2');
          // Float32 effect draws against the Float64 tracker: agreement to ~1e-6 relative
          expect(Math.abs(api.mean[20 * k + i] - gebv.mean[own])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gebv.mean[own])));
          if (saveEffects) expect(Math.abs(api.sd[20 * k + i] - gebv.sd[own])).toBeLessThan(1e-4 * gebv.sd[own] + 1e-6);
          else expect(api.sd[20 * k + i]).toBeNaN();
        }
      }
      const r = await runCli(['predict', out, '--geno', newFile, '--out', join(dir, 'pred.csv')]);
      expect(r.code).toBe(0);
      const lines = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('id,trait,mean,sd');
      lines.slice(1).forEach((l, r) => {
        const [id, trait, mean] = l.split(',');
        expect([id, trait]).toEqual([api.ids[r % 20], ['y1', 'y2'][Math.floor(r / 20)]]);
        expect(Number(mean)).toBe(Number(api.mean[r].toPrecision(10)));
      });
    }
  });

  it('new genotypes missing a marker of the model are an error naming it', async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 30, 10, 2, 0.5, 92);
    const res = await fit(
      {
        data: sim.rows,
        id: 'id',
        formula: 'y ~ 1',
        markers: { file: sim.genoFile, prior: 'BRR' as const, saveEffects: 1 },
        mcmc: { chains: 1, iterations: 50, burnin: 10, thin: 1 },
      },
      { workers: 0 },
    );
    const f = join(dir, 'partial.csv');
    writeFileSync(f, 'id,m0,m1\nx,0,1\n');
    expect(() => predict(res, f)).toThrowError(/8 marker\(s\) of the fitted model are not in the new genotypes, e\.g\. m2, m3/);
  });
});
