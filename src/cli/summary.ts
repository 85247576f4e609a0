/** `mixmc summary`: posterior summary and diagnostics of draws from a run directory or CSVs. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { csvField, csvValue, summarizeParallel, writeFileAtomic, toJson } from '../index.js';
import { summaryTable, terminalWidth, warningsBlock } from './format.js';
import { int, parseProb } from './options.js';

interface SummaryFlags {
  vars?: string[];
  prob: number;
  digits: number;
  json?: boolean;
  csv?: string | boolean;
}

const SUMMARY_COLUMNS = ['variable', 'mean', 'sd', 'median', 'lower', 'upper', 'hpdLower', 'hpdUpper', 'rhat', 'essBulk', 'essTail', 'mcseMean'] as const;

async function runSummary(paths: string[], flags: SummaryFlags): Promise<void> {
  const input = paths.length === 1 ? resolve(paths[0]) : paths.map((p) => resolve(p));
  const s = await summarizeParallel(input, { prob: flags.prob, vars: flags.vars });
  if (flags.json) {
    process.stdout.write(toJson(s));
    return;
  }
  if (flags.csv !== undefined) {
    // the prior share (variances with a conjugate prior, when the fit recorded it) is a last column, NA elsewhere
    const shares = s.parameters.some((r) => r.priorShare !== undefined);
    const lines = [
      [...SUMMARY_COLUMNS, ...(shares ? ['priorShare'] : [])].join(','),
      ...s.parameters.map((r) =>
        [
          ...SUMMARY_COLUMNS.map((k) => (k === 'variable' ? csvField(r.variable) : csvValue(r[k]))),
          ...(shares ? [csvValue(r.priorShare ?? Number.NaN)] : []),
        ].join(','),
      ),
    ];
    const text = `${lines.join('\n')}\n`;
    if (typeof flags.csv === 'string') {
      writeFileAtomic(resolve(flags.csv), text);
      process.stdout.write(`wrote ${s.parameters.length} rows to ${resolve(flags.csv)}\n`);
    } else {
      process.stdout.write(text);
    }
    return;
  }
  process.stdout.write(
    `${s.meta.chains} chain(s), ${s.meta.usedDraws} draws each\n\n${summaryTable(s.parameters, flags.digits, flags.prob, terminalWidth())}\n`,
  );
  const w = warningsBlock(s.warnings);
  if (w) process.stdout.write(`\n${w}\n`);
}

export function summaryCommand(program: Command): void {
  program
    .command('summary')
    .argument('<paths...>', 'a run directory, a long CSV with a chain column, or one CSV per chain (Stan/CmdStan)')
    .option('--vars <globs...>', "variables to show, e.g. 'var[*]' 'h2' (default: all)")
    .option('--prob <p>', 'mass of the central and HPD intervals', parseProb, 0.95)
    .option('--digits <n>', 'significant digits', int('--digits'), 4)
    .option('--json', 'print the summary.json object')
    .option('--csv [file]', 'write the rows as CSV (to stdout without a file)')
    .description('posterior summary and convergence diagnostics of draws')
    .action((paths: string[], flags: SummaryFlags) => runSummary(paths, flags));
}
