/**
 * Posterior predictive checks of a single-trait response (Gelman, Meng & Stern 1996; Gelman et al.
 * 2013, Bayesian Data Analysis, 3rd ed., §6.3). At every kept draw θ the tracker draws a replicated
 * response of the observed records from p(y | θ):
 *   Gaussian         yRep_i = μ_i + sqrt(σ²e)·z_i;
 *   binary/ordinal   l_i = μ_i + z_i, yRep_i = the category c with γ_c < l_i ≤ γ_{c+1};
 * μ_i = y_i − e_i the linear predictor (y the latent response of a threshold trait), z_i standard
 * normals from the chain's replicate stream — its own xor4096 stream, kept in state.replicates, so
 * that the chain's draws do not depend on it and a resumed chain continues it. Per draw it records
 * whether T(yRep) ≥ T(y) (their mean over the draws is the posterior predictive p-value), T(yRep),
 * and the histogram of yRep on fixed bins (their means and sds over the draws make the band the
 * observed histogram is set against). T is the mean, sd, min and max of a Gaussian response, and the
 * proportion of each category of a threshold trait. Censored traits are not checked: a replicate
 * would need the censoring mechanism, which the data do not carry.
 */
import type { Tracker } from '../mcmc/block.js';
import { type ChainState, responseOf } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { RNG_STATE_LENGTH, Rng } from '../rng/rng.js';
import type { PredictiveCheck } from '../types.js';
import type { RunningMoments } from '../mcmc/moments.js';
import { latentFamily } from './liability.js';

/**
 * Bins of a Gaussian response's histogram: √n, between 10 and 40, over its observed range widened
 * by a quarter on each side (replicated values beyond are not binned: the histograms are densities
 * over that range).
 */
export function replicateBins(n: number): number {
  return Math.min(40, Math.max(10, Math.round(Math.sqrt(n))));
}

/** What the check compares, fixed by the data. */
export interface ReplicatePlan {
  readonly kind: 'gaussian' | 'threshold';
  /** The statistics T: mean, sd, min, max, or p[CATEGORY]. */
  readonly statistics: readonly string[];
  /** T(y) of the observed response, in the order of `statistics`. */
  readonly observed: Float64Array;
  /** A Gaussian response's bin edges (replicateBins(n) + 1); empty for a threshold trait. */
  readonly edges: Float64Array;
  /** The observed response's proportion in each bin (Gaussian) or category (threshold). */
  readonly observedHistogram: Float64Array;
  /** A threshold trait's categories. */
  readonly categories?: readonly string[];
}

const GAUSSIAN_STATISTICS = ['mean', 'sd', 'min', 'max'] as const;

/** out ← mean, sd (divisor n − 1), min and max of values. Mutates: out. */
function gaussianStatistics(values: Float64Array, out: Float64Array, offset: number): void {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  out[offset] = mean;
  out[offset + 1] = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  out[offset + 2] = min;
  out[offset + 3] = max;
}

/** out[offset + k] ← the proportion of values in bin k of `edges` (equal widths; values beyond them in none). Mutates: out. */
function histogram(values: Float64Array, edges: Float64Array, out: Float64Array, offset: number): void {
  const bins = edges.length - 1;
  const lo = edges[0];
  const width = (edges[bins] - lo) / bins;
  for (let k = 0; k < bins; k++) out[offset + k] = 0;
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i] - lo) / width);
    // the top edge belongs to the last bin
    if (k >= 0 && k < bins) out[offset + k]++;
    else if (values[i] === edges[bins]) out[offset + bins - 1]++;
  }
  for (let k = 0; k < bins; k++) out[offset + k] /= values.length;
}

/** The check of `design`'s response, or undefined when there is none (several traits, a censored trait, no records). */
export function replicatePlan(design: Design): ReplicatePlan | undefined {
  if (design.traits.t > 1 || design.n === 0) return undefined;
  const family = latentFamily(design);
  if (family?.kind === 'censored') return undefined;
  if (family?.kind === 'threshold') {
    const K = family.categories.length;
    const observed = new Float64Array(K);
    for (const c of family.category) observed[c]++;
    for (let c = 0; c < K; c++) observed[c] /= design.n;
    return {
      kind: 'threshold',
      statistics: family.categories.map((c) => `p[${c}]`),
      observed,
      edges: new Float64Array(0),
      observedHistogram: observed,
      categories: family.categories,
    };
  }
  const observed = new Float64Array(GAUSSIAN_STATISTICS.length);
  gaussianStatistics(design.y, observed, 0);
  const [, , min, max] = observed;
  const pad = max > min ? 0.25 * (max - min) : 1;
  const bins = replicateBins(design.n);
  const edges = Float64Array.from({ length: bins + 1 }, (_, k) => min - pad + ((max - min + 2 * pad) * k) / bins);
  const observedHistogram = new Float64Array(bins);
  histogram(design.y, edges, observedHistogram, 0);
  return { kind: 'gaussian', statistics: GAUSSIAN_STATISTICS, observed, edges, observedHistogram };
}

