/**
 * summarize(): posterior summaries and warnings for draws from anywhere — a fit, a run directory
 * (also one still running or interrupted: what has been flushed), CSV files, or plain arrays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { workerFile } from './parallel/pool.js';
import { join } from 'node:path';
import { MixmcError } from './errors.js';
import { readDraws } from './io/draws.js';
import { withDerived } from './diagnostics/derived.js';
import { convergenceWarnings, summarizeDrawSet, type DrawSet } from './diagnostics/summary.js';
import type { FitResult } from './fit.js';
import type { RunWarning, SummaryRow } from './types.js';

/** Draws of one parameter as chains × draws, or several parameters by name. */
export type ArrayDraws = readonly (readonly number[] | Float64Array)[] | Readonly<Record<string, readonly (readonly number[] | Float64Array)[]>>;

export type DrawsInput = FitResult | DrawSet | ArrayDraws | string | readonly string[];

export interface SummarizeOptions {
  /** Mass of the central and HPD intervals (default 0.95). */
  prob?: number;
  /** Keep variables matching any of these globs ('*' any run of characters, '?' one), e.g. 'var[*]'. */
  vars?: readonly string[];
  /** Random terms that are additive genetic (h2 is derived for one such term). */
  geneticTerms?: readonly string[];
  /** Parameters held fixed by the spec (no constant-draws warning); read from run.json for run directories. */
  heldFixed?: readonly string[];
}

export interface Summary {
  parameters: SummaryRow[];
  warnings: RunWarning[];
  meta: { chains: number; drawsPerChain: number[]; usedDraws: number };
}

function isFit(x: unknown): x is FitResult {
  return typeof x === 'object' && x !== null && 'chains' in x && 'params' in x && 'design' in x;
}

function isDrawSet(x: unknown): x is DrawSet {
  return typeof x === 'object' && x !== null && 'names' in x && 'chains' in x && !('design' in x);
}

/** Turn any accepted input into a draw set. */
export function toDrawSet(input: DrawsInput): DrawSet {
  if (typeof input === 'string') return readDraws([input]);
  if (isFit(input)) return { names: input.params, chains: input.chains.map((c) => c.draws) };
  if (isDrawSet(input)) return input;
  if (Array.isArray(input)) {
    if (input.length > 0 && typeof input[0] === 'string') return readDraws(input as readonly string[]);
    return { names: ['x'], chains: (input as readonly (readonly number[] | Float64Array)[]).map((c) => [Float64Array.from(c)]) };
  }
  const rec = input as Readonly<Record<string, readonly (readonly number[] | Float64Array)[]>>;
  const names = Object.keys(rec);
  const nChains = names.length ? rec[names[0]].length : 0;
  for (const n of names) if (rec[n].length !== nChains) throw new MixmcError(`'${n}' has ${rec[n].length} chains but '${names[0]}' has ${nChains}`, { term: n });
  return { names, chains: Array.from({ length: nChains }, (_, c) => names.map((n) => Float64Array.from(rec[n][c]))) };
}

/** A glob ('*', '?') as a RegExp over the whole name. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

/**
 * Summarise draws: one row per parameter (and derived quantity), plus convergence warnings.
 * Chains of unequal length are an error for arrays given directly; draws read from files (a run
 * still being written) are cut to the shortest chain, with a warning.
 * @example
 * const s = summarize({ mu: [[0.1, 0.3, 0.2, 0.4], [0.2, 0.1, 0.3, 0.5]] });
 * // s.parameters[0].variable === 'mu'
 */
export function summarize(input: DrawsInput, opts: SummarizeOptions = {}): Summary {
  const job = summaryJob(input, opts);
  return job.finish(summarizeDrawSet(job.draws, { prob: opts.prob }));
}

/** Without an explicit `threads`, draw sets of at least this many values use every core (smaller ones are not worth starting threads for). */
export const PARALLEL_SUMMARY_VALUES = 2_000_000;

/**
 * summarize() with the per-parameter statistics computed in worker threads (one slice of the
 * parameters each); the same result, for large draw sets.
 */
