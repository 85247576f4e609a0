/** `mixmc report`: the self-contained HTML report of a run directory. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { report } from '../index.js';

async function runReport(dir: string, flags: { out?: string; vars?: string[] }): Promise<void> {
  const r = await report(resolve(dir), { out: flags.out, vars: flags.vars });
  process.stdout.write(`wrote ${r.file} (${(r.bytes / 1e6).toFixed(2)} MB, ${r.figures} figures)\n`);
}

export function reportCommand(program: Command): void {
  program
    .command('report')
    .argument('<dir>', 'run directory (finished, interrupted or still running)')
    .option('--out <file>', 'the HTML file to write (default DIR/report.html)')
    .option('--vars <pattern...>', "parameters with figures, by name or glob (e.g. 'var[*]' h2)")
    .description('write a self-contained HTML report of a run: settings, warnings, summary, and traces, rank plots, densities and autocorrelations')
    .action((dir: string, flags: { out?: string; vars?: string[] }) => runReport(dir, flags));
}
