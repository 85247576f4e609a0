/** `mixmc sbc`: simulation-based calibration of a spec's model at its priors and design. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { sbc } from '../index.js';
import { alignRows, chainOptions, chainSettings, type ChainFlags, int, readConfig } from './options.js';

interface SbcFlags extends ChainFlags {
  sims: number;
  draws: number;
  bins: number;
}

async function runSbc(config: string, flags: SbcFlags): Promise<void> {
  const { spec, baseDir, specFile } = readConfig(config);
  const dir = resolve(flags.out!);
  const r = await sbc(spec, {
    ...chainSettings(flags),
    sims: flags.sims,
    draws: flags.draws,
    bins: flags.bins,
    baseDir,
    specFile,
    outDir: dir,
    force: flags.force,
    onSim: flags.quiet ? undefined : (e) => process.stderr.write(`\rsimulation ${e.sim}/${e.of}${e.sim === e.of ? '\n' : ''}`),
  });
  const rows = r.parameters.map((p) => [
    p.variable,
    String(p.sims),
    p.chi2.toFixed(2),
    String(p.df),
    p.p.toFixed(4),
    p.counts.join(' '),
    p.p < 0.01 ? '  <- not uniform' : '',
  ]);
  const lines = [
    `simulation-based calibration: ${r.sims} simulations, each true value ranked among ${r.draws} posterior draws, ${r.bins} groups of ranks`,
    alignRows([['variable', 'sims', 'chi2', 'df', 'p', 'counts', ''], ...rows]),
    '',
    `not ranked: ${r.notRanked.map((x) => `${x.variable} (${x.reason})`).join('; ') || 'none'}`,
    `wrote ${join(dir, 'sbc.csv')} and sbc-ranks.csv`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function sbcCommand(program: Command): void {
  chainOptions(
    program
      .command('sbc')
      .argument('<config>', 'run spec (JSON): its design and priors are simulated from')
      .requiredOption('--out <dir>', 'folder for sbc.csv, sbc-ranks.csv and each finished simulation (a rerun does only the missing ones)')
      .requiredOption('--sims <n>', 'number of simulations', int('--sims'))
      .option('--draws <L>', 'posterior draws each true value is ranked among', int('--draws'), 99)
      .option('--bins <b>', 'equal groups of ranks for the chi-square test (must divide L + 1)', int('--bins'), 10)
      .option('--force', 'replace a calibration in --out')
      .description('simulation-based calibration (Talts et al. 2018): rank histograms and a chi-square uniformity test per parameter')
      .action((config: string, flags: SbcFlags) => runSbc(config, flags)),
  );
}
