/**
 * fit(): validate a run object (or take a prepared model), run the chains in worker threads or
 * in-process, and summarise. resumeFit() continues or extends a run directory.
 */
import { prepare, type PreparedModel } from '../blocks/plan.js';
import { MixmcError } from '../errors.js';
import { checkRunInputs, fitModel, readRun, type FitOptions, type RunHooks } from '../run/fitModel.js';
import type { FitResult, RunSpec } from '../types.js';

function isPrepared(x: RunSpec | PreparedModel): x is PreparedModel {
  return 'design' in x && 'layout' in x;
}

/**
 * Fit a model by Gibbs sampling.
 * @param spec the run object, or a model from `prepare` (then chain settings belong to `prepare`).
 * @example
 * const res = await fit({ data: 'pheno.csv', formula: 'y ~ 1 + env + (1|sire)', mcmc: { chains: 2, iterations: 2000, burnin: 500 } });
 * // res.summary.parameters: one row per parameter; res.chains[k].draws: the kept draws of chain k
 */
export async function fit(spec: RunSpec | PreparedModel, options: FitOptions = {}): Promise<FitResult> {
  return fitWithHooks(spec, options, {});
}

/** fit() with test hooks (src/run/fitModel.ts RunHooks): not exported by the package. */
export async function fitWithHooks(spec: RunSpec | PreparedModel, options: FitOptions, hooks: RunHooks): Promise<FitResult> {
  if (!isPrepared(spec)) return fitModel(prepare(spec, options), options, false, hooks);
  const { chains, iterations, burnin, thin, seed, traceLevels } = options;
  if ([chains, iterations, burnin, thin, seed, traceLevels].some((v) => v !== undefined)) {
    throw new MixmcError('chain settings of a prepared model are set by prepare(spec, options); give them there', { term: 'options' });
  }
  return fitModel(spec, options, false, hooks);
}

/** Options of {@link resumeFit}. */
export type ResumeOptions = Omit<FitOptions, 'outDir' | 'baseDir'> & {
  /** Add this many iterations to a finished (or interrupted) run. */
  extend?: number;
};

/**
 * Continue an interrupted run, or extend a finished one by `extend` iterations: every chain restarts
 * from its checkpoint, so the draws equal those of an uninterrupted run of the same length and seed.
 */
export async function resumeFit(dir: string, options: ResumeOptions = {}): Promise<FitResult> {
  const fixed = (['chains', 'iterations', 'burnin', 'thin', 'seed', 'traceLevels'] as const).filter((k) => options[k] !== undefined);
  if (fixed.length > 0) {
    throw new MixmcError(`${fixed.join(', ')} cannot change when a run is resumed: it keeps its settings (use extend to add iterations)`, { term: fixed[0] });
  }
  const run = readRun(dir);
  if (options.force) {
    // start the run again from its spec and current inputs, replacing what the directory holds
    const model = prepare(run.spec, { baseDir: run.baseDir });
    return fitModel(model, { ...options, outDir: dir, baseDir: run.baseDir, force: true }, false);
  }
  checkRunInputs(dir);
  const mcmc = { ...run.mcmc, iterations: run.mcmc.iterations + (options.extend ?? 0), workers: options.workers ?? run.mcmc.workers };
  const model = prepare({ ...run.spec, mcmc }, { baseDir: run.baseDir });
  return fitModel({ ...model, saveEvery: run.saveEvery }, { ...options, outDir: dir, baseDir: run.baseDir }, true);
}
