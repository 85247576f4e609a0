/** `mixmc compare`: REML/BLUP and the Gibbs posterior of the same model, side by side. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { compare, report } from '../index.js';
import { fmt, warningsBlock } from './format.js';
import { alignRows, chainOptions, chainSettings, readConfig, type ChainFlags } from './options.js';
import { Progress } from './progress.js';

interface CompareFlags extends ChainFlags {
  report: boolean;
}

async function runCompare(config: string, flags: CompareFlags): Promise<void> {
  const { spec, baseDir, specFile } = readConfig(config);
  const dir = resolve(flags.out!);
  const progress = flags.quiet ? undefined : new Progress();
  const { comparison } = await compare(spec, {
    ...chainSettings(flags),
    baseDir,
    specFile,
    force: flags.force,
    outDir: dir,
    onProgress: progress?.update,
  });
  progress?.stop();
  const c = comparison;
  const lines = [`${c.reml.method}: logLik ${c.reml.logLik.toFixed(6)}, ${c.reml.iterations} iterations${c.reml.converged ? '' : ' (NOT converged)'}`, ''];
  lines.push(
    alignRows([
      ['variance', 'REML', 'se', 'post.mean', 'median', 'mode', '2.5%', '97.5%'],
      ...c.varianceComponents.map((v) => [
        v.variable,
        fmt(v.reml.estimate, 5),
        fmt(v.reml.se, 3),
        fmt(v.posterior.mean, 5),
        fmt(v.posterior.median, 5),
        fmt(v.posterior.mode, 5),
        fmt(v.posterior.lower, 4),
        fmt(v.posterior.upper, 4),
      ]),
    ]),
  );
  lines.push(`  → ${c.interpretation.varianceComponents}`);
  for (const x of c.notCompared) lines.push(`  → ${x.variable} not compared: ${x.reason}`);
  lines.push('');
  lines.push(
    alignRows([
      ['fixed', 'BLUE', 'se', 'post.mean', 'post.sd'],
      ...c.fixed.map((f) => [f.variable, fmt(f.blue, 6), fmt(f.se, 4), fmt(f.posteriorMean, 6), fmt(f.posteriorSd, 4)]),
    ]),
  );
  lines.push(`  → ${c.interpretation.fixed}`, '');
  if (c.random.length > 0) {
    lines.push(
      alignRows([
        ['random', 'n', 'cor', 'slope', 'max|diff|', 'rank cor top 10%'],
        ...c.random.map((r) => [r.term, String(r.n), r.correlation.toFixed(4), r.slope.toFixed(4), fmt(r.maxAbsDiff, 4), r.topRankCorrelation.toFixed(3)]),
      ]),
    );
    lines.push(`  → ${c.interpretation.random}`);
  }
  const w = warningsBlock(c.warnings);
  if (w) lines.push('', 'The Gibbs run (read these before trusting the comparison):', w);
  process.stdout.write(`${lines.join('\n')}\n\nwrote ${join(dir, 'compare.json')} and compare.csv\n`);
  if (flags.report) {
    const r = await report(dir);
    process.stdout.write(`wrote ${r.file} (${r.figures} figures)\n`);
  }
}

export function compareCommand(program: Command): void {
  chainOptions(
    program
      .command('compare')
      .argument('<config>', 'run spec (JSON)')
      .requiredOption('--out <dir>', 'run directory to write (the Gibbs run, compare.json and compare.csv)')
      .option('--force', 'replace the run in --out')
      .option('--no-report', 'do not write report.html (the posterior beside REML) into the run directory')
      .description('REML/BLUP and the Gibbs posterior of the same model, side by side')
      .action((config: string, flags: CompareFlags) => runCompare(config, flags)),
  );
}
