/**
 * fit(): validate a run object, build the design and the sampler settings once, run the chains (in
 * worker threads or in-process), and summarise. resumeFit() continues or extends a run directory.
 */
import { resolveSpec, type ResolvedMcmc, type ResolvedSpec } from './model/spec.js';
import { buildDesign, type Design } from './model/design.js';
import { DEFAULT_R2, resolvePriors } from './model/defaults.js';
import { buildSampler, type SamplerSettings } from './mcmc/sampler.js';
import { type ProgressEvent, type Sampler } from './mcmc/runChain.js';
import type { ChainState } from './mcmc/state.js';
import { RunningMoments } from './output/moments.js';
import { momentRow, type DrawSet } from './diagnostics/summary.js';
import { summarizeParallel } from './summarize.js';
import type { McmcConfig, PriorReport, RunSpec, RunWarning, SummaryRow } from './types.js';
import { readGenotypes } from './io/genotypes.js';
import { columnIndex, isMissing } from './io/csv.js';
import { resolveCovariance, type Covariance } from './reml/relationship.js';
import { buildMarkerDesign } from './model/markers.js';
import { markerPrior } from './blocks/registry.js';
import type { MarkerHyper } from './blocks/markers/kernel.js';
import { shareDesign } from './parallel/share.js';
import { defaultWorkers, runChains, ChainError, type ChainPool } from './parallel/pool.js';
import type { ChainResult, ChainTask } from './parallel/chainTask.js';
import { executeChain } from './parallel/chainTask.js';
import { chainKey } from './rng/rng.js';
import { VERSION } from './version.js';
import { readRunJson, writeRunJson, writeResults, type RunRecord } from './output/runDir.js';

export interface FitOptions extends McmcConfig {
  /** Folder that relative paths in the spec are resolved against (default: the working directory). */
  baseDir?: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Stops every chain after its current sweep; what was drawn is kept and summarised. */
  signal?: AbortSignal;
  /** Mass of the summary intervals (default 0.95). */
  prob?: number;
  /** Stream the run directory here: draws, checkpoints, run.json, then summary.json and the rest. */
  outDir?: string;
  /** Share a worker pool between fits. */
  pool?: ChainPool;
  /** Test hook: called after every sweep of every chain (in-process runs only). */
  afterSweep?: (state: ChainState, iteration: number, chain: number) => void;
  /** Test hook: make chain `chain` (0-based) throw at `iteration`. */
  fault?: { chain: number; iteration: number };
  /** Flush and checkpoint after this many kept draws or ms (defaults 1,000 and 10,000). */
  flush?: { draws: number; ms: number };
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
  effects?: { every: number; size: number; rows: number; values: Float32Array };
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
  /** Chains that failed (the others' results are kept). */
  failures: { chain: number; seed: number; message: string }[];
  interrupted: boolean;
}

/** Everything needed to run chains of a spec: its resolution, the design, the priors and the sampler settings. */
export interface PreparedModel {
  resolved: ResolvedSpec;
  design: Design;
  priors: PriorReport[];
  settings: SamplerSettings;
  /** Keep every saveEvery-th kept draw of the marker effects (0: none). */
  saveEvery: number;
}

/** Resolve the spec and build the design and priors (the part of fit() that can fail on user input). */
export function prepare(spec: RunSpec, options: FitOptions = {}): PreparedModel {
  const overrides: McmcConfig = { chains: options.chains, iterations: options.iterations, burnin: options.burnin, thin: options.thin, seed: options.seed, workers: options.workers, traceLevels: options.traceLevels };
  const resolved = resolveSpec(spec, options.baseDir, overrides);
  const ms = resolved.markers;
  const geno = ms ? readGenotypes(ms.file) : undefined;
  const covariance = resolveCovariances(resolved);
  let design = buildDesign(resolved.table, resolved.formula, {
    factors: resolved.spec.factors,
    id: resolved.spec.id,
    covariance,
    requireIds: geno && ms ? { ids: new Set(geno.ids), dropOthers: ms.dropUngenotyped ?? false, what: 'genotype', file: ms.file } : undefined,
  });
  const nTerms = design.random.length + (ms ? 1 : 0);
  const priors = resolvePriors(design.varY, design.random.map((r) => ({ term: r.term, msx: r.msx })), resolved.priors, nTerms);
  let markers: SamplerSettings['markers'];
  let saveEvery = 0;
  if (ms && geno) {
    const md = buildMarkerDesign(geno, design.ids, { center: ms.center });
    const warnings = [...design.warnings];
    if (md.imputed > 0) warnings.push({ subject: 'markers', severity: 1, message: `${md.imputed} missing genotype(s) imputed with the column mean` });
    if (md.monomorphic > 0) warnings.push({ subject: 'markers', severity: 1, message: `${md.monomorphic} monomorphic marker(s) dropped` });
    design = { ...design, markers: md, warnings };
    const plan = { spec: ms, r2: DEFAULT_R2 / Math.max(1, nTerms), userPrior: resolved.priors.markers, fixedVariance: resolved.fixedVariances.markers };
    const hyper = markerPrior(ms.prior).hyper({ design, md, varY: design.varY, ...plan });
    priors.splice(priors.length - 1, 0, hyper.report);
    markers = { ...plan, hyper };
    // β is kept per draw only when asked (markers.saveEffects = k keeps every k-th kept draw)
    saveEvery = ms.saveEffects ?? 0;
  }
  const priorMap = Object.fromEntries(priors.filter((p) => p.term !== 'markers').map((p) => [p.term, { df: p.df, scale: p.scale }]));
  const settings: SamplerSettings = { priors: priorMap, fixedVariances: resolved.fixedVariances, traceLevels: resolved.mcmc.traceLevels, markers };
  return { resolved, design, priors, settings, saveEvery };
}

