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
  const top = [...r.windows].sort((a, b) => b.wppa - a.wppa || b.share - a.share).slice(0, 10);
  const table = alignRows([
    ['window', 'chr', 'start', 'end', 'markers', 'share', 'sd', 'WPPA'],
    ...top.map((w) => [String(w.window), w.chr, w.start, w.end, String(w.markers), fmt(w.share, 3), fmt(w.shareSd, 3), fmt(w.wppa, 3)]),
  ]);
  process.stdout.write(
    `${r.windows.length} windows, ${r.draws} saved draws; WPPA = P(share > ${fmt(r.threshold, 3)})\n\n${table}\n\nwrote ${join(out, 'windows.csv')}\n`,
  );
}

export function windowsCommand(program: Command): void {
  program
    .command('windows')
    .argument('<dir>', 'run directory of a marker fit with saved effect draws ("saveEffects")')
    .option('--mb <width>', 'window width in megabases (default 1; needs marker positions)')
    .option('--markers <count>', 'markers per window instead')
    .option('--threshold <share>', 'the share of var[genetic] a window must exceed for WPPA (default 1/windows)')
    .option('--set <name>', 'the marker set (default: the only or unnamed one)')
    .description("genomic windows: each window's share of var[genetic] per draw, and its WPPA (windows.csv)")
    .action((dir: string, flags: WindowFlags) => runWindows(dir, flags));
}
