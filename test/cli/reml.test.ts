import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath, readJson } from '../helpers/fixtures.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { posteriorMode, agreement } from '../../src/reml/compare.js';
import { chainRng } from '../../src/rng/rng.js';
import { gamma } from '../../src/rng/dist.js';
import { simulateMarkers } from '../helpers/markers.js';

function config(dir: string): string {
  copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
  const f = join(dir, 'c.json');
  writeFileSync(f, JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', mcmc: { chains: 2, iterations: 3000, burnin: 500, thin: 1, seed: 5 } }));
  return f;
}

describe('mixmc reml', () => {
  it('--json prints {varianceComponents, fixed, random, logLik, iterations, converged} with DESIGN.md names', async () => {
    const r = await runCli(['reml', config(tempDir()), '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout);
    const ref = readJson<{ reml: { refined: { logLik: number } } }>('reml-dyestuff.json');
    expect(o.varianceComponents.map((v: { term: string }) => v.term)).toEqual(['Batch', 'residual']);
    expect(o.fixed[0].variable).toBe('b[(Intercept)]');
    expect(o.random.map((u: { variable: string }) => u.variable)).toEqual(['A', 'B', 'C', 'D', 'E', 'F'].map((l) => `u[Batch:${l}]`));
    expect(Math.abs(o.logLik - ref.reml.refined.logLik)).toBeLessThan(1e-6);
    expect(o.converged).toBe(true);
    expect(o.iterations).toBeGreaterThan(0);
  });

  it('prints readable tables and the convergence report', async () => {
    const r = await runCli(['reml', config(tempDir()), '--ml']);
    expect(r.stdout).toMatch(/^ML: logLik -163\.66353\d \(lme4 scale\), \d+ iterations, converged/);
    expect(r.stdout).toMatch(/variance\s+estimate\s+se/);
  });
});

describe('mixmc compare', () => {
  it('writes compare.json and prints one interpretation line per block', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const r = await runCli(['compare', config(dir), '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(c.varianceComponents.map((v: { variable: string }) => v.variable)).toEqual(['var[Batch]', 'var[residual]']);
    expect(c.notCompared).toEqual([]);
    for (const v of c.varianceComponents) for (const k of ['mean', 'median', 'mode', 'lower', 'upper']) expect(typeof v.posterior[k]).toBe('number');
    expect(c.random[0].term).toBe('u[Batch]');
    expect(c.random[0].correlation).toBeGreaterThan(0.99);
    expect(r.stdout.match(/^ {2}→ /gm)?.length).toBe(3);
  });
});

describe('compare kernels', () => {
  it('posteriorMode finds the mode of a skewed sample (Gamma(3): mode 2)', () => {
    const rng = chainRng(1, 0);
    const x = Float64Array.from({ length: 40000 }, () => gamma(rng, 3));
    // the KDE mode of 40,000 draws: its error is a few hundredths (rule: |mode − 2| < 0.15)
    expect(Math.abs(posteriorMode(x) - 2)).toBeLessThan(0.15);
  });

  it('agreement: correlation, slope, max |diff| and the rank correlation of the top 10%', () => {
    const blup = Array.from({ length: 50 }, (_, i) => i);
    const post = blup.map((b) => 0.5 * b + 1);
    const a = agreement(post, blup);
    expect(a.correlation).toBeCloseTo(1, 12);
    expect(a.slope).toBeCloseTo(0.5, 12);
    expect(a.maxAbsDiff).toBeCloseTo(23.5, 12);
    expect(a.topRankCorrelation).toBeCloseTo(1, 12);
  });
});

describe('"solver" in the spec', () => {
  it('pcg and gauss-seidel give BLUE/BLUP at fixed variances, equal to Cholesky', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
    const results: { random: { variable: string; blup: number; pev: number }[] }[] = [];
    for (const solver of ['cholesky', 'pcg', 'gauss-seidel']) {
      const f = join(dir, `${solver}.json`);
      writeFileSync(f, JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', solver, fixedVariances: { Batch: 1764.05, residual: 2451.25 } }));
      const r = await runCli(['reml', f, '--json']);
      expect(r.code).toBe(0);
      results.push(JSON.parse(r.stdout));
    }
    // the variances are lme4's REML estimates to 6 digits, so the BLUPs are lme4's to about 1e-5
    const ref = readJson<{ reml: { refined: { random: Record<string, { blup: number }> } } }>('reml-dyestuff.json');
    for (const r of results) for (const u of r.random) expect(Math.abs(u.blup - ref.reml.refined.random[u.variable].blup)).toBeLessThan(1e-4);
    expect(results[0].random[0].pev).toBeGreaterThan(0);
    results[1].random.forEach((u: { blup: number }, k: number) => expect(u.blup).toBeCloseTo(results[0].random[k].blup, 8));
  });

  it("a multi-trait model with fewer markers than individuals is a clear error in compare (its K = MM' is singular), and nothing is written", async () => {
    const dir = tempDir();
    const sim = simulateMarkers(dir, 40, 12, 2, 0.5, 31);
    writeFileSync(join(dir, 'p.csv'), `id,y1,y2\n${sim.rows.map((r, i) => `${r.id},${r.y},${i % 3 ? Number(r.y) + 1 : 'NA'}`).join('\n')}\n`);
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ data: 'p.csv', id: 'id', formula: 'cbind(y1, y2) ~ 1', markers: { file: sim.genoFile, prior: 'BRR' } }));
    const out = join(dir, 'out');
    const r = await runCli(['compare', f, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /term 'markers': multi-trait REML fits markers in its genomic form K = MM' over the 40 .*singular here \(12 markers, fewer than the individuals\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an iterative solver without fixed variances is a clear error', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('dyestuff.csv'), join(dir, 'd.csv'));
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', solver: 'pcg' }));
    const r = await runCli(['reml', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/solver 'pcg' solves the MME for known variances: give fixedVariances for Batch, residual/);
  });
});