/** Every random term's covariance structure, from the spec and the record labels of its column. */
function resolveCovariances(resolved: ResolvedSpec): Record<string, Covariance> {
  const out: Record<string, Covariance> = {};
  for (const [term, spec] of Object.entries(resolved.covariance)) {
    const c = columnIndex(resolved.table, term);
    const labels = resolved.table.rows.map((r) => r[c]).filter((v) => !isMissing(v));
    out[term] = resolveCovariance(term, spec, resolved.baseDir, labels);
  }
  return out;
}

export function makeSampler(model: PreparedModel): Sampler {
  return buildSampler(model.design, model.settings);
}

/** The chain tasks of a model: chain k of run seed s uses the stream chainRng(s, k). */
function tasksOf(model: PreparedModel, design: Design, options: FitOptions, resume: boolean): ChainTask[] {
  const { mcmc } = model.resolved;
  return Array.from({ length: mcmc.chains }, (_, c) => ({
    design,
    settings: model.settings,
    chain: c,
    seed: mcmc.seed,
    mcmc: { iterations: mcmc.iterations, burnin: mcmc.burnin, thin: mcmc.thin },
    saveEvery: model.saveEvery,
    outDir: options.outDir,
    resume,
    meta: { mixmc: VERSION, chain: c + 1, seed: mcmc.seed, stream: `xor4096 keyed '${chainKey(mcmc.seed, c)}'`, iterations: mcmc.iterations, burnin: mcmc.burnin, thin: mcmc.thin },
    flush: options.flush,
    faultAt: options.fault && options.fault.chain === c ? options.fault.iteration : undefined,
  }));
}

/**
 * Fit a model by Gibbs sampling.
 * @example
 * const res = await fit({ data: 'pheno.csv', formula: 'y ~ 1 + env + (1|sire)', mcmc: { chains: 2, iterations: 2000, burnin: 500 } });
 * // res.summary: one row per parameter; res.chains[k].draws: the kept draws of chain k
 */
export async function fit(spec: RunSpec, options: FitOptions = {}): Promise<FitResult> {
  const model = prepare(spec, options);
  return run(model, options, false);
}

/**
 * Continue an interrupted run, or extend a finished one by `extend` iterations: every chain restarts
 * from its checkpoint, so the draws equal those of an uninterrupted run of the same length and seed.
 */
export async function resumeFit(dir: string, options: Omit<FitOptions, 'outDir' | 'baseDir'> & { extend?: number } = {}): Promise<FitResult> {
  const record = readRunJson(dir);
  const mcmc = { ...record.mcmc, iterations: record.mcmc.iterations + (options.extend ?? 0), workers: options.workers ?? record.mcmc.workers };
  const model = prepare({ ...record.spec, mcmc }, { baseDir: record.baseDir });
  return run({ ...model, saveEvery: record.saveEvery }, { ...options, outDir: dir, baseDir: record.baseDir }, true);
}

async function run(model: PreparedModel, options: FitOptions, resume: boolean): Promise<FitResult> {
  const { mcmc } = model.resolved;
  const workers = options.pool ? options.pool.threads : options.workers ?? (model.resolved.spec.mcmc?.workers ?? defaultWorkers(mcmc.chains));
  const design = workers > 0 || options.pool ? shareDesign(model.design) : model.design;
  const started = new Date().toISOString();
  const record: RunRecord | undefined = options.outDir ? runRecord(model, options, started, workers) : undefined;
  if (record && options.outDir) writeRunJson(options.outDir, record);
  const tasks = tasksOf(model, design, options, resume);
  let results: (ChainResult | ChainError)[];
  const hook = options.afterSweep;
  if (hook) {
    // the per-sweep test hook runs in this thread
    results = tasks.map((t) => executeChain(t, options.onProgress, (s, it) => hook(s, it, t.chain)));
  } else {
    results = await runChains(tasks, { workers, pool: options.pool, onProgress: options.onProgress, signal: options.signal });
  }
  const ok = results.filter((r): r is ChainResult => !(r instanceof ChainError));
  const failures = results.filter((r): r is ChainError => r instanceof ChainError).map((e) => ({ chain: e.chain, seed: e.seed, message: e.message }));
  const res = await finish(model, ok, failures, options.prob);
  if (record && options.outDir) {
    writeRunJson(options.outDir, {
      ...record,
      ended: new Date().toISOString(),
      status: failures.length > 0 ? 'failed' : res.interrupted ? 'interrupted' : 'finished',
      chains: tasks.map((t) => {
        const r = ok.find((c) => c.chain === t.chain);
        const f = failures.find((x) => x.chain === t.chain);
        return { chain: t.chain + 1, stream: chainKey(t.seed, t.chain), status: f ? 'failed' : r?.interrupted ? 'interrupted' : 'finished', completed: r?.completed ?? 0, draws: r?.iterations.length ?? 0, error: f?.message };
      }),
    });
    writeResults(options.outDir, res);
  }
  return res;
}

