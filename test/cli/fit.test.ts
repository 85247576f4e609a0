import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTable, numericColumn } from '../../src/io/csv.js';
import { fixturePath } from '../helpers/fixtures.js';
import { runCli, tempDir } from '../helpers/cli.js';

function dyestuffConfig(dir: string, extra: Record<string, unknown> = {}): string {
  copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'dyestuff.csv'));
  const cfg = join(dir, 'config.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      data: 'dyestuff.csv',
      id: 'id',
      formula: 'Yield ~ 1 + (1|Batch)',
      mcmc: { chains: 2, iterations: 600, burnin: 100, thin: 1, seed: 3 },
      ...extra,
    }),
  );
  return cfg;
}

describe('mixmc fit', () => {
  it('writes summary.json, run.json and draws/chain-K.csv, and prints a table', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const r = await runCli(['fit', dyestuffConfig(dir), '--out', out, '--chains', '3', '--iter', '500', '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/variable\s+mean\s+sd\s+2\.5%\s+97\.5%\s+rhat/);
    expect(r.stdout).toMatch(/var\[Batch\]/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const row = summary.parameters.find((p: { variable: string }) => p.variable === 'var[residual]');
    for (const key of ['mean', 'sd', 'median', 'lower', 'upper', 'hpdLower', 'hpdUpper', 'rhat', 'essBulk', 'essTail', 'mcseMean'])
      expect(typeof row[key]).toBe('number');
    expect(summary.meta.chains).toBe(3);
    expect(summary.meta.run.priors.map((p: { term: string }) => p.term)).toEqual(['Batch', 'residual']);
    for (const k of [1, 2, 3]) {
      const text = readFileSync(join(out, 'draws', `chain-${k}.csv`), 'utf8');
      const body = text
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');
      const t = parseTable('draws.csv', body);
      expect(t.header[0]).toBe('iteration');
      expect(t.rows.length).toBe(400);
      expect(numericColumn(t, 0, 'iteration')[0]).toBe(101);
    }
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.seeds[2].key).toBe('mixmc:3:2');
    expect(run.mcmc.iterations).toBe(500);
    expect(existsSync(join(out, 'fitted.csv'))).toBe(true);
  });

  it('a bad column gives one line, exit code 2 and no stack trace', async () => {
    const dir = tempDir();
    const cfg = dyestuffConfig(dir, { formula: 'Yield ~ 1 + (1|Batchh)' });
    const r = await runCli(['fit', cfg, '--out', join(dir, 'run'), '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*dyestuff\.csv, term 'Batchh': no column 'Batchh' in the file; its columns are: id, Batch, Yield\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('--debug adds the stack trace', async () => {
    const dir = tempDir();
    const cfg = dyestuffConfig(dir, { formula: 'Yield ~ 1 + (1|Batchh)' });
    const r = await runCli(['fit', cfg, '--out', join(dir, 'run'), '--quiet', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('invalid JSON in the config names the line and column', async () => {
    const dir = tempDir();
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, '{\n  "data": "x.csv",\n  "formula": "y ~ 1",,\n}\n');
    const r = await runCli(['fit', cfg, '--out', join(dir, 'run')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json, line 3, column \d+: the config is not valid JSON/);
  });

  it('an invalid mcmc setting names the key', async () => {
    const dir = tempDir();
    const r = await runCli(['fit', dyestuffConfig(dir), '--out', join(dir, 'run'), '--burnin', '900', '--iter', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/term 'mcmc\.burnin': mcmc\.burnin \(900\) must be less than mcmc\.iterations \(500\)/);
  });
});
