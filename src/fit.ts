/**
 * fit(): validate a run object, build the design and the sampler, run the chains, and summarise.
 */
import { resolveSpec, type ResolvedMcmc, type ResolvedSpec } from './model/spec.js';
import { buildDesign, type Design } from './model/design.js';
import { resolvePriors } from './model/defaults.js';
import { buildSampler } from './mcmc/sampler.js';
import { runChain, type ProgressEvent, type Sampler } from './mcmc/runChain.js';
import { createState, type ChainState } from './mcmc/state.js';
import { chainRng } from './rng/rng.js';
import { MemorySink } from './output/sink.js';
import { RunningMoments } from './output/moments.js';
import { convergenceWarnings, momentRow, summarizeDrawSet, type DrawSet } from './diagnostics/summary.js';
import type { McmcConfig, PriorReport, RunSpec, RunWarning, SummaryRow, VariancePrior } from './types.js';

export interface FitOptions extends McmcConfig {
  /** Folder that relative paths in the spec are resolved against (default: the working directory). */
  baseDir?: string;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Mass of the summary intervals (default 0.95). */
  prob?: number;
  /** Test hook: called after every sweep of every chain. */
  afterSweep?: (state: ChainState, iteration: number, chain: number) => void;
}

/** The draws of one chain. */
export interface ChainDraws {
  /** 0-based chain index; its stream is chainRng(seed, chain). */
  chain: number;
  seed: number;
  /** The iteration number (1-based, burn-in included) of every kept draw. */
  iterations: number[];
  /** draws[j] holds the kept draws of params[j]. */
  draws: Float64Array[];
  /** Iterations completed. */
  completed: number;
  interrupted: boolean;
}

/** Posterior mean and SD of a high-dimensional quantity, pooled over chains. */
export interface EffectSummary {
  name: string;
  labels: readonly string[];
  mean: Float64Array;
  sd: Float64Array;
}

export interface FitResult {
  spec: RunSpec;
  mcmc: ResolvedMcmc;
  priors: PriorReport[];
  fixedVariances: Record<string, number>;
  design: Design;
  params: readonly string[];
  chains: ChainDraws[];
  effects: EffectSummary[];
  summary: SummaryRow[];
  warnings: RunWarning[];
}

/** Everything needed to run chains of a spec: its resolution, the design and the priors. */
export interface PreparedModel {
  resolved: ResolvedSpec;
  design: Design;
  priors: PriorReport[];
  priorMap: Record<string, VariancePrior>;
}

/** Resolve the spec and build the design and priors (the part of fit() that can fail on user input). */
export function prepare(spec: RunSpec, options: FitOptions = {}): PreparedModel {
  const { baseDir, onProgress: _p, signal: _s, prob: _b, afterSweep: _a, ...overrides } = options;
  const resolved = resolveSpec(spec, baseDir, overrides);
  const design = buildDesign(resolved.table, resolved.formula, { factors: resolved.spec.factors, id: resolved.spec.id });
  const priors = resolvePriors(design.varY, design.random.map((r) => ({ term: r.term, msx: r.msx })), resolved.priors);
  const priorMap = Object.fromEntries(priors.map((p) => [p.term, { df: p.df, scale: p.scale }]));
  return { resolved, design, priors, priorMap };
}

export function makeSampler(model: PreparedModel): Sampler {
  return buildSampler(model.design, {
    priors: model.priorMap,
    fixedVariances: model.resolved.fixedVariances,
    traceLevels: model.resolved.mcmc.traceLevels,
  });
}

/**
 * Fit a model by Gibbs sampling.
 * @example
 * const res = await fit({ data: 'pheno.csv', formula: 'y ~ 1 + env + (1|sire)', mcmc: { chains: 2, iterations: 2000, burnin: 500 } });
 * // res.summary: one row per parameter; res.chains[k].draws: the kept draws of chain k
 */
export async function fit(spec: RunSpec, options: FitOptions = {}): Promise<FitResult> {
  const model = prepare(spec, options);
  const { mcmc } = model.resolved;
  const sampler = makeSampler(model);
  const chains: ChainDraws[] = [];
  const moments: RunningMoments[][] = [];
  for (let c = 0; c < mcmc.chains; c++) {
    const rng = chainRng(mcmc.seed, c);
    const state = createState(model.design);
    const sink = new MemorySink();
    const after = options.afterSweep;
    const outcome = runChain(sampler, state, rng, mcmc, sink, {
      chain: c,
      onProgress: options.onProgress,
      signal: options.signal,
      afterSweep: after ? (s, it) => after(s, it, c) : undefined,
    });
    chains.push({ chain: c, seed: mcmc.seed, iterations: sink.iterations, draws: sink.draws(), completed: outcome.iteration, interrupted: outcome.interrupted });
    moments.push(outcome.moments);
    if (outcome.interrupted) break;
  }
  return finish(model, sampler, chains, moments, options.prob);
}

/** Summaries and warnings from the chains' draws and moments. */
export function finish(model: PreparedModel, sampler: Sampler, chains: ChainDraws[], moments: RunningMoments[][], prob?: number): FitResult {
  const { resolved, design, priors } = model;
  const effects: EffectSummary[] = sampler.trackers.map((t, i) => {
    const pooledMoments = RunningMoments.pool(moments.map((m) => m[i]));
    const sd = new Float64Array(t.labels.length);
    for (let j = 0; j < sd.length; j++) sd[j] = pooledMoments.sd(j);
    return { name: t.name, labels: t.labels, mean: pooledMoments.mean, sd };
  });
  const used = trimToCommonLength(chains);
  const drawSet: DrawSet = { names: sampler.params, chains: used.map((c) => c.draws) };
  const summary = summarizeDrawSet(drawSet, { prob });
  // Random-effect levels that are not traced are summarised from their running moments.
  const traced = new Set(sampler.params);
  for (const e of effects) {
    if (!e.name.startsWith('u[')) continue;
    e.labels.forEach((label, j) => {
      if (!traced.has(label)) summary.push(momentRow(label, e.mean[j], e.sd[j]));
    });
  }
  const heldFixed = new Set(Object.keys(resolved.fixedVariances).map((t) => `var[${t}]`));
  const warnings = [...design.warnings, ...convergenceWarnings(summary.slice(0, sampler.params.length), drawSet, heldFixed)];
  return { spec: resolved.spec, mcmc: resolved.mcmc, priors, fixedVariances: resolved.fixedVariances, design, params: sampler.params, chains, effects, summary, warnings };
}

/** Chains cut to the shortest one's draws (an interrupted run may leave them uneven). */
function trimToCommonLength(chains: ChainDraws[]): ChainDraws[] {
  const withDraws = chains.filter((c) => c.iterations.length > 0);
  if (withDraws.length === 0) return [];
  const n = Math.min(...withDraws.map((c) => c.iterations.length));
  return withDraws.map((c) => ({ ...c, iterations: c.iterations.slice(0, n), draws: c.draws.map((d) => d.subarray(0, n)) }));
}
