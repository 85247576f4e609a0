/**
 * Issue 12 G: the summary table fits 80 columns (dropping its least needed columns, and saying so),
 * and every column of numbers is in one notation with the same significant digits.
 */
import { describe, expect, it } from 'vitest';
import { numberColumn, summaryTable } from '../../src/cli/format.js';
import type { SummaryRow } from '../../src/types.js';

const row = (variable: string, mean: number, sd: number, mcse = sd / 20): SummaryRow => ({
  variable,
  mean,
  sd,
  median: mean,
  lower: mean - 2 * sd,
  upper: mean + 2 * sd,
  hpdLower: mean - 2 * sd,
  hpdUpper: mean + 2 * sd,
  rhat: 1.0042,
  essBulk: 812.4,
  essTail: 655.2,
  mcseMean: mcse,
});

describe('numberColumn', () => {
  it('never mixes notations in one column', () => {
    expect(numberColumn([6.035e-4, 0.002888, 0.1], 4)).toEqual(['6.035e-4', '2.888e-3', '1.000e-1']);
    expect(numberColumn([0.002888, 0.1, 1532.4], 4)).toEqual(['0.002888', '0.1', '1532']);
    expect(numberColumn([2.5e7, 3, Number.NaN, Number.POSITIVE_INFINITY], 3)).toEqual(['2.50e+7', '3.00e+0', 'NA', 'Inf']);
  });
});

describe('summaryTable', () => {
  const rows = [
    row('b[(Intercept)]', 1532.1234, 19.97),
    row('u[Batch:A]', -17.25, 26.11),
    row('var[Batch]', 3260, 1772),
    row('prop[Batch]', 0.521, 0.1289),
    row('small', 6.035e-4, 2.1e-4),
  ];

  it('fits 80 columns, says what it left out, and keeps one notation per column', () => {
    const text = summaryTable(rows);
    const lines = text.split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    expect(lines[lines.length - 1]).toMatch(/^\(.*left out.* to fit 80 columns; see --csv\)$/);
    // the mean column holds 6.035e-4: all of it is scientific
    const header = lines[0].split(/\s+/);
    const meanAt = header.indexOf('mean');
    const means = lines.slice(1, 6).map((l) => l.trim().split(/\s+/)[meanAt]);
    expect(means.every((m) => /e[+-]\d+$/.test(m))).toBe(true);
  });

  it('shows every column when the terminal is wide enough', () => {
    const text = summaryTable(rows, 4, 0.95, 200);
    expect(text.split('\n')[0].trim().split(/\s+/)).toEqual(['variable', 'mean', 'sd', '2.5%', 'median', '97.5%', 'rhat', 'ess_bulk', 'ess_tail', 'mcse']);
    expect(text).not.toMatch(/left out/);
  });

  it('long variable names drop columns down to the narrowest table, and no further', () => {
    const long = [row('u[herd_by_year_by_season:2019_spring_A12]', 1, 0.5)];
    const text = summaryTable(long);
    expect(text.split('\n')[0].trim().split(/\s+/)).toEqual(['variable', 'mean', 'sd', '2.5%', '97.5%', 'rhat', 'ess']);
  });
});
