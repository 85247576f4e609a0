/**
 * sbc(): simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, "Validating
 * Bayesian inference algorithms with simulation-based calibration", arXiv:1804.06788) of a spec's
 * model at its own priors and design. Simulation s draws, from a stream keyed `mixmc:sbc:SEED:s`,
 * every variance from its prior (the priors resolved once from the real data, then held: a
 * data-derived default would otherwise move with each simulated response), the random effects
 * u_k ~ N(0, σ²_k I) (N(0, σ²_k K) for a term with a pedigree, relationship or genomic K, as
 * σ_k·L_K z with K = L_K L_K'), each marker set's hyper-parameters and effects from its prior (the prior's
 * module, blocks/markers), and y = Σ Z_k u_k + Σ M_s β_s + e, e ~ N(0, σ²e I), on the design's
 * records. The fixed effects have a flat prior, which is improper: they are held at 0 and not
 * ranked — the posterior of every other parameter is the same whatever b is (it depends on y only
 * through the error contrasts K'y, whose distribution is free of b; Harville 1974). The model is
 * fitted to y with a chain seed drawn from the simulation's stream (the fits must not share
 * random numbers), and each ranked
 * parameter's true value is ranked among `draws` (L) posterior draws taken evenly from the pooled
 * chains (ties, such as a zero effect among zero draws, broken at random from the same stream).
 * If the sampler is right, every rank is uniform on 0 … L: a χ² test on `bins` equal groups of
 * ranks per parameter gives its p-value. Ranked: the variances, the marker priors' drawn
 * hyper-parameters (scale, π, λ, class proportions, the number of markers in the model), and the
 * traced random-effect levels. A multivariate model (several traits, random slopes) is simulated by
 * blocks/multi/simulate.ts: every covariance matrix from its prior, and its elements and correlations
 * ranked.
 */
import { prepare, type PreparedModel } from '../blocks/plan.js';
import { pchisq } from '../diagnostics/special.js';
import { checkMultiSimulation, simulateMulti } from '../blocks/multi/simulate.js';
import { simulateMarkerSet } from '../blocks/registry.js';
import { MixmcError } from '../errors.js';
import { lowerTimes } from '../linalg/dense.js';
import { covarianceFactor } from '../model/covariance.js';
import { axpyColumn } from '../model/markers.js';
import { levelName, markerSetNames, VAR_RESIDUAL, varianceName } from '../model/names.js';
import { csvField, csvValue, writeFileAtomic } from '../output/files.js';
import { claimJobDir, readJobPart, writeJobPart } from '../output/jobDir.js';
import { type ChainPool, defaultWorkers, withPool } from '../parallel/pool.js';
import { normal, scaledInvChiSquare } from '../rng/dist.js';
import { Rng } from '../rng/rng.js';
import { canonicalHash, fingerprint } from '../run/fingerprint.js';
import { fitModel } from '../run/fitModel.js';
import { buildSbcReport } from '../report/sbc.js';
import type { McmcConfig, RunSpec } from '../types.js';
import { join } from 'node:path';

export interface SbcOptions extends McmcConfig {
  /** Number of simulations. */
  sims: number;
  /** Posterior draws each true value is ranked among (L; default 99). */
  draws?: number;
  /** Equal groups of ranks for the χ² test (default 10; must divide L + 1). */
  bins?: number;
  /** Folder for sbc.csv, sbc-ranks.csv, report.html (rank histograms) and each finished simulation (a rerun does only those missing). */
  outDir?: string;
  force?: boolean;
  baseDir?: string;
  specFile?: string;
  pool?: ChainPool;
  onSim?: (e: { sim: number; of: number }) => void;
}

export interface SbcParameter {
  variable: string;
  /** Simulations in which it was ranked. */
  sims: number;
  /** Ranks per group of ranks. */
  counts: number[];
  chi2: number;
  df: number;
  /** P(χ²(df) ≥ chi2) under uniform ranks. */
  p: number;
}

export interface SbcResult {
  sims: number;
  draws: number;
  bins: number;
  parameters: SbcParameter[];
  /** Traced parameters that are not ranked, and why. */
  notRanked: { variable: string; reason: string }[];
  /** The rank of each ranked parameter in each simulation. */
  ranks: { sim: number; variable: string; rank: number }[];
}

/** A simulation's truth and the data it made. */
interface Simulated {
  y: Float64Array;
  truth: Record<string, number>;
}

/** What the model needs to be calibrated this way, checked up front. */
function checkSbcModel(model: PreparedModel): void {
  const { design, settings } = model;
  if (settings.multi) {
    checkMultiSimulation(design);
    return;
  }
  if (design.traits.families[0].kind !== 'gaussian')
    throw new MixmcError(`sbc simulates Gaussian responses; '${design.response}' is ${design.traits.families[0].kind}`, { term: 'family' });
  for (const p of model.priors) {
    if (settings.fixedVariances[p.term] !== undefined) continue;
    if (Number.isFinite(p.df) && !(p.df > 0 && p.scale > 0))
      throw new MixmcError(`sbc needs proper priors: ${varianceName(p.term)} has df ${p.df} and scale ${p.scale} (give both > 0 in "priors")`, {
        term: p.term,
      });
  }
}

