/** `mixmc windows`: genomic windows of a marker fit, from its saved effect draws (windows.csv). */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { windows } from '../index.js';
import { fmt } from './format.js';
import { alignRows } from './options.js';

interface WindowFlags {
  mb?: string;
  markers?: string;
  threshold?: string;
  set?: string;
}

const number = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

function runWindows(dir: string, flags: WindowFlags): void {
  const out = resolve(dir);
  const r = windows(out, { mb: number(flags.mb), markers: number(flags.markers), threshold: number(flags.threshold), set: flags.set, write: true });
  // the ten windows of largest WPPA, per trait in a multi-trait model (with each window's genetic correlation)
  const traits = [...new Set(r.windows.map((w) => w.trait))];
  const tables = traits.map((trait) => {
    const top = r.windows
      .filter((w) => w.trait === trait)
      .sort((a, b) => b.wppa - a.wppa || b.share - a.share)
      .slice(0, 10);
    const cor = (w: number): string =>
      (r.correlations ?? [])
        .filter((c) => c.window === w && (c.trait1 === trait || c.trait2 === trait))
        .map((c) => `${c.trait1 === trait ? c.trait2 : c.trait1} ${fmt(c.cor, 2)}`)
        .join(', ');
    const table = alignRows([
      ['window', 'chr', 'start', 'end', 'markers', 'share', 'sd', 'WPPA', ...(r.correlations ? ['genetic cor'] : [])],
      ...top.map((w) => [
        String(w.window),
        w.chr,
        w.start,
        w.end,
        String(w.markers),
        fmt(w.share, 3),
        fmt(w.shareSd, 3),
        fmt(w.wppa, 3),
        ...(r.correlations ? [cor(w.window)] : []),
      ]),
    ]);
    return trait === undefined ? table : `${trait}:\n${table}`;
  });
  const count = r.windows.length / traits.length;
  const files = r.correlations ? `${join(out, 'windows.csv')} and ${join(out, 'window-correlations.csv')}` : join(out, 'windows.csv');
  process.stdout.write(`${count} windows, ${r.draws} saved draws; WPPA = P(share > ${fmt(r.threshold, 3)})\n\n${tables.join('\n\n')}\n\nwrote ${files}\n`);
}

export function windowsCommand(program: Command): void {
  program
    .command('windows')
    .argument('<dir>', 'run directory of a marker fit with saved effect draws ("saveEffects")')
    .option('--mb <width>', 'window width in megabases (default 1; needs marker positions)')
    .option('--markers <count>', 'markers per window instead')
    .option('--threshold <share>', 'the share of var[genetic] a window must exceed for WPPA (default 1/windows)')
    .option('--set <name>', 'the marker set (default: the only or unnamed one)')
    .description(
      "genomic windows: each window's share of var[genetic] per draw, and its WPPA (windows.csv); per trait in a multi-trait model, with each window's genetic correlation (window-correlations.csv)",
    )
    .action((dir: string, flags: WindowFlags) => runWindows(dir, flags));
}
