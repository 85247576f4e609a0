/**
 * Cross-validation: on the wheat data (BRR, y1, 5 folds) each fold's correlation is exactly that of
 * a separate fit of the masked data with the same seed; the same seed gives the same folds and
 * results, another seed other folds; individuals with several records stay in one fold; a rerun
 * into the same folder fits nothing and gives the same result, other settings are refused; a fold
 * column; the accuracy figures against direct computations (AUC by counting pairs); and bad
 * settings are one line with exit code 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cv, randomFolds } from '../../src/api/cv.js';
import { fit } from '../../src/api/fit.js';
import { auc, predictionAccuracy } from '../../src/diagnostics/prediction.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';

const WHEAT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'data', 'wheat');
const mcmc = { chains: 2, iterations: 800, burnin: 200, thin: 2, seed: 31 };
const wheat: RunSpec = {
  data: join(WHEAT, 'pheno.csv'),
  id: 'id',
  formula: 'y1 ~ 1',
  markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 0 },
  mcmc,
};

describe('cross-validation', () => {
  it('wheat BRR y1, 5 folds: every fold equals a separate fit of its masked data with the same seed', async () => {
    const dir = join(tempDir('mixmc-cv-'), 'cv');
    const res = await cv(wheat, { folds: 5, outDir: dir });
    expect(res.folds.map((f) => f.records).reduce((a, b) => a + b, 0)).toBe(599);
    const lines = readFileSync(join(WHEAT, 'pheno.csv'), 'utf8').trim().split('\n');
    for (const fold of res.folds) {
      const rows = new Set(res.predictions.filter((p) => p.fold === fold.fold).map((p) => p.row));
      // the masked file: y1 emptied on the fold's rows
      const masked = lines.map((l, k) => (rows.has(k) ? l.replace(/^([^,]*),[^,]*,/, '$1,,') : l));
      const file = join(dir, '..', `masked-${fold.fold}.csv`);
      writeFileSync(file, `${masked.join('\n')}\n`);
      const separate = await fit({ ...wheat, data: file }, { workers: 0 });
      const predicted = separate.effects.predicted!;
      const byId = new Map(predicted.labels.map((id, k) => [id, predicted.mean[k]]));
      const mine = res.predictions.filter((p) => p.fold === fold.fold);
      const direct = predictionAccuracy(
        mine.map((p) => p.observed),
        mine.map((p) => byId.get(p.id)!),
        false,
      );
      expect(fold.correlation, `fold ${fold.fold}`).toBe(direct.correlation);
      expect(fold.slope).toBe(direct.slope);
      expect(fold.mse).toBe(direct.mse);
    }
    expect(readFileSync(join(dir, 'cv.csv'), 'utf8')).toMatch(/^repeat,fold,records,correlation,slope,mse\n1,1,1\d\d,0\.\d+/);

    // a rerun into the folder fits nothing and gives the same result; other settings are refused
    const started: string[] = [];
    const again = await cv(wheat, { folds: 5, outDir: dir, onFold: (e) => (e.done ? undefined : started.push(e.fold)) });
    expect(started).toEqual([]);
    expect(again).toEqual(res);
    await expect(cv(wheat, { folds: 4, outDir: dir })).rejects.toThrowError(/holds a cross-validation of other inputs or settings.*--force/);
  });

  it('folds: the same seed deals the same folds, another seed others; sizes differ by at most one', () => {
    const units = Array.from({ length: 103 }, (_, i) => `u${i}`);
    const a = randomFolds(units, 5, 7, 1);
    expect(randomFolds(units, 5, 7, 1)).toEqual(a);
    expect(randomFolds(units, 5, 8, 1)).not.toEqual(a);
    expect(randomFolds(units, 5, 7, 2)).not.toEqual(a);
    const sizes = [1, 2, 3, 4, 5].map((f) => [...a.values()].filter((v) => v === String(f)).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('repeated records of an individual stay in one fold; a fold column; a binary trait gets the AUC', async () => {
    const rng = chainRng(5, 0);
    const effect = Array.from({ length: 40 }, () => normal(rng));
    const rows: DataRow[] = Array.from({ length: 160 }, (_, i) => {
      const v = effect[i % 40] + normal(rng);
      return { animal: `a${i % 40}`, x: normal(rng), y: v, b: v > 0 ? 1 : 0, block: `b${(i % 40) % 4}` };
    });
    const spec: RunSpec = { data: rows, id: 'animal', formula: 'y ~ 1 + x + (1|animal)', mcmc };
    // in this thread: the same draws as in workers, without a pool's start-up per test
    const res = await cv(spec, { folds: 4, workers: 0 });
    const foldOf = new Map<string, Set<string>>();
    for (const p of res.predictions) foldOf.set(p.id, (foldOf.get(p.id) ?? new Set()).add(p.fold));
    expect([...foldOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(res.predictions).toHaveLength(160);

    const byColumn = await cv(spec, { foldColumn: 'block', workers: 0 });
    expect(byColumn.folds.map((f) => f.fold)).toEqual(['b0', 'b1', 'b2', 'b3']);
    for (const p of byColumn.predictions) expect(p.fold).toBe(`b${Number(p.id.slice(1)) % 4}`);

    const binary = await cv({ ...spec, formula: 'b ~ 1 + x + (1|animal)', family: 'binary' }, { folds: 4, workers: 0 });
    expect(binary.binary).toBe(true);
    for (const f of binary.folds) {
      const mine = binary.predictions.filter((p) => p.fold === f.fold);
      expect(f.auc).toBe(
        auc(
          mine.map((p) => p.predicted),
          mine.map((p) => p.observed),
        ),
      );
      // every prediction is a probability
      for (const p of mine) expect(p.predicted >= 0 && p.predicted <= 1).toBe(true);
    }
  });

  it('accuracy figures against direct computations', () => {
    // AUC: the share of (positive, negative) pairs ranked right, ties half
    const score = [0.1, 0.4, 0.35, 0.8, 0.4];
    const label = [0, 0, 1, 1, 1];
    let right = 0;
    let pairs = 0;
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++)
        if (label[i] === 1 && label[j] === 0) {
          pairs++;
          right += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
        }
    expect(auc(score, label)).toBeCloseTo(right / pairs, 15);
    const a = predictionAccuracy([1, 2, 3, 4], [1.5, 1.5, 3.5, 3.5], false);
    // by hand: centred sums Soo = 5, Spp = 4, Sop = 4; slope Sop/Spp = 1, r = 4/√20, MSE = 4·0.25/4
    expect(a.slope).toBeCloseTo(1, 12);
    expect(a.mse).toBeCloseTo(0.25, 12);
    expect(a.correlation).toBeCloseTo(4 / Math.sqrt(20), 12);
  });

  it('bad settings: one line, exit code 2', async () => {
    const dir = tempDir('mixmc-cv-cli-');
    const config = join(dir, 'spec.json');
    writeFileSync(config, JSON.stringify({ ...wheat, mcmc: { ...mcmc, iterations: 50, burnin: 10 } }));
    for (const [args, message] of [
      [['--folds', '1'], /--folds must be an integer >= 2/],
      [['--folds', '3', '--trait', 'y9'], /--trait 'y9' is not a response/],
      [['--fold-column', 'nope'], /--fold-column 'nope' is not a column of the data/],
      [['--folds', '9999'], /--folds 9999 is more than the 599 units/],
    ] as const) {
      const r = await runCli(['cv', config, '--out', join(dir, 'out'), '--quiet', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