/** The tracker's entries: [T(yRep) ≥ T(y)] per statistic, then T(yRep), then (Gaussian) the bins' proportions. */
export function replicateLabels(plan: ReplicatePlan): string[] {
  const bins = plan.kind === 'gaussian' ? Array.from({ length: plan.edges.length - 1 }, (_, k) => `bin[${k + 1}]`) : [];
  return [...plan.statistics.map((s) => `T(yRep) >= T(y): ${s}`), ...plan.statistics.map((s) => `T(yRep): ${s}`), ...bins];
}

/** The replicate stream of a fresh state when no chain key is given (executeChain seeds each chain's own: replicateKey). */
const DEFAULT_KEY = 'mixmc:replicates';

/** The key of chain `chain`'s replicate stream in a run with seed `seed` (a stream apart from the chain's own, chainKey). */
export function replicateKey(seed: number, chain: number): string {
  return `mixmc:${seed}:${chain}:replicates`;
}

/** A replicate stream's state for a chain state (state.replicates), from its key. */
export function replicateStream(key: string = DEFAULT_KEY): Float64Array {
  const words = new Float64Array(RNG_STATE_LENGTH);
  Rng.fromKey(key).store(words);
  return words;
}

/**
 * The posterior predictive tracker of `plan`. Mutates, besides `out`: state.replicates (the stream
 * moves on by one normal per record).
 */
export function replicateTracker(design: Design, plan: ReplicatePlan): Tracker {
  const n = design.n;
  const S = plan.statistics.length;
  const z = new Float64Array(n);
  const yRep = new Float64Array(n);
  const stats = new Float64Array(S);
  const rng = Rng.fromKey(DEFAULT_KEY);
  const K = plan.categories?.length ?? 0;
  return {
    labels: replicateLabels(plan),
    read: (state: ChainState, out) => {
      const words = state.replicates!;
      rng.load(words);
      rng.normals(z, n);
      rng.store(words);
      const y = responseOf(state, design);
      const e = state.e;
      if (plan.kind === 'threshold') {
        const gamma = state.latent!.thresholds;
        // counts, then proportions: a replicate with the observed count has exactly the observed proportion (ppp counts ties)
        stats.fill(0);
        for (let i = 0; i < n; i++) {
          const liability = y[i] - e[i] + z[i];
          let c = 0;
          while (c < K - 1 && liability > gamma[c + 1]) c++;
          stats[c]++;
        }
        for (let c = 0; c < K; c++) stats[c] /= n;
      } else {
        const sd = Math.sqrt(state.varE[0]);
        for (let i = 0; i < n; i++) yRep[i] = y[i] - e[i] + sd * z[i];
        gaussianStatistics(yRep, stats, 0);
        histogram(yRep, plan.edges, out, 2 * S);
      }
      for (let k = 0; k < S; k++) {
        out[k] = stats[k] >= plan.observed[k] ? 1 : 0;
        out[S + k] = stats[k];
      }
    },
  };
}

/** The check's summary from the moments of its tracker pooled over the chains. */
export function predictiveCheck(plan: ReplicatePlan, pooled: RunningMoments): PredictiveCheck {
  const S = plan.statistics.length;
  const gaussian = plan.kind === 'gaussian';
  const bins = plan.observedHistogram.length;
  // a threshold trait's histogram is its categories' proportions, the statistics themselves
  const from = gaussian ? 2 * S : S;
  return {
    draws: pooled.count,
    statistics: plan.statistics.map((name, k) => ({
      name,
      observed: plan.observed[k],
      replicatedMean: pooled.mean[S + k],
      replicatedSd: pooled.sd(S + k),
      ppp: pooled.mean[k],
    })),
    histogram: {
      ...(gaussian ? { edges: Array.from(plan.edges) } : { categories: [...(plan.categories ?? [])] }),
      observed: Array.from(plan.observedHistogram),
      replicatedMean: Array.from({ length: bins }, (_, k) => pooled.mean[from + k]),
      replicatedSd: Array.from({ length: bins }, (_, k) => pooled.sd(from + k)),
    },
  };
}
