/**
 * Issue 12 D: degenerate data and numbers. A response that cannot be fitted (constant, too few
 * records, sums that overflow) is refused by fit and reml alike with one line naming the response;
 * summaries never overflow for finite draws, constancy is judged relative to scale, and a run with
 * fewer than 4 draws per chain says so instead of warning about constant draws.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeChains } from '../../src/diagnostics/summary.js';
import { summarize } from '../../src/api/summarize.js';
import { type AdversarialCase, runCase } from '../helpers/adversarial.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { normal } from '../../src/rng/dist.js';
import { Rng } from '../../src/rng/rng.js';

/** A data file and a config fitting `formula` to it, for `fit` and for `reml`. */
function dataCases(name: string, csv: string, formula: string, words: (string | RegExp)[]): AdversarialCase[] {
  const setup = (d: string): void => {
    writeFileSync(join(d, 'd.csv'), csv);
    writeFileSync(join(d, 'c.json'), JSON.stringify({ data: 'd.csv', formula, mcmc: { chains: 2, iterations: 300, burnin: 50, seed: 1 } }));
  };
  return [
    { name: `fit: ${name}`, setup, args: (d) => ['fit', join(d, 'c.json'), '--out', join(d, 'run'), '--quiet'], words: ['d.csv', ...words] },
    { name: `reml: ${name}`, setup, args: (d) => ['reml', join(d, 'c.json')], words: ['d.csv', ...words] },
  ];
}

const rows = (values: (string | number)[], groups = ['a', 'a', 'b', 'b', 'c', 'c']): string =>
  `id,g,y\n${values.map((v, i) => `${i + 1},${groups[i % groups.length]},${v}`).join('\n')}\n`;

const cases: AdversarialCase[] = [
  ...dataCases('a constant response', rows([5, 5, 5, 5, 5, 5]), 'y ~ 1 + (1|g)', ["response 'y' is constant", 'no variation']),
  ...dataCases('a constant large response', rows([1e6, 1e6, 1e6, 1e6]), 'y ~ 1', ['constant']),
  ...dataCases('a response equal up to rounding', rows([0.3, 0.1 + 0.2, 0.3, 0.1 + 0.2]), 'y ~ 1', ['constant']),
  ...dataCases('a single record', rows([5]), 'y ~ 1', ['only 1 record', 'at least 2']),
  ...dataCases('a single observed record among missing ones', rows([5, 'NA', 'NA', '']), 'y ~ 1', ['only 1 record']),
  ...dataCases('as many records as fixed effects', rows([1, 2, 3], ['a', 'b', 'c']), 'y ~ 1 + g', ['only 3 record', '3 fixed effect', 'at least 4']),
  ...dataCases('values near 1e308', rows([1e308, 1.5e308, -1e308, 1.7e308]), 'y ~ 1', ['variance', 'rescale']),
  ...dataCases('values near 1e-160', rows([1e-160, 3e-160, 2e-160, 5e-160]), 'y ~ 1', ['variance', 'rescale']),
  ...dataCases('a response that is text', rows([1, 'x', 3, 4]), 'y ~ 1', ['line 3', "'y'", 'numeric']),
  ...dataCases('a response of Inf', rows([1, 'Inf', 3, 4]), 'y ~ 1', ["'y'"]),
  ...dataCases('a covariate whose squares overflow', 'id,y,x\n1,3,1e200\n2,5,2e200\n3,4,1\n4,2,3\n', 'y ~ 1 + x', ["'b[x]'", 'overflows', 'rescale']),
  ...dataCases('an empty data file', '', 'y ~ 1', ['empty']),
  ...dataCases('a header only', 'id,g,y\n', 'y ~ 1', ['no record']),
  ...dataCases('a ragged row', 'id,g,y\n1,a,3,4\n2,b,5\n', 'y ~ 1', ['line 2', '4 fields']),
  ...dataCases('a grouping factor with one level', rows([1, 2, 3, 4], ['a']), 'y ~ 1 + (1|g)', ["'g'", 'one level']),
];

describe('issue 12 D: data that cannot be fitted', () => {
  for (const c of cases) it(c.name, async () => void (await runCase(c)));
});

