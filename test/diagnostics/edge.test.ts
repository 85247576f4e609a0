/**
 * Undefined cases follow posterior's conventions (NaN, or ESS = the number of draws for constants)
 * and never throw; chains of unequal length are an error.
 */
import { describe, expect, it } from 'vitest';
import * as k from '../../src/diagnostics/kernels.js';
import { summarize } from '../../src/api/summarize.js';
import { chainRng as chainRngFor } from '../../src/rng/rng.js';
import { normal as normalFor } from '../../src/rng/dist.js';

const f = (...x: number[]): Float64Array => Float64Array.from(x);

describe('edge cases', () => {
  it('one chain: split R-hat and ESS are defined (the chain is split in two)', () => {
    const x = [f(...Array.from({ length: 100 }, (_, i) => Math.sin(i * 1.7)))];
    expect(Number.isFinite(k.rhat(x))).toBe(true);
    expect(Number.isFinite(k.essBulk(x))).toBe(true);
    expect(k.gelmanRubin(x).psrf).toBeNaN();
    const row = summarize([Array.from(x[0])]).parameters[0];
    expect(row.mean).toBeCloseTo(k.mean(x[0]), 14);
  });

  it('two draws: ESS and MCSE are NaN, the mean is defined', () => {
    const x = [f(1, 2), f(3, 4)];
    expect(k.essBulk(x)).toBeNaN();
    expect(k.essBasic(x)).toBeNaN();
    const row = summarize([
      [1, 2],
      [3, 4],
    ]).parameters[0];
    expect(row.mean).toBe(2.5);
    expect(row.essBulk).toBeNaN();
    expect(row.mcseMean).toBeNaN();
  });

  it('constant draws: R-hat NaN, ESS = number of draws, a warning', () => {
    const x = [f(...new Array(50).fill(3)), f(...new Array(50).fill(3))];
    expect(k.rhat(x)).toBeNaN();
    expect(k.essBulk(x)).toBe(100);
    expect(k.essTail(x)).toBe(100);
    const s = summarize({ c: x });
    expect(s.parameters[0].sd).toBe(0);
    expect(s.warnings.map((w) => w.message)).toContain('all draws are the same value');
  });

  it('NaN in the draws: NaN statistics, no throw', () => {
    const x = [f(1, 2, NaN, 4, 5, 6), f(2, 3, 4, 5, 6, 7)];
    expect(k.rhat(x)).toBeNaN();
    expect(k.essBulk(x)).toBeNaN();
    const row = summarize({ x }).parameters[0];
    expect(row.mean).toBeNaN();
    expect(row.rhat).toBeNaN();
  });

  it('the summary row equals the standalone kernels (shared checks), on ordinary and degenerate draws', () => {
    const rng = chainRngFor(8, 0);
    const draws = (n: number): Float64Array => Float64Array.from({ length: n }, () => normalFor(rng));
    const cases: Float64Array[][] = [
      [draws(101), draws(101), draws(101)],
      [draws(400)],
      [draws(3), draws(3)],
      [draws(4), draws(4)],
      [f(1, 2), f(3, 4)],
      [f(...new Array(20).fill(0), 5), f(...new Array(21).fill(0))],
      [f(...new Array(9).fill(2)), f(...new Array(9).fill(2))],
    ];
    for (const x of cases) {
      const row = summarize({ x }).parameters[0];
      expect([row.rhat, row.essBulk, row.essTail, row.mcseMean]).toEqual([k.rhat(x), k.essBulk(x), k.essTail(x), k.mcseMean(x)]);
    }
  });

  it('chains of unequal length are an error', () => {
    expect(() =>
      summarize([
        [1, 2, 3, 4],
        [1, 2, 3],
      ]),
    ).toThrowError(/chains have unequal lengths \(4, 3\)/);
    expect(() => k.rhat([f(1, 2, 3, 4), f(1, 2, 3)])).toThrowError(/unequal lengths/);
  });
});

describe('Geweke z-score per chain (coda::geweke.diag, first 10% vs last 50%)', () => {
  it('is about N(0,1) for a stationary chain and large for a chain that drifts', () => {
    const rng = chainRngFor(5, 0);
    const iid = Float64Array.from({ length: 2000 }, () => normalFor(rng));
    expect(Math.abs(k.geweke(iid))).toBeLessThan(4);
    // a chain whose first 10% sits 1 sd higher
    const drift = iid.map((v, i) => (i < 200 ? v + 1 : v));
    expect(k.geweke(drift)).toBeGreaterThan(5);
    expect(k.geweke(f(1, 2, 3))).toBeNaN();
  });

  it('matches its definition: (mean(first 10%) − mean(last 50%)) / sqrt(S_a(0)/n_a + S_b(0)/n_b)', () => {
    const rng = chainRngFor(6, 0);
    const x = Float64Array.from({ length: 1000 }, () => normalFor(rng));
    const a = x.subarray(0, Math.ceil(1 + 0.1 * 999));
    const b = x.subarray(Math.floor(1000 - 0.5 * 999) - 1);
    const z = (k.mean(a) - k.mean(b)) / Math.sqrt(k.spectrum0Ar(a) / a.length + k.spectrum0Ar(b) / b.length);
    expect(k.geweke(x)).toBeCloseTo(z, 12);
    expect(a.length).toBe(101);
    expect(b.length).toBe(501);
  });
});
