/**
 * Summaries of a draw set, as `fit` and `summarize` both make them: chains cut to a common length,
 * derived quantities appended, variables filtered, one row per parameter (in worker threads for large
 * sets), and the convergence warnings.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { MixmcError } from '../errors.js';
import { withDerived } from '../diagnostics/derived.js';
import { convergenceWarnings, summarizeDrawSet } from '../diagnostics/summary.js';
import { derivedSpec, varianceName, varianceTerm } from '../model/names.js';
import { workerFile } from '../parallel/pool.js';
import { type PriorSource, priorShares } from './priorShares.js';
import type { DrawSet, MarkerSetReport, MatrixPriorReport, PriorReport, RunWarning, Summary, SummaryRow } from '../types.js';

export interface SummarizeOptions {
  /** Mass of the central and HPD intervals (default 0.95). */
  prob?: number;
  /** Keep variables matching any of these globs ('*' any run of characters, '?' one), e.g. 'var[*]'. */
  vars?: readonly string[];
  /** Random terms that are additive genetic (h2 is derived for one such term). */
  geneticTerms?: readonly string[];
  /** Parameters held fixed by the spec (no constant-draws warning). */
  heldFixed?: readonly string[];
  /** The variances' prior shares (posterior means, by variable) and the priors behind them: recorded in the rows and warned about (priorShares.ts). */
  priorShares?: { shares: ReadonlyMap<string, number>; priors: PriorSource };
  /** Worker threads for the per-parameter statistics (default: every core for large draw sets). */
  threads?: number;
}

/** What a fit (its RunInfo) or a run directory (its run.json) records that its summary uses. */
export interface RecordedRun {
  fixedVariances?: Record<string, number | number[][]>;
  geneticTerms?: readonly string[];
  heldFixed?: readonly string[];
  priors?: readonly PriorReport[];
  markerSets?: readonly MarkerSetReport[];
  covariancePriors?: readonly MatrixPriorReport[];
}

/**
 * `opts` with what a fit or run directory records: its genetic terms, the parameters it held fixed
 * (from a run.json written before they were recorded: its scalar fixed variances), and the prior
 * shares of `saved` (the summary made when it finished or stopped) with the priors behind them. The
 * shares are running means over the kept draws, which the draws files do not hold, so they are used
 * only when `saved` was made from the same number of draws per chain as `draws`.
 */
export function recordedOptions(run: RecordedRun | undefined, saved: Summary | undefined, draws: DrawSet, opts: SummarizeOptions): SummarizeOptions {
  if (!run) return opts;
  const fixed = run.heldFixed ?? Object.keys(run.fixedVariances ?? {}).map(varianceName);
  const out: SummarizeOptions = { ...opts, geneticTerms: opts.geneticTerms ?? run.geneticTerms, heldFixed: [...(opts.heldFixed ?? []), ...fixed] };
  if (!run.priors || !run.markerSets || !saved || opts.priorShares) return out;
  const lengths = draws.chains.map((c) => c[0]?.length ?? 0);
  const made = saved.meta.drawsPerChain;
  const same = made.length === lengths.length && made.every((l, k) => l === lengths[k]);
  const shares = new Map(saved.parameters.filter((p) => typeof p.priorShare === 'number').map((p) => [p.variable, p.priorShare!]));
  if (!same || shares.size === 0) return out;
  return { ...out, priorShares: { shares, priors: { priors: run.priors, markerSets: run.markerSets, covariancePriors: run.covariancePriors } } };
}

/** A glob ('*', '?') as a RegExp over the whole name. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** Without an explicit `threads`, draw sets of at least this many values use every core (smaller ones are not worth starting threads for). */
export const PARALLEL_SUMMARY_VALUES = 2_000_000;

