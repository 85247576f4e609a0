/** `mixmc fit`: run a model into a run directory (or resume one), print the summary and warnings. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type FitResult, fit, MixmcError, report, resumeFit } from '../index.js';
import { summaryTable, terminalWidth, warningsBlock } from './format.js';
import { chainOptions, chainSettings, int, readConfig, type ChainFlags } from './options.js';
import { Progress } from './progress.js';

interface FitFlags extends ChainFlags {
  resume?: string;
  extend?: number;
  force?: boolean;
  digits: number;
  /** false with --no-report. */
  report: boolean;
}

async function runFit(config: string | undefined, flags: FitFlags): Promise<number> {
  if (flags.resume && config) throw new MixmcError('give either a config or --resume DIR, not both', { term: '--resume' });
  if (!flags.resume && !config) throw new MixmcError('missing the config file (or --resume DIR)', { term: 'config' });
  if (!flags.resume && !flags.out) throw new MixmcError('missing --out DIR, the run directory to write', { term: '--out' });
  if (flags.extend !== undefined && !flags.resume) throw new MixmcError('--extend goes with --resume DIR', { term: '--extend' });
  if (flags.resume) {
    const fixed = (['chains', 'iter', 'burnin', 'thin', 'seed'] as const).filter((k) => flags[k] !== undefined);
    if (fixed.length > 0) {
      throw new MixmcError(
        `--${fixed[0]} does not go with --resume: a resumed run keeps its settings; use --extend N to add iterations, or --force to start it again`,
        {
          term: `--${fixed[0]}`,
        },
      );
    }
    if (flags.force && flags.extend !== undefined) throw new MixmcError('--force starts the run again; it does not go with --extend', { term: '--force' });
  }
  const controller = new AbortController();
  let stops = 0;
  const onSignal = (sig: string): void => {
    stops++;
    if (stops > 1) process.exit(130);
    process.stderr.write(`\n${sig}: stopping the chains (they flush and checkpoint first; again to quit at once)\n`);
    controller.abort();
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const progress = flags.quiet ? undefined : new Progress();
  try {
    const common = { workers: flags.workers, onProgress: progress?.update, signal: controller.signal };
    let res: FitResult;
    let dir: string;
    if (flags.resume) {
      dir = resolve(flags.resume);
      res = await resumeFit(dir, { ...common, extend: flags.extend, force: flags.force });
    } else {
      const { spec, baseDir, specFile } = readConfig(config!);
      dir = resolve(flags.out!);
      res = await fit(spec, { ...common, ...chainSettings(flags), baseDir, specFile, outDir: dir, force: flags.force });
    }
    progress?.stop();
    // rows with draws (parameters and derived quantities); untraced random levels are in summary.json
    const traced = res.summary.parameters.filter((r) => !Number.isNaN(r.median));
    process.stdout.write(`${summaryTable(traced, flags.digits, 0.95, terminalWidth())}\n`);
    const w = warningsBlock(res.summary.warnings);
    if (w) process.stdout.write(`\n${w}\n`);
    process.stdout.write(`\nwrote ${dir}\n`);
    // an interrupted run stops at once; its report is one `mixmc report DIR` away
    if (flags.report && res.failures.length === 0 && !res.interrupted) {
      const r = await report(dir);
      process.stdout.write(`wrote ${r.file} (${r.figures} figures)\n`);
    }
    if (res.failures.length > 0) {
      for (const f of res.failures) process.stderr.write(`error: ${f.message}\n`);
      // a full disk or an unusable file is the user's to fix (exit 2); anything else a bug (1)
      return res.failures.some((f) => f.environment) ? 2 : 1;
    }
    return res.interrupted ? 130 : 0;
  } finally {
    progress?.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** Register the command; `done` receives its exit code. */
export function fitCommand(program: Command, done: (code: number) => void): void {
  chainOptions(
    program
      .command('fit')
      .argument('[config]', 'run spec (JSON)')
      .option('--out <dir>', 'run directory to write')
      .option('--resume <dir>', 'continue an interrupted run (or extend a finished one with --extend)')
      .option('--extend <n>', 'with --resume: add n iterations to every chain', int('--extend'))
      .option('--force', 'replace the run in --out (or, with --resume, start that run again)')
      .option('--digits <n>', 'significant digits in the table', int('--digits'), 4)
      .option('--no-report', 'do not write report.html into the run directory')
      .description('fit a model and write a run directory')
      .action(async (config: string | undefined, flags: FitFlags) => done(await runFit(config, flags))),
  );
}