export async function summarizeParallel(input: DrawsInput, opts: SummarizeOptions & { threads?: number } = {}): Promise<Summary> {
  const job = summaryJob(input, opts);
  const values = job.draws.chains.reduce((a, c) => a + c.length * (c[0]?.length ?? 0), 0);
  const auto = values >= PARALLEL_SUMMARY_VALUES ? availableParallelism() : 1;
  const threads = Math.max(1, Math.min(opts.threads ?? auto, job.draws.names.length));
  if (threads === 1) return job.finish(summarizeDrawSet(job.draws, { prob: opts.prob }));
  const pool = new Piscina({ filename: workerFile('summary.worker.js'), minThreads: threads, maxThreads: threads });
  try {
    // a few slices per thread, so that a slow slice does not leave a core idle
    const slices = Math.min(job.draws.names.length, 4 * threads);
    const size = Math.ceil(job.draws.names.length / slices);
    const parts = await Promise.all(
      Array.from({ length: Math.ceil(job.draws.names.length / size) }, (_, t) => {
        const from = t * size;
        const to = Math.min(job.draws.names.length, from + size);
        const slice: DrawSet = { names: job.draws.names.slice(from, to), chains: job.draws.chains.map((c) => c.slice(from, to)) };
        return pool.run({ draws: slice, prob: opts.prob }) as Promise<SummaryRow[]>;
      }),
    );
    return job.finish(parts.flat());
  } finally {
    await pool.destroy();
  }
}

/** The draw set to summarise (trimmed, with derived quantities, filtered) and how to finish the summary. */
function summaryJob(input: DrawsInput, opts: SummarizeOptions): { draws: DrawSet; finish: (rows: SummaryRow[]) => Summary } {
  let draws = toDrawSet(input);
  const fromFiles = typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'string');
  const warnings: RunWarning[] = [];
  const lengths = draws.chains.map((c) => c[0]?.length ?? 0);
  const used = lengths.length ? Math.min(...lengths) : 0;
  if (lengths.some((l) => l !== used)) {
    if (!fromFiles) throw new MixmcError(`chains have unequal lengths (${lengths.join(', ')}); trim them to the same number of draws`, { term: 'draws' });
    warnings.push({ subject: 'draws', severity: 1, message: `chains have ${lengths.join(', ')} draws (a run in progress?); the first ${used} of each are summarised` });
    draws = { names: draws.names, chains: draws.chains.map((c) => c.map((x) => x.subarray(0, used))) };
  }
  const genetic = opts.geneticTerms ?? geneticTermsOf(input);
  draws = withDerived(draws, { geneticTerms: genetic });
  if (opts.vars && opts.vars.length > 0) {
    const res = opts.vars.map(globToRegExp);
    const keep = draws.names.map((n, j) => (res.some((r) => r.test(n)) ? j : -1)).filter((j) => j >= 0);
    draws = { names: keep.map((j) => draws.names[j]), chains: draws.chains.map((c) => keep.map((j) => c[j])) };
  }
  const fixedVars = new Set([...(opts.heldFixed ?? []), ...heldFixed(input)]);
  const finalDraws = draws;
  return {
    draws: finalDraws,
    finish: (rows) => {
      warnings.push(...convergenceWarnings(rows, finalDraws, fixedVars));
      return { parameters: rows, warnings: warnings.sort((a, b) => b.severity - a.severity), meta: { chains: finalDraws.chains.length, drawsPerChain: lengths, usedDraws: used } };
    },
  };
}

/** The genetic terms recorded with a fit or a run directory (run.json), if any. */
function geneticTermsOf(input: DrawsInput): string[] | undefined {
  const run = runJson(input);
  return run?.geneticTerms;
}

function heldFixed(input: DrawsInput): Set<string> {
  const fixed = isFit(input) ? input.fixedVariances : runJson(input)?.fixedVariances;
  return new Set(Object.keys(fixed ?? {}).map((t) => `var[${t}]`));
}

function runJson(input: DrawsInput): { fixedVariances?: Record<string, number>; geneticTerms?: string[] } | undefined {
  if (typeof input !== 'string') return undefined;
  const f = join(input, 'run.json');
  if (!existsSync(f)) return undefined;
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    return undefined;
  }
}