/** The draw set to summarise (trimmed, with derived quantities, filtered) and how to finish the summary. */
function summaryJob(input: DrawSet, opts: SummarizeOptions, ragged: 'trim' | 'error'): { draws: DrawSet; finish: (rows: SummaryRow[]) => Summary } {
  let draws = input;
  const warnings: RunWarning[] = [];
  const lengths = draws.chains.map((c) => c[0]?.length ?? 0);
  const used = lengths.length ? Math.min(...lengths) : 0;
  if (lengths.some((l) => l !== used)) {
    if (ragged === 'error')
      throw new MixmcError(`chains have unequal lengths (${lengths.join(', ')}); trim them to the same number of draws`, { term: 'draws' });
    warnings.push({
      subject: 'draws',
      severity: 1,
      message: `chains have ${lengths.join(', ')} draws (a run in progress?); the first ${used} of each are summarised`,
    });
    draws = { names: draws.names, chains: draws.chains.map((c) => c.map((x) => x.subarray(0, used))) };
  }
  draws = withDerived(draws, derivedSpec(draws.names, opts.geneticTerms));
  if (opts.vars && opts.vars.length > 0) {
    const res = opts.vars.map(globToRegExp);
    // a glob without '(' also matches a multivariate name by its part before '(…)': 'var[*]' finds var[sire](y1)
    const bare = (n: string): string => n.replace(/\(.*\)$/, '');
    const keep = draws.names.map((n, j) => (res.some((r) => r.test(n) || r.test(bare(n))) ? j : -1)).filter((j) => j >= 0);
    if (keep.length === 0)
      throw new MixmcError(
        `no variable matches ${opts.vars.map((v) => `'${v}'`).join(', ')}; the draws have ${draws.names.slice(0, 8).join(', ')}${draws.names.length > 8 ? ', …' : ''}`,
        { term: '--vars' },
      );
    const all = draws;
    draws = { names: keep.map((j) => all.names[j]), chains: all.chains.map((c) => keep.map((j) => c[j])) };
  }
  const fixedVars = new Set(opts.heldFixed ?? []);
  const variances = new Set(draws.names.filter((n) => varianceTerm(n) !== undefined));
  const finalDraws = draws;
  return {
    draws: finalDraws,
    finish: (rows) => {
      if (opts.priorShares) warnings.push(...priorShares(rows, opts.priorShares.shares, opts.priorShares.priors));
      warnings.push(...convergenceWarnings(rows, finalDraws, fixedVars, variances));
      return {
        parameters: rows,
        warnings: warnings.sort((a, b) => b.severity - a.severity),
        meta: { chains: finalDraws.chains.length, drawsPerChain: lengths, usedDraws: used },
      };
    },
  };
}

/**
 * Summarise a draw set in this thread. `ragged`: chains of unequal length are cut to the shortest
 * with a warning (draws read from a run still being written), or are an error (arrays given directly).
 */
export function summarizeDraws(draws: DrawSet, opts: SummarizeOptions = {}, ragged: 'trim' | 'error' = 'trim'): Summary {
  const job = summaryJob(draws, opts, ragged);
  return job.finish(summarizeDrawSet(job.draws, { prob: opts.prob }));
}

/** {@link summarizeDraws} with the per-parameter statistics in worker threads (one slice of the parameters each): the same result, for large sets. */
export async function summarizeDrawsParallel(draws: DrawSet, opts: SummarizeOptions = {}, ragged: 'trim' | 'error' = 'trim'): Promise<Summary> {
  const job = summaryJob(draws, opts, ragged);
  const values = job.draws.chains.reduce((a, c) => a + c.length * (c[0]?.length ?? 0), 0);
  const auto = values >= PARALLEL_SUMMARY_VALUES ? availableParallelism() : 1;
  const threads = Math.max(1, Math.min(opts.threads ?? auto, job.draws.names.length));
  if (threads === 1) return job.finish(summarizeDrawSet(job.draws, { prob: opts.prob }));
  const pool = new Piscina({ filename: workerFile('summary.worker.js'), minThreads: threads, maxThreads: threads });
  try {
    // a few slices per thread, so that a slow slice does not leave a core idle
    const n = job.draws.names.length;
    const size = Math.ceil(n / Math.min(n, 4 * threads));
    const parts = await Promise.all(
      Array.from({ length: Math.ceil(n / size) }, (_, t) => {
        const from = t * size;
        const to = Math.min(n, from + size);
        const slice: DrawSet = { names: job.draws.names.slice(from, to), chains: job.draws.chains.map((c) => c.slice(from, to)) };
        return pool.run({ draws: slice, prob: opts.prob }) as Promise<SummaryRow[]>;
      }),
    );
    return job.finish(parts.flat());
  } finally {
    await pool.destroy();
  }
}
