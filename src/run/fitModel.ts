/**
 * Fitting a prepared model: the chain tasks (chain k of seed s draws from chainRng(s, k)), run in
 * worker threads or in-process, then summaries, effects and the run directory. `fit`, `resumeFit` and
 * `compare` (src/api/) all come here.
 */
import { existsSync } from 'node:fs';
import type { PreparedModel } from '../blocks/plan.js';
import { MixmcError } from '../errors.js';
import { trackerLabels } from '../blocks/sampler.js';
import { momentRow } from '../diagnostics/summary.js';
import type { ChainState } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { covarianceName, ofTrait, RESIDUAL, thresholdName, VAR_RESIDUAL, varianceName } from '../model/names.js';
import { recordLogLikelihoods } from '../blocks/likelihood.js';
import { MultiRecordLikelihood } from '../blocks/multi/likelihood.js';
import { predictiveChecks, replicatePlan } from '../blocks/replicates.js';
import { modelCriteria, pointwiseElpd } from '../diagnostics/criteria.js';
import { RunningMoments } from '../mcmc/moments.js';
import { buildSampler } from '../blocks/sampler.js';
import { stateArrays } from '../mcmc/state.js';
import { drawsPath, effectsPath, readCheckpoint } from '../output/checkpoint.js';
import { reconcileDraws } from '../output/csvSink.js';
import { checkEffectRows } from '../output/effectFile.js';
import { claimRunDir } from '../output/ownership.js';
import { readRunJson, writeResults, writeRunJson, type RunRecord } from '../output/runDir.js';
import { checkInputs, checkSpec, fingerprint } from './fingerprint.js';
import type { ChainResult, ChainTask } from '../parallel/chainTask.js';
import { ChainError, defaultWorkers, runChains, type ChainPool } from '../parallel/pool.js';
import { shareDesign } from '../parallel/share.js';
import { chainKey } from '../rng/rng.js';
import type {
  ChainDraws,
  ChainFailure,
  FitEffects,
  FitResult,
  McmcConfig,
  ModelCriteria,
  PointwiseCriteria,
  PredictiveCheck,
  ProgressEvent,
  RunInfo,
  RunSpec,
} from '../types.js';
import { VERSION } from '../version.js';
import { summarizeDrawsParallel } from './summaries.js';
import { fitEffects, heldFixedNames, pooledEffects, pooledShares, reliabilities } from './effects.js';
import { priorShares } from './priorShares.js';

/** Options of `fit`: chain settings that override the spec's `mcmc`, and how the chains run. */
export interface FitOptions extends McmcConfig {
  /** Folder that relative paths in the spec are resolved against (default: the working directory). */
  baseDir?: string;
  /** The config file the spec came from, named in errors about the spec. */
  specFile?: string;
  onProgress?: (e: ProgressEvent) => void;
  /** Stops every chain after its current sweep; what was drawn is kept and summarised. */
  signal?: AbortSignal;
  /** Mass of the summary intervals (default 0.95). */
  prob?: number;
  /** Stream the run directory here: draws, checkpoints, run.json, then summary.json and the rest. */
  outDir?: string;
  /** Share a worker pool between fits. */
  pool?: ChainPool;
  /** Flush and checkpoint after this many kept draws or ms (defaults 1,000 and 10,000). */
  flush?: { draws: number; ms: number };
  /** Replace a run already in outDir (never a folder of other files). */
  force?: boolean;
}

/** Test hooks (not part of the public options). */
export interface RunHooks {
  /** Called after every sweep of every chain (in this thread: the chains then run in-process). */
  afterSweep?: (state: ChainState, iteration: number, chain: number) => void;
  /** Make chain `chain` (0-based) throw at `iteration`. */
  fault?: { chain: number; iteration: number };
}

/**
 * Fit a prepared model (fresh, or resumed from its run directory's checkpoints). With an output
 * directory the run holds its lock for its whole life; a resumed run is checked first (inputs,
 * checkpoints, draws files) and refused rather than continued on anything it did not start from.
 */
export async function fitModel(model: PreparedModel, options: FitOptions = {}, resume = false, hooks: RunHooks = {}): Promise<FitResult> {
  const dir = options.outDir;
  const held = dir ? claimRunDir(dir, resume ? 'resume' : options.force ? 'force' : 'new') : undefined;
  try {
    const previous = dir && resume ? verifyResume(model, dir) : undefined;
    return await runChainsOf(model, options, resume, hooks, previous);
  } finally {
    held?.release();
  }
}

