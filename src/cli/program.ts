/**
 * The mixmc command line: argument parsing and printing only; the work is the library's.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { fit, prepare, resumeFit } from '../fit.js';
import { blup, reml } from '../reml/reml.js';
import { compare } from '../reml/compare.js';
import { Progress } from './progress.js';
import { MixmcError, isUserError } from '../errors.js';
import { toJson } from '../output/runDir.js';
import { summarizeParallel } from '../summarize.js';
import { csvField, csvNumber, writeFileAtomic } from '../output/files.js';
import { predict } from '../predict.js';
import { VERSION } from '../version.js';
import type { RunSpec } from '../types.js';
import { fmt, summaryTable, warningsBlock } from './format.js';

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
    return n;
  };
}

/** Read a JSON config; relative paths in it are relative to its folder. */
export function readConfig(file: string): { spec: RunSpec; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MixmcError(`cannot read the config: ${(err as Error).message}`, { file });
  }
  try {
    return { spec: JSON.parse(text) as RunSpec, baseDir: dirname(resolve(file)) };
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    let loc = {};
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos).split('\n');
      loc = { line: before.length, column: before[before.length - 1].length + 1 };
    }
    throw new MixmcError(`the config is not valid JSON: ${(err as Error).message}`, { file, ...loc });
  }
}

interface FitFlags {
  out?: string;
  resume?: string;
  extend?: number;
  chains?: number;
  iter?: number;
  burnin?: number;
  thin?: number;
  seed?: number;
  workers?: number;
  quiet?: boolean;
  digits: number;
}

