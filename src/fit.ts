/**
 * fit(): validate a run object, build the design and the sampler, run the chains, and summarise.
 */
import { resolveSpec, type ResolvedMcmc, type ResolvedSpec } from './model/spec.js';
import { buildDesign, type Design } from './model/design.js';
import { resolvePriors } from './model/defaults.js';
import { buildSampler } from './mcmc/sampler.js';
import { keptDraws, runChain, type ProgressEvent, type Sampler, type SavedDraws } from './mcmc/runChain.js';
import type { ChainState } from './mcmc/state.js';
import { chainRng } from './rng/rng.js';
import { MemorySink } from './output/sink.js';
import { RunningMoments } from './output/moments.js';
import { momentRow, type DrawSet } from './diagnostics/summary.js';
import { summarize } from './summarize.js';
import type { McmcConfig, PriorReport, RunSpec, RunWarning, SummaryRow, VariancePrior } from './types.js';
import { readGenotypes } from './io/genotypes.js';
import { buildMarkerDesign } from './model/markers.js';
import { DEFAULT_R2 } from './model/defaults.js';
import { markerPrior } from './blocks/registry.js';
import type { MarkerContext, MarkerHyper, MarkerPriorModule } from './blocks/markers/kernel.js';

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
  /** Saved draws of the marker effects (see markers.saveEffects). */
  effects?: SavedDraws;
}

/** At most this many marker-effect values are kept per chain by default (80 MB as Float32). */
export const AUTO_EFFECT_VALUES = 2e7;

/**
 * Which marker-effect draws to keep: every markers.saveEffects-th kept draw, or by default as many
 * kept draws as fit in AUTO_EFFECT_VALUES values per chain (every kept draw for p·draws ≤ 2e7).
 */
export function effectSaving(model: PreparedModel): { name: string; every: number } | undefined {
  const md = model.design.markers;
  if (!md || !model.markers) return undefined;
  const given = model.markers.ctx.spec.saveEffects;
  const every = given ?? Math.max(1, Math.ceil((md.p * keptDraws(model.resolved.mcmc)) / AUTO_EFFECT_VALUES));
  return every > 0 ? { name: 'snp', every } : undefined;
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
  /** The marker prior's resolved hyper-parameters and the rules behind them. */
  markerHyper?: MarkerHyper;
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
  markers?: { module: MarkerPriorModule; ctx: MarkerContext; hyper: MarkerHyper };
}

/** Resolve the spec and build the design and priors (the part of fit() that can fail on user input). */
export function prepare(spec: RunSpec, options: FitOptions = {}): PreparedModel {
  const { baseDir, onProgress: _p, signal: _s, prob: _b, afterSweep: _a, ...overrides } = options;
  const resolved = resolveSpec(spec, baseDir, overrides);
  const ms = resolved.markers;
  const geno = ms ? readGenotypes(ms.file) : undefined;
  let design = buildDesign(resolved.table, resolved.formula, {
    factors: resolved.spec.factors,
    id: resolved.spec.id,
    requireIds: geno && ms ? { ids: new Set(geno.ids), dropOthers: ms.dropUngenotyped ?? false, what: 'genotype', file: ms.file } : undefined,
  });
  const nTerms = design.random.length + (ms ? 1 : 0);
  const priors = resolvePriors(design.varY, design.random.map((r) => ({ term: r.term, msx: r.msx })), resolved.priors, nTerms);
  let markers: PreparedModel['markers'];
  if (ms && geno) {
    const md = buildMarkerDesign(geno, design.ids, { center: ms.center });
    const warnings = [...design.warnings];
    if (md.imputed > 0) warnings.push({ subject: 'markers', severity: 1, message: `${md.imputed} missing genotype(s) imputed with the column mean` });
    if (md.monomorphic > 0) warnings.push({ subject: 'markers', severity: 1, message: `${md.monomorphic} monomorphic marker(s) dropped` });
    design = { ...design, markers: md, warnings };
    const module = markerPrior(ms.prior);
    const ctx: MarkerContext = {
      design,
      md,
      spec: ms,
      varY: design.varY,
      r2: DEFAULT_R2 / Math.max(1, nTerms),
      userPrior: resolved.priors.markers,
      fixedVariance: resolved.fixedVariances.markers,
    };
    const hyper = module.hyper(ctx);
    priors.splice(priors.length - 1, 0, hyper.report);
    markers = { module, ctx, hyper };
  }
  const priorMap = Object.fromEntries(priors.map((p) => [p.term, { df: p.df, scale: p.scale }]));
  return { resolved, design, priors, priorMap, markers };
}

export function makeSampler(model: PreparedModel): Sampler {
  return buildSampler(model.design, {
    priors: model.priorMap,
    fixedVariances: model.resolved.fixedVariances,
    traceLevels: model.resolved.mcmc.traceLevels,
    markers: model.markers,
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
    const state = sampler.createState();
    const sink = new MemorySink();
    const after = options.afterSweep;
    const outcome = runChain(sampler, state, rng, mcmc, sink, {
      chain: c,
      onProgress: options.onProgress,
      signal: options.signal,
      afterSweep: after ? (s, it) => after(s, it, c) : undefined,
      saveTracker: effectSaving(model),
    });
    chains.push({ chain: c, seed: mcmc.seed, iterations: sink.iterations, draws: sink.draws(), completed: outcome.iteration, interrupted: outcome.interrupted, effects: outcome.saved });
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
  const heldFixed = Object.keys(resolved.fixedVariances).map((t) => `var[${t}]`);
  const s = summarize(drawSet, { prob, heldFixed });
  const summary = s.parameters;
  // Random-effect levels that are not traced are summarised from their running moments.
  const traced = new Set(sampler.params);
  for (const e of effects) {
    if (!e.name.startsWith('u[')) continue;
    e.labels.forEach((label, j) => {
      if (!traced.has(label)) summary.push(momentRow(label, e.mean[j], e.sd[j]));
    });
  }
  const warnings = [...design.warnings, ...s.warnings];
  return { spec: resolved.spec, markerHyper: model.markers?.hyper, mcmc: resolved.mcmc, priors, fixedVariances: resolved.fixedVariances, design, params: sampler.params, chains, effects, summary, warnings };
}

/** Chains cut to the shortest one's draws (an interrupted run may leave them uneven). */
function trimToCommonLength(chains: ChainDraws[]): ChainDraws[] {
  const withDraws = chains.filter((c) => c.iterations.length > 0);
  if (withDraws.length === 0) return [];
  const n = Math.min(...withDraws.map((c) => c.iterations.length));
  return withDraws.map((c) => ({ ...c, iterations: c.iterations.slice(0, n), draws: c.draws.map((d) => d.subarray(0, n)) }));
}