/** Check that a run directory can be resumed with `model`; returns its run.json. */
function verifyResume(model: PreparedModel, dir: string): RunRecord {
  const record = readRunJson(dir);
  checkInputs(record.fingerprint, dir);
  checkSpec(record.fingerprint, model.resolved, dir);
  const { design, settings, layout, resolved } = model;
  const sampler = buildSampler(design, settings);
  const shape = {
    iterations: resolved.mcmc.iterations,
    state: stateArrays(sampler.state).map((a) => a.length),
    trackers: layout.trackerSizes,
    sets: design.markers.length,
  };
  for (let c = 0; c < resolved.mcmc.chains; c++) {
    const ck = readCheckpoint(dir, c, shape);
    if (!ck || ck.iteration === 0) continue;
    reconcileDraws(drawsPath(dir, c), { upTo: ck.iteration, rows: ck.drawRows, names: layout.params });
    design.markers.forEach((md, s) => {
      if ((model.saveEvery[s] ?? 0) > 0) checkEffectRows(effectsPath(dir, c, md.name), md.p, ck.effectRows[s]);
    });
  }
  return record;
}

async function runChainsOf(model: PreparedModel, options: FitOptions, resume: boolean, hooks: RunHooks, previous: RunRecord | undefined): Promise<FitResult> {
  const { mcmc } = model.resolved;
  const hooked = hooks.afterSweep !== undefined;
  const workers = hooked ? 0 : options.pool ? options.pool.threads : (options.workers ?? mcmc.workers ?? defaultWorkers(mcmc.chains));
  const design = workers > 0 || options.pool ? shareDesign(model.design) : model.design;
  const dir = options.outDir;
  const record = dir ? runRecord(model, options, workers, previous) : undefined;
  if (record && dir) writeRunJson(dir, record);
  try {
    const tasks = tasksOf(model, design, options, resume).map((t) => (hooks.fault?.chain === t.chain ? { ...t, faultAt: hooks.fault.iteration } : t));
    const afterSweep = hooks.afterSweep;
    const chainHooks = afterSweep ? (chain: number) => ({ afterSweep: (s: ChainState, it: number) => afterSweep(s, it, chain) }) : undefined;
    const results = await runChains(tasks, { workers, pool: options.pool, onProgress: options.onProgress, signal: options.signal, hooks: chainHooks });
    const ok = results.filter((r): r is ChainResult => !(r instanceof ChainError));
    const failures: ChainFailure[] = results
      .filter((r): r is ChainError => r instanceof ChainError)
      .map((e) => ({ chain: e.chain, seed: e.seed, message: e.message, environment: e.environment }));
    const res = await finish(model, ok, failures, options.prob);
    if (record && dir) {
      writeRunJson(dir, {
        ...record,
        ended: new Date().toISOString(),
        status: failures.length > 0 ? 'failed' : res.interrupted ? 'interrupted' : 'finished',
        chains: tasks.map((t) => {
          const r = ok.find((c) => c.chain === t.chain);
          const f = failures.find((x) => x.chain === t.chain);
          return {
            chain: t.chain + 1,
            stream: chainKey(t.seed, t.chain),
            status: f ? 'failed' : r?.interrupted ? 'interrupted' : 'finished',
            completed: r?.completed ?? 0,
            draws: r?.iterations.length ?? 0,
            error: f?.message,
          };
        }),
      });
      writeResults(dir, res);
    }
    return res;
  } catch (err) {
    // a run that stops on an error says so: run.json never stays "running"
    if (record && dir) {
      try {
        writeRunJson(dir, { ...record, ended: new Date().toISOString(), status: 'failed', error: (err as Error)?.message ?? String(err) });
      } catch {
        // the directory itself is failing (a full disk): the error below says so
      }
    }
    throw err;
  }
}

/** The spec, settings and prior choices of a run directory, to resume or extend it. */
export function readRun(dir: string): { spec: RunSpec; baseDir: string; mcmc: RunRecord['mcmc']; saveEvery: number[] } {
  if (!existsSync(dir)) throw new MixmcError('there is no run directory to resume here', { file: dir });
  const record = readRunJson(dir);
  return { spec: record.spec, baseDir: record.baseDir, mcmc: record.mcmc, saveEvery: record.saveEvery };
}

/**
 * A run directory's input files are those its run started from.
 * @throws MixmcError naming the changed file (resume checks this before reading anything).
 */
export function checkRunInputs(dir: string): void {
  checkInputs(readRunJson(dir).fingerprint, dir);
}