/** Draws of an AR(1) chain with mean 1 (so that scaled copies are easy to compare). */
function arChains(seed: number, chains = 3, n = 400): Float64Array[] {
  const rng = Rng.fromKey(`ar:${seed}`);
  return Array.from({ length: chains }, () => {
    const x = new Float64Array(n);
    let v = 1;
    for (let i = 0; i < n; i++) {
      v = 1 + 0.5 * (v - 1) + 0.3 * normal(rng);
      x[i] = v;
    }
    return x;
  });
}

describe('issue 12 D: summaries of extreme draws', () => {
  it('draws near 1e270 and 1e-270 summarise to the summary of the draws near 1, scaled (never null, never overflowing)', () => {
    const base = arChains(1);
    const ref = summarizeChains('x', base);
    for (const k of [900, -900]) {
      const scale = 2 ** k;
      const r = summarizeChains(
        'x',
        base.map((c) => c.map((v) => v * scale)),
      );
      for (const key of ['mean', 'sd', 'median', 'lower', 'upper', 'hpdLower', 'hpdUpper', 'mcseMean'] as const) {
        expect(Number.isFinite(r[key]), key).toBe(true);
        expect(r[key] / scale, key).toBeCloseTo(ref[key], 12);
      }
      expect(r.rhat).toBe(ref.rhat);
      expect(r.essBulk).toBe(ref.essBulk);
      expect(r.essTail).toBe(ref.essTail);
    }
  });

  it('draws in units of 1e-10 are not "all the same"; draws equal up to rounding are', async () => {
    const tiny = arChains(2).map((c) => c.map((v) => v * 1e-10));
    const s = await summarize({ names: ['x'], chains: tiny.map((c) => [c]) });
    expect(s.warnings.filter((w) => /same value/.test(w.message))).toEqual([]);
    expect(s.parameters[0].sd).toBeGreaterThan(0);
    const flat = [Float64Array.from({ length: 100 }, (_, i) => 1e6 + (i % 2) * 1e-10), Float64Array.from({ length: 100 }, () => 1e6)];
    const f = await summarize({ names: ['x'], chains: flat.map((c) => [c]) });
    expect(f.warnings.map((w) => w.message)).toContain('all draws are the same value');
  });

  it('fewer than 4 draws per chain: one "too few draws" warning, not "all draws are the same"', async () => {
    for (const n of [1, 2, 3]) {
      const chains = arChains(3, 2, n);
      const s = await summarize({ names: ['x'], chains: chains.map((c) => [c]) });
      expect(s.warnings).toHaveLength(1);
      expect(s.warnings[0].message).toMatch(new RegExp(`only ${n} draw\\(s\\) per chain.*at least 4`));
    }
    const ok = await summarize({ names: ['x'], chains: arChains(3, 2, 4).map((c) => [c]) });
    expect(ok.warnings.filter((w) => /per chain: R-hat/.test(w.message))).toEqual([]);
  });

  it('a response in units of 1e-10 fits with finite summaries and no false constancy warning', async () => {
    const dir = tempDir();
    const text = readFileSync(fixturePath('dyestuff.csv'), 'utf8').split('\n');
    const header = text[0].split(',');
    const yi = header.indexOf('Yield');
    const scaled = text.map((l, i) =>
      i === 0 || l === ''
        ? l
        : l
            .split(',')
            .map((v, j) => (j === yi ? String(Number(v) * 1e-10) : v))
            .join(','),
    );
    writeFileSync(join(dir, 'd.csv'), scaled.join('\n'));
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({ data: 'd.csv', formula: 'Yield ~ 1 + (1|Batch)', mcmc: { chains: 2, iterations: 2000, burnin: 200, seed: 5 } }),
    );
    const r = await runCli(['fit', join(dir, 'c.json'), '--out', join(dir, 'run'), '--quiet', '--workers', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/same value/);
    const s = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
    for (const p of s.parameters.filter((x: { median: number | null }) => x.median !== null)) {
      for (const key of ['mean', 'sd', 'mcseMean']) expect(typeof p[key], `${p.variable} ${key}`).toBe('number');
    }
    const intercept = s.parameters.find((p: { variable: string }) => p.variable === 'b[(Intercept)]');
    expect(intercept.mean).toBeGreaterThan(1.4e-7);
    expect(intercept.mean).toBeLessThan(1.6e-7);
  });
});
