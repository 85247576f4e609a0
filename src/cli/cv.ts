/** `mixmc cv`: K-fold cross-validation of a spec, a table per fold and repeat. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type CvResult, cv } from '../index.js';
import { fmt } from './format.js';
import { alignRows, chainOptions, chainSettings, type ChainFlags, int, readConfig } from './options.js';

interface CvFlags extends ChainFlags {
  folds?: number;
  repeats?: number;
  foldColumn?: string;
  trait?: string;
}

function table(r: CvResult): string {
  const head = ['repeat', 'fold', 'records', 'cor', 'slope', 'mse', ...(r.binary ? ['auc'] : [])];
  const row = (repeat: string, fold: string, a: { records: number; correlation: number; slope: number; mse: number; auc?: number }) => [
    repeat,
    fold,
    String(a.records),
    a.correlation.toFixed(4),
    a.slope.toFixed(3),
    fmt(a.mse, 4),
    ...(r.binary ? [(a.auc ?? NaN).toFixed(4)] : []),
  ];
  const rows = [head, ...r.folds.map((f) => row(String(f.repeat), f.fold, f))];
  for (const x of r.repeats) rows.push(row(String(x.repeat), 'pooled', x.pooled), row(String(x.repeat), 'mean', x.mean));
  return alignRows(rows);
}

async function runCv(config: string, flags: CvFlags): Promise<void> {
  const { spec, baseDir, specFile } = readConfig(config);
  const dir = resolve(flags.out!);
  const result = await cv(spec, {
    ...chainSettings(flags),
    folds: flags.folds,
    repeats: flags.repeats,
    foldColumn: flags.foldColumn,
    trait: flags.trait,
    baseDir,
    specFile,
    outDir: dir,
    force: flags.force,
    onFold: flags.quiet
      ? undefined
      : (e) => {
          if (!e.done) process.stderr.write(`fold ${e.index + 1}/${e.of} (repeat ${e.repeat}, fold ${e.fold})\n`);
        },
  });
  process.stdout.write(
    `cross-validation of ${result.trait} (seed ${result.seed}): correlation and slope of the observed on the predicted masked records\n${table(result)}\n\nwrote ${join(dir, 'cv.csv')} and cv-predictions.csv\n`,
  );
}

export function cvCommand(program: Command): void {
  chainOptions(
    program
      .command('cv')
      .argument('<config>', 'run spec (JSON)')
      .requiredOption('--out <dir>', 'folder for cv.csv, cv-predictions.csv and each finished fold (a rerun does only the missing folds)')
      .option('--folds <k>', 'number of folds, drawn from the seed', int('--folds'))
      .option('--repeats <r>', 'repeats with other random folds', int('--repeats'), 1)
      .option('--fold-column <col>', "a data column naming each row's fold (instead of --folds)")
      .option('--trait <name>', 'the response masked in a multi-trait model (default: the first)')
      .option('--force', 'replace a cross-validation in --out')
      .description('K-fold cross-validation: mask each fold, fit, predict it; correlation, slope, MSE (and AUC)')
      .action((config: string, flags: CvFlags) => runCv(config, flags)),
  );
}