/** The chain tasks of a model: chain k of run seed s uses the stream chainRng(s, k). */
function tasksOf(model: PreparedModel, design: Design, options: FitOptions, resume: boolean): ChainTask[] {
  const { mcmc } = model.resolved;
  return Array.from({ length: mcmc.chains }, (_, c) => ({
    design,
    settings: model.settings,
    layout: model.layout,
    chain: c,
    seed: mcmc.seed,
    mcmc: { iterations: mcmc.iterations, burnin: mcmc.burnin, thin: mcmc.thin },
    saveEvery: model.saveEvery,
    outDir: options.outDir,
    resume,
    meta: {
      mixmc: VERSION,
      chain: c + 1,
      seed: mcmc.seed,
      stream: `xor4096 keyed '${chainKey(mcmc.seed, c)}'`,
      iterations: mcmc.iterations,
      burnin: mcmc.burnin,
      thin: mcmc.thin,
    },
    flush: options.flush,
  }));
}

function runRecord(model: PreparedModel, options: FitOptions, workers: number, previous?: RunRecord): RunRecord {
  const { mcmc } = model.resolved;
  const now = new Date().toISOString();
  return {
    version: VERSION,
    spec: model.resolved.spec,
    baseDir: options.baseDir ?? process.cwd(),
    mcmc: { ...mcmc, workers },
    priors: model.priors,
    ...(model.covariancePriors ? { covariancePriors: model.covariancePriors } : {}),
    markerSets: model.markerSets,
    fixedVariances: model.resolved.fixedVariances,
    saveEvery: model.saveEvery,
    kernel: model.settings.kernel,
    geneticTerms: geneticTerms(model.design),
    heldFixed: heldFixedNames(model),
    seeds: Array.from({ length: mcmc.chains }, (_, c) => ({ chain: c + 1, key: chainKey(mcmc.seed, c) })),
    started: previous?.started ?? now,
    resumed: previous ? [...(previous.resumed ?? []), now] : undefined,
    fingerprint: previous?.fingerprint ?? fingerprint(model.resolved),
    status: 'running',
    chains: Array.from({ length: mcmc.chains }, (_, c) => ({ chain: c + 1, stream: chainKey(mcmc.seed, c), status: 'running', completed: 0, draws: 0 })),
  };
}

/** Random terms whose covariance is a pedigree or genomic/relationship matrix (h2 is derived for them). */
export function geneticTerms(design: Design): string[] {
  return design.random.filter((r) => r.cov).map((r) => r.term);
}

/** What a fit was, for its result. */
function runInfo(model: PreparedModel): RunInfo {
  const { resolved, design } = model;
  return {
    spec: resolved.spec,
    mcmc: resolved.mcmc,
    priors: model.priors,
    ...(model.covariancePriors ? { covariancePriors: model.covariancePriors } : {}),
    markerSets: model.markerSets,
    fixedVariances: resolved.fixedVariances,
    geneticTerms: geneticTerms(design),
    heldFixed: heldFixedNames(model),
    response: design.response,
    records: design.n,
    kernel: model.settings.kernel,
  };
}

/** Summaries, effects and warnings from the chains' draws and moments. */
async function finish(model: PreparedModel, results: ChainResult[], failures: ChainFailure[], prob?: number): Promise<FitResult> {
  const { resolved, design, layout } = model;
  const chains: ChainDraws[] = results.map(({ moments: _moments, ...draws }) => draws);
  const labels = trackerLabels(design, model.settings);
  const effects = fitEffects(model, pooledEffects(layout, labels, results));
  const used = trimToCommonLength(chains);
  const heldFixed = heldFixedNames(model);
  const summary = await summarizeDrawsParallel(
    { names: layout.params, chains: used.map((c) => c.draws) },
    { prob, heldFixed, geneticTerms: geneticTerms(design) },
  );
  // σ²u of component c of term k: its fixed value, or the posterior mean of its draws
  const meanOf = (variable: string): number => summary.parameters.find((r) => r.variable === variable)?.mean ?? Number.NaN;
  const varianceOf = (k: number, c: number): number => {
    const multi = model.settings.multi;
    if (!multi) return model.settings.fixedVariances[design.random[k].term] ?? meanOf(varianceName(design.random[k].term));
    const s = multi.terms[k];
    const d = s.components.length;
    return s.fixed ? s.fixed[c * d + c] : meanOf(covarianceName(s.term, s.components, c, c));
  };
  // Random-effect levels that are not traced are summarised from their running moments.
  const traced = new Set(layout.params);
  for (const e of effects.random) {
    e.labels.forEach((label, j) => {
      if (!traced.has(label)) summary.parameters.push(momentRow(label, e.mean[j], e.sd[j]));
    });
  }
  effects.random.forEach((e, k) => reliabilities(e, design.random[k].cov?.diagK, (c) => varianceOf(k, c)));
  const criteria = pointwiseCriteria(model, layout.roles.pointwise, results, effects, meanOf);
  if (criteria) effects.pointwise = criteria.pointwise;
  const ppc = replicateCheck(model, layout.roles.replicates, results);
  const shareWarnings =
    layout.roles.priorShare !== undefined && results.length > 0 ? priorShares(summary.parameters, pooledShares(layout, labels, results), model) : [];
  const warnings = [...design.warnings, ...shareWarnings, ...summary.warnings];
  for (const f of failures) warnings.unshift({ subject: `chain ${f.chain + 1}`, severity: 10, message: f.message });
  const interrupted = chains.some((c) => c.interrupted);
  if (interrupted) {
    warnings.unshift({
      subject: 'run',
      severity: 9,
      message: `interrupted: the chains stopped after ${chains.map((c) => c.completed).join(', ')} of ${resolved.mcmc.iterations} iterations; resume with mixmc fit --resume`,
    });
  }
  return {
    run: runInfo(model),
    params: layout.params,
    chains,
    effects,
    summary: { ...summary, warnings, ...(criteria ? { criteria: criteria.criteria } : {}), ...(ppc ? { ppc } : {}) },
    failures,
    interrupted,
  };
}

