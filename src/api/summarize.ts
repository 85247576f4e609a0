/**
 * summarize(): posterior summaries and warnings for draws from anywhere — a fit, a run directory
 * (also one still running or interrupted: what has been flushed), CSV files, or plain arrays.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import { readDraws } from '../io/draws.js';
import { type RecordedRun, recordedOptions, summarizeDraws, summarizeDrawsParallel, type SummarizeOptions } from '../run/summaries.js';
import type { DrawSet, FitResult, Summary } from '../types.js';

/** Draws of one parameter as chains × draws, or several parameters by name. */
export type ArrayDraws = readonly (readonly number[] | Float64Array)[] | Readonly<Record<string, readonly (readonly number[] | Float64Array)[]>>;

/** What summarize() reads: a fit, a draw set, arrays, a run directory or draws CSV, or several CSVs (one per chain). */
export type DrawsInput = FitResult | DrawSet | ArrayDraws | string | readonly string[];

export type { SummarizeOptions };

function isFit(x: unknown): x is FitResult {
  return typeof x === 'object' && x !== null && 'chains' in x && 'params' in x && 'run' in x;
}

function isDrawSet(x: unknown): x is DrawSet {
  return typeof x === 'object' && x !== null && 'names' in x && 'chains' in x && !('run' in x);
}

function fromFiles(input: DrawsInput): boolean {
  return typeof input === 'string' || (Array.isArray(input) && typeof input[0] === 'string');
}

/** Turn any accepted input into a draw set. */
function toDrawSet(input: DrawsInput): DrawSet {
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
  for (const n of names)
    if (rec[n].length !== nChains) throw new MixmcError(`'${n}' has ${rec[n].length} chains but '${names[0]}' has ${nChains}`, { term: n });
  return { names, chains: Array.from({ length: nChains }, (_, c) => names.map((n) => Float64Array.from(rec[n][c]))) };
}

/** The options from what a fit or a run directory records (run.json, summary.json): see recordedOptions. */
function withRunInfo(input: DrawsInput, opts: SummarizeOptions, draws: DrawSet): SummarizeOptions {
  if (isFit(input)) return recordedOptions(input.run, input.summary, draws, opts);
  if (typeof input !== 'string') return opts;
  return recordedOptions(readJson<RecordedRun>(join(input, 'run.json')), readJson<Summary>(join(input, 'summary.json')), draws, opts);
}

function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
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
  const draws = toDrawSet(input);
  return summarizeDraws(draws, withRunInfo(input, opts, draws), fromFiles(input) ? 'trim' : 'error');
}

/**
 * summarize() with the per-parameter statistics computed in worker threads (one slice of the
 * parameters each); the same result, for large draw sets.
 */
export async function summarizeParallel(input: DrawsInput, opts: SummarizeOptions = {}): Promise<Summary> {
  const draws = toDrawSet(input);
  return summarizeDrawsParallel(draws, withRunInfo(input, opts, draws), fromFiles(input) ? 'trim' : 'error');
}
