/** What the commands share: number parsing, the config reader, the chain flags, aligned text tables. */
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MCMC, readJsonFile, type RunSpec } from '../index.js';

/** A whole-number option ≥ 0. */
export function int(name: string): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number >= 0`);
    return n;
  };
}

/** A probability option in (0, 1). */
export function parseProb(v: string): number {
  const p = Number(v);
  if (!(p > 0 && p < 1)) throw new InvalidArgumentError('--prob must be between 0 and 1');
  return p;
}

/** Read a JSON config; relative paths in it are relative to its folder. */
export function readConfig(file: string): { spec: RunSpec; baseDir: string; specFile: string } {
  return { spec: readJsonFile(file, 'config') as RunSpec, baseDir: dirname(resolve(file)), specFile: file };
}

/** The flags of fit and compare. */
export interface ChainFlags {
  out?: string;
  chains?: number;
  iter?: number;
  burnin?: number;
  thin?: number;
  seed?: number;
  workers?: number;
  quiet?: boolean;
  force?: boolean;
}

/** The chain settings of the flags, as the API's options name them. */
export function chainSettings(flags: ChainFlags): { chains?: number; iterations?: number; burnin?: number; thin?: number; seed?: number; workers?: number } {
  return { chains: flags.chains, iterations: flags.iter, burnin: flags.burnin, thin: flags.thin, seed: flags.seed, workers: flags.workers };
}

/** The flags that override a spec's mcmc block (fit and compare). */
export function chainOptions(cmd: Command): Command {
  return cmd
    .option('--chains <n>', `number of chains (default: the spec's mcmc.chains, else ${DEFAULT_MCMC.chains})`, int('--chains'))
    .option('--iter <n>', `iterations per chain, burn-in included (default: mcmc.iterations, else ${DEFAULT_MCMC.iterations})`, int('--iter'))
    .option('--burnin <n>', `burn-in iterations (default: mcmc.burnin, else ${DEFAULT_MCMC.burnin})`, int('--burnin'))
    .option('--thin <n>', `keep every n-th draw (default: mcmc.thin, else ${DEFAULT_MCMC.thin})`, int('--thin'))
    .option('--seed <n>', `run seed (default: mcmc.seed, else ${DEFAULT_MCMC.seed})`, int('--seed'))
    .option('--workers <n>', 'worker threads, 0 = in-process (default: one per chain, at most one per core)', int('--workers'))
    .option('--quiet', 'no progress output');
}

/** Rows of cells as an aligned text table: the first column left-aligned, the others right-aligned. */
export function alignRows(rows: string[][]): string {
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ')).join('\n');
}
