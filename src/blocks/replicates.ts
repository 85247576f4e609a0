/**
 * Posterior predictive checks of the response (Gelman, Meng & Stern 1996; Gelman et al. 2013,
 * Bayesian Data Analysis, 3rd ed., §6.3), per trait. At every kept draw θ the tracker draws a
 * replicate of each trait's observed records from its margin under p(y | θ):
 *   Gaussian         yRep_si = μ_si + sqrt(R_ss)·z_si   (R_ss = σ²e with one trait);
 *   binary/ordinal   l_si = μ_si + z_si (R_ss = 1), yRep_si = the category c with γ_c < l_si ≤ γ_{c+1};
 * μ_si = y_si − e_si the linear predictor (y the latent response of a threshold trait), z standard
 * normals from the chain's replicate stream — its own xor4096 stream, kept in state.replicates, so
 * that the chain's draws do not depend on it and a resumed chain continues it. Statistics of one
 * trait depend only on its margin, so the traits are replicated apart. Per draw the tracker records
 * whether T(yRep) ≥ T(y) (their mean over the draws is the posterior predictive p-value), T(yRep),
 * and the histogram of yRep on fixed bins (their means and sds over the draws make the band the
 * observed histogram is set against). T is the mean, sd, min and max of a Gaussian trait, and the
 * proportion of each category of a threshold trait. Censored traits are not checked: a replicate
 * would need the censoring mechanism, which the data do not carry.
 */
import type { Tracker } from '../mcmc/block.js';
import { type ChainState, responseOf } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { RNG_STATE_LENGTH, Rng } from '../rng/rng.js';
import type { PredictiveCheck } from '../types.js';
import type { RunningMoments } from '../mcmc/moments.js';

/**
 * Bins of a Gaussian response's histogram: √n, between 10 and 40, over its observed range widened
 * by a quarter on each side (replicated values beyond are not binned: the histograms are densities
 * over that range).
 */
export function replicateBins(n: number): number {
  return Math.min(40, Math.max(10, Math.round(Math.sqrt(n))));
}

/** What the check of one trait compares, fixed by the data. */
export interface TraitReplicatePlan {
  /** The trait's index and name. */
  readonly trait: number;
  readonly name: string;
  readonly kind: 'gaussian' | 'threshold';
  /** The records with the trait observed. */
  readonly records: Int32Array;
  /** The statistics T: mean, sd, min, max, or p[CATEGORY]. */
  readonly statistics: readonly string[];
  /** T(y) of the observed response, in the order of `statistics`. */
  readonly observed: Float64Array;
  /** A Gaussian trait's bin edges (replicateBins(records) + 1); empty for a threshold trait. */
  readonly edges: Float64Array;
  /** The observed response's proportion in each bin (Gaussian) or category (threshold). */
  readonly observedHistogram: Float64Array;
  /** A threshold trait's categories. */
  readonly categories?: readonly string[];
  /** Where the trait's entries start in the tracker. */
  readonly offset: number;
}

/** The checks of a design's traits (those not censored), and the tracker's size. */
export interface ReplicatePlan {
  readonly traits: readonly TraitReplicatePlan[];
  readonly size: number;
}

const GAUSSIAN_STATISTICS = ['mean', 'sd', 'min', 'max'] as const;