/** Draw one simulation's parameters and response; factors[k] is L with K = LL' for a term with a covariance K. */
function simulate(model: PreparedModel, rng: Rng, factors: readonly (Float64Array | undefined)[]): Simulated {
  const { design, settings } = model;
  const n = design.n;
  const truth: Record<string, number> = {};
  const variance = (term: string): number => {
    const fixed = settings.fixedVariances[term];
    if (fixed !== undefined) return fixed;
    const prior = settings.priors[term];
    const v = scaledInvChiSquare(rng, prior.df, prior.scale);
    truth[varianceName(term)] = v;
    return v;
  };
  const y = new Float64Array(n);
  design.random.forEach((r, k) => {
    const sd = Math.sqrt(variance(r.term));
    const z = Float64Array.from({ length: r.q }, () => sd * normal(rng));
    // u ~ N(0, σ²K) as σLz for a term with covariance K = LL'; iid otherwise
    const l = factors[k];
    const u = l ? new Float64Array(r.q) : z;
    if (l) lowerTimes(l, r.q, z, u);
    r.levels.forEach((l, k) => {
      truth[levelName(r.term, l)] = u[k];
    });
    for (let i = 0; i < n; i++) y[i] += u[r.level[i]];
  });
  const varE = variance('residual');
  design.markers.forEach((md, s) => {
    const sim = simulateMarkerSet(settings.markers[s], md, markerSetNames(md.name), varE, rng);
    Object.assign(truth, sim.truth);
    sim.beta.forEach((b, j) => {
      if (b !== 0) axpyColumn(md.records, md.means[j], md.center[j], j, b, y);
    });
  });
  const sdE = Math.sqrt(varE);
  for (let i = 0; i < n; i++) y[i] += sdE * normal(rng);
  if (settings.fixedVariances.residual === undefined) truth[VAR_RESIDUAL] = varE;
  return { y, truth };
}

/** The rank of `truth` among `draws` (ties broken uniformly at random). */
function rankOf(truth: number, draws: ArrayLike<number>, rng: Rng): number {
  let below = 0;
  let ties = 0;
  for (let k = 0; k < draws.length; k++) {
    if (draws[k] < truth) below++;
    else if (draws[k] === truth) ties++;
  }
  return below + Math.floor(rng.uniform() * (ties + 1));
}

/** One simulation's ranks. */
interface SimRanks {
  sim: number;
  ranks: Record<string, number>;
}

/** Simulation `s`: parameters and data from the prior, a fit, and the rank of each truth among L of its draws (kept in outDir). */
async function simulateAndRank(
  model: PreparedModel,
  factors: readonly (Float64Array | undefined)[],
  s: number,
  L: number,
  pool: ChainPool | undefined,
  workers: number,
  outDir: string | undefined,
): Promise<SimRanks> {
  const { mcmc } = model.resolved;
  const rng = Rng.fromKey(`mixmc:sbc:${mcmc.seed}:${s}`);
  // each fit's chains need their own streams: with one seed for all, every posterior would
  // reuse the same random numbers, and the ranks would not be uniform even for a right sampler
  const seed = Math.floor(rng.uniform() * 2 ** 31);
  const { y, truth } = model.settings.multi ? simulateMulti(model.design, model.settings.multi, rng, factors) : simulate(model, rng, factors);
  const fitted: PreparedModel = { ...model, design: { ...model.design, y }, resolved: { ...model.resolved, mcmc: { ...mcmc, seed } } };
  const res = await fitModel(fitted, { pool, workers }, false, {});
  if (res.failures.length > 0 || res.interrupted)
    throw new MixmcError(`simulation ${s} did not finish: ${res.failures.map((f) => f.message).join('; ') || 'interrupted'}`, {});
  const ranks: Record<string, number> = {};
  const pooled = new Float64Array(L);
  res.params.forEach((variable, j) => {
    const t = truth[variable];
    if (t === undefined) return;
    // L draws evenly spaced through the chains laid end to end
    const chains = res.chains.map((c) => c.draws[j]);
    const total = chains.reduce((a, c) => a + c.length, 0);
    for (let l = 0; l < L; l++) {
      let at = Math.floor(((l + 0.5) * total) / L);
      let c = 0;
      while (at >= chains[c].length) at -= chains[c++].length;
      pooled[l] = chains[c][at];
    }
    ranks[variable] = rankOf(t, pooled, rng);
  });
  const part: SimRanks = { sim: s, ranks };
  if (outDir) writeJobPart(outDir, 'sims', `sim-${s}`, part);
  return part;
}

