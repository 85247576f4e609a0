/**
 * Issue 12 H: honest warnings. The prior share of a variance (the posterior mean of ν s²/(ν s² + SS),
 * the prior's part of the scale of its full conditional) is recorded in summary.json and warned about
 * when the prior sets the variance: a sire model of 40 sires × 12 progeny under the default prior
 * (the case: posterior 0.23 against REML 0.09), but not 400 sires; summarising the fit or
 * its run directory again keeps both (from summary.json when it was made from the same draws).
 * Animals with records but no pedigree line are named.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/api/fit.js';
import { summarize } from '../../src/api/summarize.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, FitResult } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';

/** y = 10 + sire + e with σ²s = vs, σ²e = 1 − vs. */
function sireData(sires: number, progeny: number, vs: number, seed: number): DataRow[] {
  const rng = chainRng(seed, 0);
  const rows: DataRow[] = [];
  for (let s = 0; s < sires; s++) {
    const u = Math.sqrt(vs) * normal(rng);
    for (let k = 0; k < progeny; k++) rows.push({ sire: `s${s}`, y: 10 + u + Math.sqrt(1 - vs) * normal(rng) });
  }
  return rows;
}

const mcmc = { chains: 2, iterations: 3000, burnin: 500, seed: 1 };
const row = (res: FitResult, v: string) => res.summary.parameters.find((p) => p.variable === v)!;
const priorWarnings = (res: FitResult) => res.summary.warnings.filter((w) => /of its posterior scale/.test(w.message));

describe('prior sensitivity', () => {
  it('40 sires × 12 progeny: the default prior sets var[sire], and fit says so', async () => {
    const res = await fit({ data: sireData(40, 12, 0.1, 3), formula: 'y ~ 1 + (1|sire)', mcmc }, { workers: 0 });
    const sire = row(res, 'var[sire]');
    // the numbers: a posterior mean near 0.23 for a true 0.1
    expect(sire.mean).toBeGreaterThan(0.18);
    expect(sire.priorShare).toBeGreaterThan(0.25);
    const w = priorWarnings(res);
    expect(w.map((x) => x.subject)).toEqual(['var[sire]']);
    expect(w[0].message).toMatch(/the prior \(df 5, scale 0\.\d+\) supplies \d+% of its posterior scale .*weaker prior/);
    // summarising the fit again keeps them
    const again = summarize(res, { prob: 0.9 });
    expect(row({ ...res, summary: again }, 'var[sire]').priorShare).toBe(sire.priorShare);
    expect(again.warnings.filter((x) => /of its posterior scale/.test(x.message)).map((x) => x.subject)).toEqual(['var[sire]']);
    // the residual is set by its 480 records
    expect(row(res, 'var[residual]').priorShare).toBeLessThan(0.02);
  });

  it('400 sires × 12 progeny: the data set var[sire]; no warning', async () => {
    const res = await fit({ data: sireData(400, 12, 0.1, 3), formula: 'y ~ 1 + (1|sire)', mcmc }, { workers: 0 });
    expect(row(res, 'var[sire]').priorShare).toBeLessThan(0.15);
    expect(priorWarnings(res)).toEqual([]);
    expect(row(res, 'var[sire]').mean).toBeLessThan(0.14);
  });

  it('a weaker prior (df 1, small scale) on the 40 sires removes the warning and the bias', async () => {
    const res = await fit({ data: sireData(40, 12, 0.1, 3), formula: 'y ~ 1 + (1|sire)', priors: { sire: { df: 1, scale: 0.01 } }, mcmc }, { workers: 0 });
    expect(priorWarnings(res)).toEqual([]);
    expect(row(res, 'var[sire]').mean).toBeLessThan(0.15);
  });

  it('summary.json records the prior share of every variance; a variance held fixed has none', async () => {
    const dir = tempDir();
    const spec = { data: sireData(40, 12, 0.1, 3), formula: 'y ~ 1 + (1|sire)', fixedVariances: { residual: 0.9 }, mcmc };
    const res = await fit(spec, { workers: 0, outDir: join(dir, 'run') });
    const s = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
    const byName = (v: string) => s.parameters.find((p: { variable: string }) => p.variable === v);
    expect(byName('var[sire]').priorShare).toBeCloseTo(row(res, 'var[sire]').priorShare!, 12);
    expect(byName('var[residual]').priorShare).toBeUndefined();
  });

  it('summarising the run directory again keeps the shares and the warning, but not from a summary of other draws', async () => {
    const dir = tempDir();
    const run = join(dir, 'run');
    await fit({ data: sireData(40, 12, 0.1, 3), formula: 'y ~ 1 + (1|sire)', mcmc }, { workers: 0, outDir: run });
    const saved = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    const again = summarize(run, { vars: ['var[*]'] });
    const share = (s: { parameters: { variable: string; priorShare?: number }[] }, v: string) => s.parameters.find((p) => p.variable === v)?.priorShare;
    expect(share(again, 'var[sire]')).toBe(share(saved, 'var[sire]'));
    expect(share(again, 'var[residual]')).toBe(share(saved, 'var[residual]'));
    expect(again.warnings.filter((w) => /of its posterior scale/.test(w.message)).map((w) => w.subject)).toEqual(['var[sire]']);
    const cli = await runCli(['summary', run]);
    expect(cli.stdout).toMatch(/var\[sire\]: the prior \(df 5, scale 0\.\d+\) supplies \d+% of its posterior scale/);
    // a summary.json of fewer draws (a run since extended) says nothing of these draws
    writeFileSync(
      join(run, 'summary.json'),
      JSON.stringify({ ...saved, meta: { ...saved.meta, drawsPerChain: saved.meta.drawsPerChain.map((n: number) => n - 1) } }),
    );
    const other = summarize(run);
    expect(share(other, 'var[sire]')).toBeUndefined();
    expect(other.warnings.filter((w) => /of its posterior scale/.test(w.message))).toEqual([]);
  });
});

describe('records without a pedigree line', () => {
  it('are counted and named in a warning (they become unrelated founders)', async () => {
    const dir = tempDir();
    const lines = readFileSync(fixturePath('reference', 'animal.csv'), 'utf8').trim().split('\n');
    // three animals that the pedigree does not name
    writeFileSync(join(dir, 'animal.csv'), `${[...lines, 'x1,6.1,M', 'x2,7.2,F', 'x3,6.6,M'].join('\n')}\n`);
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        data: 'animal.csv',
        id: 'animal',
        formula: 'y ~ 1 + (1|animal)',
        pedigree: fixturePath('reference', 'ped.csv'),
        mcmc: { chains: 1, iterations: 200, burnin: 50, seed: 2 },
      }),
    );
    const r = await runCli(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /animal: 3 animal\(s\) with records are not in the pedigree .*ped\.csv \('x1', 'x2', 'x3'\): they are treated as unrelated founders/,
    );
  });
});
