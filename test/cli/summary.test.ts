import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, readJson } from '../helpers/fixtures.js';
import { runCli, tempDir } from '../helpers/cli.js';

async function dyestuffRun(): Promise<string> {
  const dir = tempDir();
  copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
  writeFileSync(
    join(dir, 'c.json'),
    JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', mcmc: { chains: 3, iterations: 700, burnin: 100, thin: 1, seed: 9 } }),
  );
  const r = await runCli(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet']);
  expect(r.code).toBe(0);
  return join(dir, 'run');
}

describe('mixmc summary', () => {
  it('RUN_DIR --json prints the summary.json object', async () => {
    const run = await dyestuffRun();
    const r = await runCli(['summary', run, '--json']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    const saved = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    const names = (o: { parameters: { variable: string }[] }) => o.parameters.map((p) => p.variable);
    expect(names(printed)).toEqual(names(saved));
    expect(printed.parameters[0].mean).toBeCloseTo(saved.parameters[0].mean, 12);
  });

  it('--vars, --prob and --digits filter and format the table', async () => {
    const run = await dyestuffRun();
    const r = await runCli(['summary', run, '--vars', 'var[*]', '--prob', '0.9', '--digits', '3']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/^variable\s+mean\s+sd\s+5%\s+median\s+95%/);
    const table = lines.slice(3, lines.indexOf('', 3));
    expect(table.map((l) => l.split(/\s+/)[0])).toEqual(['var[Batch]', 'var[residual]']);
    // the fit's prior-share warning (6 batches under the default prior), from summary.json
    expect(lines.slice(lines.indexOf('Warnings:') + 1).join('\n')).toMatch(/^ {2}var\[Batch\]: the prior \(df 5, .*supplies \d+% of its posterior scale/);
  });

  it('--csv writes the rows', async () => {
    const run = await dyestuffRun();
    const r = await runCli(['summary', run, '--csv']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('variable,mean,sd,median,lower,upper,hpdLower,hpdUpper,rhat,essBulk,essTail,mcseMean,priorShare');
    expect(lines.length).toBeGreaterThan(5);
    // the prior share of each variance, as summary.json has it; NA for the other rows
    const saved = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
    const share = (v: string) => saved.parameters.find((p: { variable: string }) => p.variable === v).priorShare;
    const last = (v: string) =>
      lines
        .find((l) => l.startsWith(`${v},`))!
        .split(',')
        .pop();
    expect(Number(last('var[Batch]'))).toBeCloseTo(share('var[Batch]'), 8);
    expect(Number(last('var[residual]'))).toBeCloseTo(share('var[residual]'), 8);
    expect(last(lines[1].split(',')[0])).toBe('NA');
  });

  it('works on a run still being written: an unfinished last line and chains of different lengths', async () => {
    const run = await dyestuffRun();
    const f = join(run, 'draws', 'chain-2.csv');
    const text = readFileSync(f, 'utf8').split('\n');
    // keep 300 draws of chain 2 and half of the next row, as a killed writer would
    writeFileSync(f, `${text.slice(0, text.findIndex((l) => l.startsWith('iteration')) + 301).join('\n')}\n${text[text.length - 5].slice(0, 20)}`);
    const r = await runCli(['summary', run, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.meta.drawsPerChain).toEqual([600, 300, 600]);
    expect(s.meta.usedDraws).toBe(300);
    expect(s.warnings.some((w: { message: string }) => /run in progress/.test(w.message))).toBe(true);
  });

  it('a long CSV with a chain column (the golden draws) gives the golden R-hat', async () => {
    const r = await runCli(['summary', fixturePath('diagnostics', 'draws.csv'), '--json']);
    const s = JSON.parse(r.stdout);
    const want = readJson<{ variables: Record<string, { stats: Record<string, { value: number }> }> }>('diagnostics', 'expected.json');
    const row = s.parameters.find((p: { variable: string }) => p.variable === 'ar1_phi09');
    expect(row.rhat).toBeCloseTo(want.variables.ar1_phi09.stats.rhat.value, 10);
    expect(s.parameters.map((p: { variable: string }) => p.variable)).not.toContain('iteration');
  });

  it('one Stan/CmdStan CSV per chain', async () => {
    const dir = tempDir();
    const files = [1, 2].map((k) => {
      const f = join(dir, `output_${k}.csv`);
      const rows = Array.from({ length: 200 }, (_, i) => `${-i * 0.01},0.9,0.1,${Math.sin(i * k)},${Math.cos(i + k)}`);
      writeFileSync(
        f,
        `${['# model = demo', '# method = sample', 'lp__,accept_stat__,stepsize__,mu,sigma', '# Adaptation terminated', ...rows, '# Elapsed Time: 0.1 seconds'].join('\n')}\n`,
      );
      return f;
    });
    const r = await runCli(['summary', ...files, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.parameters.map((p: { variable: string }) => p.variable)).toEqual(['lp__', 'mu', 'sigma']);
    expect(s.meta.chains).toBe(2);
  });

  it('a non-numeric value names the file, line and column', async () => {
    const dir = tempDir();
    const f = join(dir, 'd.csv');
    writeFileSync(f, 'chain,x\n1,0.5\n1,abc\n');
    const r = await runCli(['summary', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/d\.csv, line 3, column 2, term 'x': 'abc' is not a number/);
  });
});