/** The posterior predictive check from its tracker's moments pooled over the chains. */
function replicateCheck(model: PreparedModel, tracker: number | undefined, results: readonly ChainResult[]): PredictiveCheck[] | undefined {
  const plan = replicatePlan(model.design);
  if (tracker === undefined || !plan || results.length === 0) return undefined;
  return predictiveChecks(plan, RunningMoments.pool(results.map((r) => RunningMoments.from(r.moments[tracker]))));
}

/**
 * WAIC and DIC from the pooled moments of the records' log-likelihoods and likelihoods, and the
 * log-likelihoods at the posterior means (fitted values, residual variance, thresholds) for DIC.
 */
function pointwiseCriteria(
  model: PreparedModel,
  tracker: number | undefined,
  results: readonly ChainResult[],
  effects: FitEffects,
  meanOf: (variable: string) => number,
): { criteria: ModelCriteria; pointwise: PointwiseCriteria } | undefined {
  if (tracker === undefined || results.length === 0) return undefined;
  const { design } = model;
  const n = design.n;
  const pooled = RunningMoments.pool(results.map((r) => RunningMoments.from(r.moments[tracker])));
  const meanLogLik = pooled.mean.slice(0, n);
  const varLogLik = Float64Array.from({ length: n }, (_, i) => pooled.sd(i) ** 2);
  const terms = pointwiseElpd(meanLogLik, varLogLik, pooled.mean.subarray(n, 2 * n));
  const thresholds = plugInThresholds(design, meanOf);
  const plugIn = new Float64Array(n);
  const multi = model.settings.multi;
  if (multi) {
    // R0 at its posterior mean (or where it is held)
    const { t, names } = design.traits;
    const r0 = Float64Array.from({ length: t * t }, (_, k) => {
      const [a, b] = [Math.floor(k / t), k % t];
      return multi.residual.fixed?.[k] ?? meanOf(covarianceName(RESIDUAL, names, Math.min(a, b), Math.max(a, b)));
    });
    new MultiRecordLikelihood(design).evaluate(effects.fitted.mean, r0, thresholds, plugIn);
  } else {
    const varE = model.settings.fixedVariances.residual ?? meanOf(VAR_RESIDUAL);
    recordLogLikelihoods(design, effects.fitted.mean, varE, thresholds, plugIn);
  }
  return {
    criteria: modelCriteria(terms, meanLogLik, plugIn),
    // a multi-trait record is named by its first trait in pointwise.csv
    pointwise: { ids: design.ids, observed: design.y.subarray(0, n), ...terms, meanLogLik },
  };
}

/** γ_0 = −∞, γ_1 = 0, the posterior means of γ_2 … γ_{K−1}, γ_K = +∞ of the threshold trait (empty when there is none). */
function plugInThresholds(design: Design, meanOf: (variable: string) => number): Float64Array {
  const { families, names, t } = design.traits;
  const a = families.findIndex((f) => f.kind === 'threshold');
  const family = families[a];
  if (family?.kind !== 'threshold') return new Float64Array(0);
  const K = family.categories.length;
  return Float64Array.from({ length: K + 1 }, (_, k) =>
    k === 0 ? -Infinity : k === K ? Infinity : k === 1 ? 0 : meanOf(ofTrait(thresholdName(k), names[a], t)),
  );
}

/** Chains cut to the shortest one's draws (an interrupted run may leave them uneven). */
function trimToCommonLength(chains: ChainDraws[]): ChainDraws[] {
  const withDraws = chains.filter((c) => c.iterations.length > 0);
  if (withDraws.length === 0) return [];
  const n = Math.min(...withDraws.map((c) => c.iterations.length));
  return withDraws.map((c) => ({ ...c, iterations: c.iterations.slice(0, n), draws: c.draws.map((d) => d.subarray(0, n)) }));
}