/**
 * Calibrate `spec`'s model by simulation.
 * @throws MixmcError for a model it cannot simulate (a non-Gaussian response, an improper prior), bad
 *   settings, or a folder of another job.
 */
export async function sbc(spec: RunSpec, options: SbcOptions): Promise<SbcResult> {
  const overrides: McmcConfig = { chains: options.chains, iterations: options.iterations, burnin: options.burnin, thin: options.thin, seed: options.seed };
  const model = prepare(spec, { ...overrides, baseDir: options.baseDir, specFile: options.specFile });
  checkSbcModel(model);
  const { sims } = options;
  const L = options.draws ?? 99;
  const bins = options.bins ?? 10;
  if (!Number.isInteger(sims) || sims < 1) throw new MixmcError(`--sims must be an integer >= 1 (got ${sims})`, {});
  if (!Number.isInteger(L) || L < 1 || !Number.isInteger(bins) || bins < 2 || (L + 1) % bins !== 0)
    throw new MixmcError(`--bins (${bins}) must be >= 2 and divide --draws + 1 (${L + 1})`, {});
  const { mcmc } = model.resolved;
  const kept = mcmc.chains * Math.floor((mcmc.iterations - mcmc.burnin) / mcmc.thin);
  if (kept < L) throw new MixmcError(`the chains keep ${kept} draws in all, fewer than the ${L} each true value is ranked among`, { term: 'mcmc' });
  const { outDir } = options;
  const key = canonicalHash({ inputs: fingerprint(model.resolved), mcmc: { ...mcmc, workers: undefined }, L, bins });
  if (outDir) claimJobDir(outDir, { what: 'simulation-based calibration', marker: 'sbc.json', parts: 'sims' }, key, options.force === true);

  // the Cholesky factor of each structured term's K, once for every simulation
  const factors = model.design.random.map((r) => (r.cov ? covarianceFactor(r.cov) : undefined));
  const workers = options.workers ?? mcmc.workers ?? defaultWorkers(mcmc.chains);
  const done = await withPool(workers, options.pool, async (pool) => {
    const out: SimRanks[] = [];
    for (let s = 1; s <= sims; s++) {
      options.onSim?.({ sim: s, of: sims });
      const before = outDir ? readJobPart<SimRanks>(outDir, 'sims', `sim-${s}`) : undefined;
      if (before) {
        out.push(before);
        continue;
      }
      out.push(await simulateAndRank(model, factors, s, L, pool, workers, outDir));
    }
    return out;
  });
  // the model's parameters first, then the random-effect levels
  const seen = [...new Set(done.flatMap((d) => Object.keys(d.ranks)))];
  const names = [...seen.filter((v) => !v.startsWith('u[')), ...seen.filter((v) => v.startsWith('u['))];
  const width = (L + 1) / bins;
  const parameters: SbcParameter[] = names.map((variable) => {
    const counts = new Array<number>(bins).fill(0);
    let m = 0;
    for (const d of done) {
      const r = d.ranks[variable];
      if (r === undefined) continue;
      counts[Math.floor(r / width)]++;
      m++;
    }
    const expected = m / bins;
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    return { variable, sims: m, counts, chi2, df: bins - 1, p: 1 - pchisq(chi2, bins - 1) };
  });
  const ranked = new Set(names);
  const notRanked = model.layout.params
    .filter((v) => !ranked.has(v))
    .map((variable) => ({
      variable,
      reason: variable.startsWith('b[') ? 'fixed effect: flat (improper) prior, held at 0 in the simulations' : 'derived from other parameters, or held fixed',
    }));
  const result: SbcResult = {
    sims,
    draws: L,
    bins,
    parameters,
    notRanked,
    ranks: done.flatMap((d) => Object.entries(d.ranks).map(([variable, rank]) => ({ sim: d.sim, variable, rank }))),
  };
  if (outDir) {
    writeSbcFiles(outDir, result);
    writeFileAtomic(join(outDir, 'report.html'), (await buildSbcReport(result)).html);
  }
  return result;
}

/** sbc.csv (a row per parameter: its χ² test and the counts per group of ranks) and sbc-ranks.csv. */
function writeSbcFiles(dir: string, r: SbcResult): void {
  const head = ['variable', 'sims', 'chi2', 'df', 'p', ...Array.from({ length: r.bins }, (_, b) => `bin${b + 1}`)];
  const lines = [head.join(','), ...r.parameters.map((p) => [csvField(p.variable), p.sims, csvValue(p.chi2), p.df, csvValue(p.p), ...p.counts].join(','))];
  writeFileAtomic(join(dir, 'sbc.csv'), `${lines.join('\n')}\n`);
  const ranks = ['sim,variable,rank', ...r.ranks.map((x) => `${x.sim},${csvField(x.variable)},${x.rank}`)];
  writeFileAtomic(join(dir, 'sbc-ranks.csv'), `${ranks.join('\n')}\n`);
}
