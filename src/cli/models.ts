/** `mixmc models`: fits of the same data ranked by WAIC, with DIC beside it. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { models, toJson } from '../index.js';
import { fmt } from './format.js';
import { alignRows } from './options.js';

function runModels(dirs: string[], flags: { json?: boolean }): void {
  const ranking = models(dirs.map((d) => resolve(d)));
  if (flags.json) {
    process.stdout.write(toJson(ranking));
    return;
  }
  const rows = ranking.models.map((m, k) => [
    String(k + 1),
    m.dir,
    fmt(m.criteria.waic, 6),
    fmt(m.criteria.waicSe, 3),
    m.waicDiff === undefined ? (k === 0 ? '0' : 'NA') : fmt(m.waicDiff, 4),
    m.waicDiffSe === undefined ? '' : fmt(m.waicDiffSe, 3),
    fmt(m.criteria.pWaic, 4),
    fmt(m.criteria.dic, 6),
    fmt(m.criteria.pD, 4),
  ]);
  const lines = [alignRows([['rank', 'run', 'WAIC', 'se', 'dWAIC', 'se(d)', 'p_waic', 'DIC', 'pD'], ...rows])];
  if (ranking.reason) lines.push('', `note: ${ranking.reason}`);
  else lines.push('', 'dWAIC is the difference from the best fit, with the SE of the paired difference over the records (lower WAIC is better)');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function modelsCommand(program: Command): void {
  program
    .command('models')
    .argument('<dirs...>', 'run directories of fits of the same data')
    .option('--json', 'print the ranking as JSON')
    .description('rank fits of the same data by WAIC (with DIC), from their run directories')
    .action((dirs: string[], flags: { json?: boolean }) => runModels(dirs, flags));
}
