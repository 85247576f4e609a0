/** Plain-text rendering of summaries for the terminal. No numerics beyond formatting. */
import type { RunWarning, SummaryRow } from '../index.js';

export function fmt(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 10 ** -(digits - 1))) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** An aligned table of summary rows. */
export function summaryTable(rows: readonly SummaryRow[], digits = 4, prob = 0.95): string {
  const lo = `${fmtPct((1 - prob) / 2)}`;
  const hi = `${fmtPct(1 - (1 - prob) / 2)}`;
  const header = ['variable', 'mean', 'sd', lo, 'median', hi, 'rhat', 'ess_bulk', 'ess_tail', 'mcse'];
  const body = rows.map((r) => [
    r.variable,
    fmt(r.mean, digits),
    fmt(r.sd, digits),
    fmt(r.lower, digits),
    fmt(r.median, digits),
    fmt(r.upper, digits),
    Number.isNaN(r.rhat) ? 'NA' : r.rhat.toFixed(3),
    Number.isNaN(r.essBulk) ? 'NA' : r.essBulk.toFixed(0),
    Number.isNaN(r.essTail) ? 'NA' : r.essTail.toFixed(0),
    fmt(r.mcseMean, 2),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((r) => r[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

function fmtPct(p: number): string {
  return `${Number((100 * p).toPrecision(4))}%`;
}

/** The warnings block, worst first. */
export function warningsBlock(warnings: readonly RunWarning[]): string {
  if (warnings.length === 0) return '';
  const sorted = [...warnings].sort((a, b) => b.severity - a.severity);
  return ['Warnings:', ...sorted.map((w) => `  ${w.subject}: ${w.message}`)].join('\n');
}