/** out ← mean, sd (divisor n − 1), min and max of values[0 .. n). Mutates: out. */
function gaussianStatistics(values: Float64Array, n: number, out: Float64Array, offset: number): void {
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

/** out[offset + k] ← the proportion of values[0 .. n) in bin k of `edges` (equal widths; values beyond them in none). Mutates: out. */
function histogram(values: Float64Array, n: number, edges: Float64Array, out: Float64Array, offset: number): void {
  const bins = edges.length - 1;
  const lo = edges[0];
  const width = (edges[bins] - lo) / bins;
  for (let k = 0; k < bins; k++) out[offset + k] = 0;
  for (let i = 0; i < n; i++) {
    const k = Math.floor((values[i] - lo) / width);
    // the top edge belongs to the last bin
    if (k >= 0 && k < bins) out[offset + k]++;
    else if (values[i] === edges[bins]) out[offset + bins - 1]++;
  }
  for (let k = 0; k < bins; k++) out[offset + k] /= n;
}

/** The checks of `design`'s traits, or undefined when none can be checked (every trait censored). */
export function replicatePlan(design: Design): ReplicatePlan | undefined {
  const { n } = design;
  const { t, observed: isObserved, families, names } = design.traits;
  const traits: TraitReplicatePlan[] = [];
  let offset = 0;
  for (let s = 0; s < t; s++) {
    const family = families[s];
    if (family.kind === 'censored') continue;
    const records = Int32Array.from({ length: n }, (_, i) => i).filter((i) => isObserved[s * n + i] === 1);
    if (records.length === 0) continue;
    const name = names[s];
    let plan: Omit<TraitReplicatePlan, 'offset'>;
    if (family.kind === 'threshold') {
      const K = family.categories.length;
      const observed = new Float64Array(K);
      for (const i of records) observed[family.category[i]]++;
      for (let c = 0; c < K; c++) observed[c] /= records.length;
      const statistics = family.categories.map((c) => `p[${c}]`);
      plan = {
        trait: s,
        name,
        kind: 'threshold',
        records,
        statistics,
        observed,
        edges: new Float64Array(0),
        observedHistogram: observed,
        categories: family.categories,
      };
    } else {
      const values = Float64Array.from(records, (i) => design.y[s * n + i]);
      const observed = new Float64Array(GAUSSIAN_STATISTICS.length);
      gaussianStatistics(values, values.length, observed, 0);
      const [, , min, max] = observed;
      const pad = max > min ? 0.25 * (max - min) : 1;
      const bins = replicateBins(records.length);
      const edges = Float64Array.from({ length: bins + 1 }, (_, k) => min - pad + ((max - min + 2 * pad) * k) / bins);
      const observedHistogram = new Float64Array(bins);
      histogram(values, values.length, edges, observedHistogram, 0);
      plan = { trait: s, name, kind: 'gaussian', records, statistics: GAUSSIAN_STATISTICS, observed, edges, observedHistogram };
    }
    traits.push({ ...plan, offset });
    offset += traitEntries(plan);
  }
  return traits.length > 0 ? { traits, size: offset } : undefined;
}

/** A trait's entries: 2 per statistic, and a Gaussian trait's bins. */
function traitEntries(plan: Pick<TraitReplicatePlan, 'kind' | 'statistics' | 'edges'>): number {
  return 2 * plan.statistics.length + (plan.kind === 'gaussian' ? plan.edges.length - 1 : 0);
}

/** The tracker's entries, trait by trait: [T(yRep) ≥ T(y)] per statistic, then T(yRep), then (Gaussian) the bins' proportions. */
export function replicateLabels(design: Design, plan: ReplicatePlan): string[] {
  const t = design.traits.t;
  return plan.traits.flatMap((p) => {
    const of = (s: string) => (t > 1 ? `${s} (${p.name})` : s);
    const bins = p.kind === 'gaussian' ? Array.from({ length: p.edges.length - 1 }, (_, k) => of(`bin[${k + 1}]`)) : [];
    return [...p.statistics.map((s) => of(`T(yRep) >= T(y): ${s}`)), ...p.statistics.map((s) => of(`T(yRep): ${s}`)), ...bins];
  });
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
 * moves on by one normal per checked record and trait).
 */
export function replicateTracker(design: Design, plan: ReplicatePlan): Tracker {
  const { n } = design;
  const t = design.traits.t;
  const largest = Math.max(...plan.traits.map((p) => p.records.length));
  const z = new Float64Array(largest);
  const yRep = new Float64Array(largest);
  const stats = new Float64Array(Math.max(...plan.traits.map((p) => p.statistics.length)));
  // a holder for the stream: read() loads state.replicates into it and stores it back
  const rng = Rng.fromState(new Uint32Array(RNG_STATE_LENGTH));
  return {
    labels: replicateLabels(design, plan),
    read: (state: ChainState, out) => {
      const words = state.replicates!;
      rng.load(words);
      // μ_si = y_si − e_si, and the trait's residual variance, from a single- or multi-trait state
      const multi = state.multi;
      const y = multi ? multi.y : responseOf(state, design);
      const pitch = multi ? multi.pitch : n;
      for (const p of plan.traits) {
        const s = p.trait;
        const m = p.records.length;
        const S = p.statistics.length;
        rng.normals(z, m);
        const sd = Math.sqrt(multi ? multi.covE[s * t + s] : state.varE[0]);
        if (p.kind === 'threshold') {
          const gamma = state.latent!.thresholds;
          const K = p.categories!.length;
          // counts, then proportions: a replicate with the observed count has exactly the observed proportion (ppp counts ties)
          stats.fill(0, 0, K);
          for (let r = 0; r < m; r++) {
            const i = p.records[r];
            const liability = y[s * n + i] - state.e[s * pitch + i] + sd * z[r];
            let c = 0;
            while (c < K - 1 && liability > gamma[c + 1]) c++;
            stats[c]++;
          }
          for (let c = 0; c < K; c++) stats[c] /= m;
        } else {
          for (let r = 0; r < m; r++) {
            const i = p.records[r];
            yRep[r] = y[s * n + i] - state.e[s * pitch + i] + sd * z[r];
          }
          gaussianStatistics(yRep, m, stats, 0);
          histogram(yRep, m, p.edges, out, p.offset + 2 * S);
        }
        for (let k = 0; k < S; k++) {
          out[p.offset + k] = stats[k] >= p.observed[k] ? 1 : 0;
          out[p.offset + S + k] = stats[k];
        }
      }
      rng.store(words);
    },
  };
}

/** The checks' summaries, trait by trait, from the moments of their tracker pooled over the chains. */
export function predictiveChecks(plan: ReplicatePlan, pooled: RunningMoments): PredictiveCheck[] {
  return plan.traits.map((p) => {
    const S = p.statistics.length;
    const gaussian = p.kind === 'gaussian';
    const bins = p.observedHistogram.length;
    const o = p.offset;
    // a threshold trait's histogram is its categories' proportions, the statistics themselves
    const from = o + (gaussian ? 2 * S : S);
    return {
      trait: p.name,
      records: p.records.length,
      draws: pooled.count,
      statistics: p.statistics.map((name, k) => ({
        name,
        observed: p.observed[k],
        replicatedMean: pooled.mean[o + S + k],
        replicatedSd: pooled.sd(o + S + k),
        ppp: pooled.mean[o + k],
      })),
      histogram: {
        ...(gaussian ? { edges: Array.from(p.edges) } : { categories: [...(p.categories ?? [])] }),
        observed: Array.from(p.observedHistogram),
        replicatedMean: Array.from({ length: bins }, (_, k) => pooled.mean[from + k]),
        replicatedSd: Array.from({ length: bins }, (_, k) => pooled.sd(from + k)),
      },
    };
  });
}