function runRecord(model: PreparedModel, options: FitOptions, started: string, workers: number): RunRecord {
  const { mcmc } = model.resolved;
  return {
    version: VERSION,
    spec: model.resolved.spec,
    baseDir: options.baseDir ?? process.cwd(),
    mcmc: { ...mcmc, workers },
    priors: model.priors,
    markerHyper: model.settings.markers?.hyper,
    fixedVariances: model.resolved.fixedVariances,
    saveEvery: model.saveEvery,
    geneticTerms: geneticTerms(model.design),
    seeds: Array.from({ length: mcmc.chains }, (_, c) => ({ chain: c + 1, key: chainKey(mcmc.seed, c) })),
    started,
    status: 'running',
    chains: Array.from({ length: mcmc.chains }, (_, c) => ({ chain: c + 1, stream: chainKey(mcmc.seed, c), status: 'running', completed: 0, draws: 0 })),
  };
}

/** Summaries and warnings from the chains' draws and moments. */
export async function finish(model: PreparedModel, results: ChainResult[], failures: FitResult['failures'], prob?: number): Promise<FitResult> {
  const { resolved, design, priors } = model;
  const sampler = makeSampler(model);
  const chains: ChainDraws[] = results.map((r) => ({ chain: r.chain, seed: r.seed, iterations: r.iterations, draws: r.draws, completed: r.completed, interrupted: r.interrupted, effects: r.effects }));
  const effects: EffectSummary[] = sampler.trackers.map((t, i) => {
    const parts = results.map((r) => RunningMoments.fromJSON({ count: r.moments[i].count, mean: Array.from(r.moments[i].mean), m2: Array.from(r.moments[i].m2) }));
    const pooledMoments = parts.length > 0 ? RunningMoments.pool(parts) : new RunningMoments(t.labels.length);
    const sd = new Float64Array(t.labels.length);
    for (let j = 0; j < sd.length; j++) sd[j] = pooledMoments.sd(j);
    return { name: t.name, labels: t.labels, mean: pooledMoments.mean, sd };
  });
  const used = trimToCommonLength(chains);
  const drawSet: DrawSet = { names: sampler.params, chains: used.map((c) => c.draws) };
  const heldFixed = Object.keys(resolved.fixedVariances).map((t) => `var[${t}]`);
  const s = await summarizeParallel(drawSet, { prob, heldFixed, geneticTerms: geneticTerms(design) });
  const summary = s.parameters;
  // Random-effect levels that are not traced are summarised from their running moments.
  const traced = new Set(sampler.params);
  for (const e of effects) {
    if (!e.name.startsWith('u[')) continue;
    e.labels.forEach((label, j) => {
      if (!traced.has(label)) summary.push(momentRow(label, e.mean[j], e.sd[j]));
    });
  }
  const warnings: RunWarning[] = [...design.warnings, ...s.warnings];
  for (const f of failures) warnings.unshift({ subject: `chain ${f.chain + 1}`, severity: 10, message: f.message });
  const interrupted = chains.some((c) => c.interrupted);
  if (interrupted) warnings.unshift({ subject: 'run', severity: 9, message: `interrupted: the chains stopped after ${chains.map((c) => c.completed).join(', ')} of ${resolved.mcmc.iterations} iterations; resume with mixmc fit --resume` });
  return { spec: resolved.spec, markerHyper: model.settings.markers?.hyper, mcmc: resolved.mcmc, priors, fixedVariances: resolved.fixedVariances, design, params: sampler.params, chains, effects, summary, warnings, failures, interrupted };
}

/** Random terms whose covariance is a pedigree or genomic/relationship matrix (h2 is derived for them). */
export function geneticTerms(design: Design): string[] {
  return design.random.filter((r) => r.cov).map((r) => r.term);
}

/** Chains cut to the shortest one's draws (an interrupted run may leave them uneven). */
function trimToCommonLength(chains: ChainDraws[]): ChainDraws[] {
  const withDraws = chains.filter((c) => c.iterations.length > 0);
  if (withDraws.length === 0) return [];
  const n = Math.min(...withDraws.map((c) => c.iterations.length));
  return withDraws.map((c) => ({ ...c, iterations: c.iterations.slice(0, n), draws: c.draws.map((d) => d.subarray(0, n)) }));
}