async function runFit(config: string | undefined, flags: FitFlags): Promise<number> {
  if (flags.resume && config) throw new MixmcError('give either a config or --resume DIR, not both', { term: '--resume' });
  if (!flags.resume && !config) throw new MixmcError('missing the config file (or --resume DIR)', { term: 'config' });
  if (!flags.resume && !flags.out) throw new MixmcError('missing --out DIR, the run directory to write', { term: '--out' });
  if (flags.extend !== undefined && !flags.resume) throw new MixmcError('--extend goes with --resume DIR', { term: '--extend' });
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
    let res;
    let dir: string;
    if (flags.resume) {
      dir = resolve(flags.resume);
      res = await resumeFit(dir, { ...common, extend: flags.extend });
    } else {
      const { spec, baseDir } = readConfig(config!);
      dir = resolve(flags.out!);
      res = await fit(spec, { ...common, baseDir, outDir: dir, chains: flags.chains, iterations: flags.iter, burnin: flags.burnin, thin: flags.thin, seed: flags.seed });
    }
    progress?.stop();
    // rows with draws (parameters and derived quantities); untraced random levels are in summary.json
    const traced = res.summary.filter((r) => !Number.isNaN(r.median));
    process.stdout.write(`${summaryTable(traced, flags.digits)}\n`);
    const w = warningsBlock(res.warnings);
    if (w) process.stdout.write(`\n${w}\n`);
    process.stdout.write(`\nwrote ${dir}\n`);
    if (res.failures.length > 0) {
      for (const f of res.failures) process.stderr.write(`error: ${f.message}\n`);
      return 1;
    }
    return res.interrupted ? 130 : 0;
  } finally {
    progress?.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** The flags that override a spec's mcmc block (fit and compare). */
function chainOptions(cmd: Command): Command {
  return cmd
    .option('--chains <n>', 'number of chains', int('--chains'))
    .option('--iter <n>', 'iterations per chain, burn-in included', int('--iter'))
    .option('--burnin <n>', 'burn-in iterations', int('--burnin'))
    .option('--thin <n>', 'keep every n-th draw', int('--thin'))
    .option('--seed <n>', 'run seed', int('--seed'))
    .option('--workers <n>', 'worker threads (0 = in-process)', int('--workers'))
    .option('--quiet', 'no progress output');
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mixmc')
    .description('Linear mixed models and genomic marker regressions by Gibbs sampling, and REML/BLUP to compare')
    .version(VERSION)
    .option('--debug', 'print stack traces on errors');
  chainOptions(program
    .command('fit')
    .argument('[config]', 'run spec (JSON)')
    .option('--out <dir>', 'run directory to write')
    .option('--resume <dir>', 'continue an interrupted run (or extend a finished one with --extend)')
    .option('--extend <n>', 'with --resume: add n iterations to every chain', int('--extend'))
    .option('--digits <n>', 'significant digits in the table', int('--digits'), 4)
    .description('fit a model and write a run directory')
    .action(async (config: string | undefined, flags: FitFlags) => {
      exitCode = await runFit(config, flags);
    }));
  program
    .command('summary')
    .argument('<paths...>', 'a run directory, a long CSV with a chain column, or one CSV per chain (Stan/CmdStan)')
    .option('--vars <globs...>', "variables to show, e.g. 'var[*]' 'h2'")
    .option('--prob <p>', 'mass of the central and HPD intervals', parseProb, 0.95)
    .option('--digits <n>', 'significant digits', int('--digits'), 4)
    .option('--json', 'print the summary.json object')
    .option('--csv [file]', 'write the rows as CSV (to stdout without a file)')
    .description('posterior summary and convergence diagnostics of draws')
    .action((paths: string[], flags: SummaryFlags) => runSummary(paths, flags));
  program
    .command('reml')
    .argument('<config>', 'run spec (JSON)')
    .option('--json', 'print the result as JSON')
    .option('--ml', 'maximum likelihood instead of REML')
    .description('REML (or ML) variance components with BLUE and BLUP')
    .action((config: string, flags: { json?: boolean; ml?: boolean }) => runReml(config, flags));
  chainOptions(program
    .command('compare')
    .argument('<config>', 'run spec (JSON)')
    .requiredOption('--out <dir>', 'run directory to write (the Gibbs run and compare.json)')
    .description('REML/BLUP and the Gibbs posterior of the same model, side by side')
    .action((config: string, flags: FitFlags) => runCompare(config, flags)));
  program
    .command('predict')
    .argument('<runDir>', 'run directory of a marker model fit')
    .requiredOption('--geno <file>', 'genotypes of the individuals to predict (.bed or CSV)')
    .option('--out <file>', 'write the predictions as CSV (id,mean,sd) instead of printing them')
    .description('GEBVs (posterior mean and SD) of new individuals from a fitted marker model')
    .action((runDir: string, flags: { geno: string; out?: string }) => runPredict(runDir, flags));
  return program;
}

function runReml(config: string, flags: { json?: boolean; ml?: boolean }): void {
  const { spec, baseDir } = readConfig(config);
  const model = prepare(spec, { baseDir });
  const solver = spec.solver ?? 'auto';
  const terms = [...model.design.random.map((r) => r.term), ...(model.design.markers ? ['markers'] : []), 'residual'];
  const missing = terms.filter((t) => model.resolved.fixedVariances[t] === undefined);
  if (missing.length === 0) {
    // every variance known: BLUE/BLUP with the chosen solver (SE and PEV with Cholesky only)
    const b = blup(model.design, model.resolved.fixedVariances, solver, { markers: Boolean(model.design.markers) });
    const out = { fixed: b.fixed, random: b.random, solver: b.solver, iterations: b.solverIterations };
    process.stdout.write(flags.json ? toJson(out) : `BLUE/BLUP at the fixed variances (${b.solver}${b.solverIterations ? `, ${b.solverIterations} iterations` : ''})\n\n${alignRows([['fixed', 'estimate', 'se'], ...b.fixed.map((f) => [f.variable, fmt(f.estimate, 6), fmt(f.se, 4)])])}\n\n${alignRows([['random', 'blup', 'pev'], ...b.random.slice(0, 20).map((u) => [u.variable, fmt(u.blup, 5), fmt(u.pev, 4)])])}\n`);
    return;
  }
  if (solver === 'pcg' || solver === 'gauss-seidel') {
    throw new MixmcError(`solver '${solver}' solves the MME for known variances: give fixedVariances for ${missing.join(', ')} (REML needs "solver": "cholesky" or "auto")`, { term: 'solver' });
  }
  if (missing.length < terms.length) {
    throw new MixmcError(`REML estimates every variance component: fixedVariances must hold all of them (for BLUP) or none (missing: ${missing.join(', ')})`, { term: 'fixedVariances' });
  }
  const r = reml(model.design, { method: flags.ml ? 'ML' : 'REML', markers: Boolean(model.design.markers) });
  const out = {
    varianceComponents: r.varianceComponents.map((v) => ({ term: v.term, estimate: v.estimate, se: v.se, boundary: v.boundary })),
    fixed: r.fixed,
    random: r.random.map((u) => ({ variable: u.variable, blup: u.blup, pev: u.pev, reliability: u.reliability })),
    logLik: r.logLik,
    method: r.method,
    iterations: r.iterations,
    converged: r.converged,
    history: r.history,
  };
  if (flags.json) {
    process.stdout.write(toJson(out));
    return;
  }
  const lines = [`${r.method}: logLik ${r.logLik.toFixed(6)} (lme4 scale), ${r.iterations} iterations, ${r.converged ? 'converged' : 'NOT converged'} (last change ${r.history[r.history.length - 1]?.change.toExponential(2)})`, ''];
  lines.push(alignRows([['variance', 'estimate', 'se'], ...r.varianceComponents.map((v) => [v.term, fmt(v.estimate, 6) + (v.boundary ? ' (boundary)' : ''), fmt(v.se, 4)])]));
  lines.push('', alignRows([['fixed', 'estimate', 'se'], ...r.fixed.map((f) => [f.variable, fmt(f.estimate, 6), fmt(f.se, 4)])]));
  const shown = r.random.slice(0, 20);
  lines.push('', alignRows([['random', 'blup', 'pev', 'reliability'], ...shown.map((u) => [u.variable, fmt(u.blup, 5), fmt(u.pev, 4), fmt(u.reliability, 3)])]));
  if (r.random.length > shown.length) lines.push(`… ${r.random.length - shown.length} more (--json for all)`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function runCompare(config: string, flags: FitFlags): Promise<void> {
  const { spec, baseDir } = readConfig(config);
  const dir = resolve(flags.out!);
  const progress = flags.quiet ? undefined : new Progress();
  const { comparison } = await compare(spec, { baseDir, outDir: dir, chains: flags.chains, iterations: flags.iter, burnin: flags.burnin, thin: flags.thin, seed: flags.seed, workers: flags.workers, onProgress: progress?.update });
  progress?.stop();
  writeFileAtomic(join(dir, 'compare.json'), toJson(comparison));
  const c = comparison;
  const lines = [`${c.reml.method}: logLik ${c.reml.logLik.toFixed(6)}, ${c.reml.iterations} iterations${c.reml.converged ? '' : ' (NOT converged)'}`, ''];
  lines.push(alignRows([['variance', 'REML', 'se', 'post.mean', 'median', 'mode', '2.5%', '97.5%'], ...c.varianceComponents.map((v) => [v.term, fmt(v.reml.estimate, 5), fmt(v.reml.se, 3), fmt(v.posterior.mean, 5), fmt(v.posterior.median, 5), fmt(v.posterior.mode, 5), fmt(v.posterior.lower, 4), fmt(v.posterior.upper, 4)])]));
  lines.push(`  → ${c.interpretation.varianceComponents}`, '');
  lines.push(alignRows([['fixed', 'BLUE', 'se', 'post.mean', 'post.sd'], ...c.fixed.map((f) => [f.variable, fmt(f.blue, 6), fmt(f.se, 4), fmt(f.posteriorMean, 6), fmt(f.posteriorSd, 4)])]));
  lines.push(`  → ${c.interpretation.fixed}`, '');
  if (c.random.length > 0) {
    lines.push(alignRows([['random', 'n', 'cor', 'slope', 'max|diff|', 'rank cor top 10%'], ...c.random.map((r) => [r.term, String(r.n), r.correlation.toFixed(4), r.slope.toFixed(4), fmt(r.maxAbsDiff, 4), r.topRankCorrelation.toFixed(3)])]));
    lines.push(`  → ${c.interpretation.random}`);
  }
  process.stdout.write(lines.join('\n') + `\n\nwrote ${join(dir, 'compare.json')}\n`);
}

function alignRows(rows: string[][]): string {
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ')).join('\n');
}

interface SummaryFlags {
  vars?: string[];
  prob: number;
  digits: number;
  json?: boolean;
  csv?: string | boolean;
}

function parseProb(v: string): number {
  const p = Number(v);
  if (!(p > 0 && p < 1)) throw new InvalidArgumentError('--prob must be between 0 and 1');
  return p;
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
    const lines = [SUMMARY_COLUMNS.join(','), ...s.parameters.map((r) => SUMMARY_COLUMNS.map((k) => (k === 'variable' ? csvField(r.variable) : csvNumber(r[k]))).join(','))];
    const text = lines.join('\n') + '\n';
    if (typeof flags.csv === 'string') {
      writeFileAtomic(resolve(flags.csv), text);
      process.stdout.write(`wrote ${s.parameters.length} rows to ${resolve(flags.csv)}\n`);
    } else {
      process.stdout.write(text);
    }
    return;
  }
  process.stdout.write(`${s.meta.chains} chain(s), ${s.meta.usedDraws} draws each\n\n${summaryTable(s.parameters, flags.digits, flags.prob)}\n`);
  const w = warningsBlock(s.warnings);
  if (w) process.stdout.write(`\n${w}\n`);
}

function runPredict(runDir: string, flags: { geno: string; out?: string }): void {
  const pred = predict(resolve(runDir), resolve(flags.geno));
  if (pred.draws === 0) process.stderr.write('note: the fit kept no draws of the marker effects, so the GEBVs are x\'E[β] and their SD is NA; fit with markers.saveEffects = k (every k-th kept draw) for posterior SDs\n');
  const lines = ['id,mean,sd', ...pred.ids.map((id, i) => `${csvField(id)},${csvNumber(pred.mean[i])},${csvNumber(pred.sd[i])}`)];
  if (flags.out) {
    writeFileAtomic(resolve(flags.out), lines.join('\n') + '\n');
    process.stdout.write(`wrote ${pred.ids.length} predictions (${pred.draws ? `${pred.draws} posterior draws` : 'posterior mean of β'}) to ${resolve(flags.out)}\n`);
  } else {
    process.stdout.write(lines.join('\n') + '\n');
  }
}

let exitCode = 0;

export async function main(argv: string[]): Promise<number> {
  exitCode = 0;
  const program = buildProgram();
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (isUserError(err)) {
      process.stderr.write(`error: ${err.message}\n`);
      if (debug) process.stderr.write(`${err.stack}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${(err as Error).message}\n`);
    process.stderr.write(debug ? `${(err as Error).stack}\n` : 'run again with --debug for the stack trace\n');
    return 1;
  }
}
