/**
 * Plain-text rendering of summaries for the terminal. No numerics beyond formatting. A column of
 * numbers is written in one notation (fixed, or scientific when any of its values needs it), each
 * value to the same significant digits; the summary table drops its least needed columns rather than
 * grow wider than the terminal (80 columns when not a terminal).
 */
import type { RunWarning, SummaryRow } from '../index.js';

/** Whether x needs scientific notation: beyond a million, or below a thousandth. */
function needsScientific(x: number): boolean {
  return Number.isFinite(x) && x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3);
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  return undefined;
}

/** One number at `digits` significant digits, scientific when it needs it. */
export function fmt(x: number, digits: number): string {
  return special(x) ?? (needsScientific(x) ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toString());
}

/** A column of numbers in one notation: all fixed, or all scientific when any value needs it. */
export function numberColumn(xs: readonly number[], digits: number): string[] {
  const scientific = xs.some((x) => needsScientific(x));
  return xs.map((x) => special(x) ?? (scientific ? (x === 0 ? '0' : x.toExponential(digits - 1)) : Number(x.toPrecision(digits)).toString()));
}

/** A column of whole numbers (ESS) or of fixed decimals (R-hat). */
function fixedColumn(xs: readonly number[], decimals: number): string[] {
  return xs.map((x) => special(x) ?? x.toFixed(decimals));
}

interface Column {
  header: string;
  cells: (rows: readonly SummaryRow[]) => string[];
}

/** The widest table that fits `width` (the last set if none does), and the columns it left out. */
function fitColumns(variants: readonly (readonly Column[])[], rows: readonly SummaryRow[], width: number): { columns: readonly Column[]; cells: string[][] } {
  let chosen = { columns: variants[variants.length - 1], cells: [] as string[][] };
  for (const columns of variants) {
    const cells = columns.map((c) => [c.header, ...c.cells(rows)]);
    const total = cells.reduce((s, col) => s + Math.max(...col.map((v) => v.length)), 0) + 2 * (columns.length - 1);
    chosen = { columns, cells };
    if (total <= width) break;
  }
  return chosen;
}

/**
 * An aligned table of summary rows, at most `width` characters wide when it can be: it shows
 * variable, mean, sd, the interval, median, R-hat, bulk and tail ESS and MCSE, and leaves out the
 * median, then ESS tail (showing the smaller ESS), then MCSE when they do not fit; a note says which.
 */
export function summaryTable(rows: readonly SummaryRow[], digits = 4, prob = 0.95, width = 80): string {
  const lo = fmtPct((1 - prob) / 2);
  const hi = fmtPct(1 - (1 - prob) / 2);
  const num = (header: string, get: (r: SummaryRow) => number, d = digits): Column => ({ header, cells: (rs) => numberColumn(rs.map(get), d) });
  const variable: Column = { header: 'variable', cells: (rs) => rs.map((r) => r.variable) };
  const rhat: Column = {
    header: 'rhat',
    cells: (rs) =>
      fixedColumn(
        rs.map((r) => r.rhat),
        3,
      ),
  };
  const essBulk: Column = {
    header: 'ess_bulk',
    cells: (rs) =>
      fixedColumn(
        rs.map((r) => r.essBulk),
        0,
      ),
  };
  const essTail: Column = {
    header: 'ess_tail',
    cells: (rs) =>
      fixedColumn(
        rs.map((r) => r.essTail),
        0,
      ),
  };
  const ess: Column = {
    header: 'ess',
    cells: (rs) =>
      fixedColumn(
        rs.map((r) => Math.min(r.essBulk, r.essTail)),
        0,
      ),
  };
  const mcse = num('mcse', (r) => r.mcseMean, 2);
  const [mean, sd, lower, median, upper] = [
    num('mean', (r) => r.mean),
    num('sd', (r) => r.sd),
    num(lo, (r) => r.lower),
    num('median', (r) => r.median),
    num(hi, (r) => r.upper),
  ];
  const variants = [
    [variable, mean, sd, lower, median, upper, rhat, essBulk, essTail, mcse],
    [variable, mean, sd, lower, upper, rhat, essBulk, essTail, mcse],
    [variable, mean, sd, lower, upper, rhat, ess, mcse],
    [variable, mean, sd, lower, upper, rhat, ess],
  ];
  const { columns, cells } = fitColumns(variants, rows, width);
  const widths = cells.map((col) => Math.max(...col.map((v) => v.length)));
  const lines = cells[0].map((_, i) => cells.map((col, j) => (j === 0 ? col[i].padEnd(widths[j]) : col[i].padStart(widths[j]))).join('  '));
  const merged = columns.includes(ess);
  const left = variants[0].filter((c) => !columns.includes(c) && !(merged && (c === essBulk || c === essTail))).map((c) => c.header);
  if (left.length > 0 || merged) {
    const parts = [...(left.length > 0 ? [`${left.join(', ')} left out`] : []), ...(merged ? ['ess = min(ess_bulk, ess_tail)'] : [])];
    lines.push(`(${parts.join(', ')} to fit ${width} columns; see --csv)`);
  }
  return lines.join('\n');
}

function fmtPct(p: number): string {
  return `${Number((100 * p).toPrecision(4))}%`;
}

/** Warnings printed before the rest are counted instead. */
export const WARNINGS_SHOWN = 15;

/** The warnings block, worst first; beyond the first `shown`, a count (summary.json has them all). */
export function warningsBlock(warnings: readonly RunWarning[], shown = WARNINGS_SHOWN): string {
  if (warnings.length === 0) return '';
  const sorted = [...warnings].sort((a, b) => b.severity - a.severity);
  const lines = ['Warnings:', ...sorted.slice(0, shown).map((w) => `  ${w.subject}: ${w.message}`)];
  if (sorted.length > shown) lines.push(`  … and ${sorted.length - shown} more (summary.json lists every warning)`);
  return lines.join('\n');
}

/** The width to fit tables to: the terminal's, or 80 columns when the output is not a terminal. */
export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? Math.max(80, process.stdout.columns) : 80;
}
