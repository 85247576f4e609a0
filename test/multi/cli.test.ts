/**
 * A bivariate model through the command line: the table, the run directory's files with their trait
 * and component columns, `summary` of the run (names with commas survive the CSV), `reml` and
 * `compare`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTable } from '../../src/io/csv.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { simulateSires } from '../helpers/multi.js';

describe('mixmc with two traits', () => {
  it('fit, summary, reml and compare', async () => {
    const dir = tempDir();
    const rows = simulateSires(
      20,
      6,
      [
        [0.4, 0.1],
        [0.1, 0.5],
      ],
      [
        [1, 0.2],
        [0.2, 1.5],
      ],
      0.2,
      9,
    );
    writeFileSync(join(dir, 'd.csv'), `sire,y1,y2\n${rows.map((r) => `${r.sire},${r.y1},${r.y2 ?? 'NA'}`).join('\n')}\n`);
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ data: 'd.csv', formula: 'cbind(y1, y2) ~ 1 + (1|sire)', mcmc: { chains: 2, iterations: 400, burnin: 100, seed: 1 } }),
    );
    const out = join(dir, 'run');
    const r = await runCli(['fit', join(dir, 'c.json'), '--out', out, '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cor\[sire\]\(y1,y2\)/);
    for (const line of r.stdout.split('\nWarnings:')[0].split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    const fitted = parseTable('fitted.csv', readFileSync(join(out, 'fitted.csv'), 'utf8'));
    expect(fitted.header).toEqual(['id', 'trait', 'observed', 'mean', 'sd']);
    expect(fitted.rows.length).toBe(2 * 120);
    // a missing second trait: observed NA, its fitted value the prediction
    expect(fitted.rows.some((x) => x[1] === 'y2' && x[2] === 'NA' && Number.isFinite(Number(x[3])))).toBe(true);
    const effects = parseTable('sire.csv', readFileSync(join(out, 'effects', 'sire.csv'), 'utf8'));
    expect(effects.header).toEqual(['level', 'component', 'mean', 'sd', 'pev', 'reliability']);
    expect(effects.rows.slice(0, 2).map((x) => [x[0], x[1]])).toEqual([
      ['s0', 'y1'],
      ['s0', 'y2'],
    ]);
    const summary = await runCli(['summary', out, '--json', '--vars', 'cor[*]']);
    expect(summary.code, summary.stderr).toBe(0);
    expect(JSON.parse(summary.stdout).parameters.map((p: { variable: string }) => p.variable)).toEqual(['cor[sire](y1,y2)', 'cor[residual](y1,y2)']);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.covariancePriors.map((p: { term: string; df: number }) => [p.term, p.df])).toEqual([
      ['sire', 6],
      ['residual', 6],
    ]);
    const reml = await runCli(['reml', join(dir, 'c.json'), '--json']);
    expect(reml.code, reml.stderr).toBe(0);
    expect(JSON.parse(reml.stdout).varianceComponents.map((v: { variable: string }) => v.variable)).toContain('cov[residual](y1,y2)');
    const compare = await runCli(['compare', join(dir, 'c.json'), '--out', join(dir, 'cmp'), '--quiet', '--workers', '0']);
    expect(compare.code, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/cor\[sire\]\(y1,y2\)/);
  });
});
