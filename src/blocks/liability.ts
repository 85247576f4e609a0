/**
 * The latent response of a binary, ordinal or censored trait (Albert & Chib 1993, "Bayesian analysis
 * of binary and polychotomous response data", JASA 88:669; Sorensen & Gianola 2002, ch. 14), drawn
 * first in every sweep so that every other block works on it as on a Gaussian response.
 *
 * With μ_i = l_i − e_i the rest of the model's fitted value of record i (l the latent response y of
 * the state, e the residual):
 * - threshold traits (residual variance fixed at 1): l_i | γ, μ ~ N(μ_i, 1) truncated to
 *   (γ_c, γ_{c+1}] for the record's category c (0-based; γ_0 = −∞, γ_1 = 0, γ_K = +∞), each first
 *   tried with a standard normal drawn in bulk, then drawn by the exact truncated sampler when it
 *   falls outside (rng/truncated.ts, truncatedFromNormal);
 * - censored traits: l_i | σ²e, μ ~ N(μ_i, σ²e) truncated to [lower_i, upper_i]; an exact record keeps
 *   its value.
 * The free thresholds γ_2 … γ_{K−1} of an ordinal trait (flat prior on the ordered values) are drawn
 * before the liabilities, by one of:
 * - 'cowles' (default; Cowles 1996, "Accelerating Monte Carlo Markov chain convergence for
 *   cumulative-link generalized linear models", Statistics and Computing 6:101): γ and l jointly,
 *   γ* from sequential truncated-normal proposals γ*_j ~ N(γ_j, s²) on (γ*_{j−1}, γ_{j+1}), accepted
 *   with probability min(1, R) where, with the liabilities integrated out,
 *     R = Π_i [Φ(γ*_{c_i+1} − μ_i) − Φ(γ*_{c_i} − μ_i)] / [Φ(γ_{c_i+1} − μ_i) − Φ(γ_{c_i} − μ_i)]
 *       × Π_j [Φ((γ_{j+1} − γ_j)/s) − Φ((γ*_{j−1} − γ_j)/s)] / [Φ((γ*_{j+1} − γ*_j)/s) − Φ((γ_{j−1} − γ*_j)/s)],
 *   then l | γ* as above. s is tuned during burn-in only (towards an acceptance rate in [0.25, 0.45])
 *   and kept in the state, so that a resumed chain makes the same proposals;
 * - 'gibbs' (Albert & Chib 1993): γ_j | l ~ U(max{l_i : c_i = j − 1}, min{l_i : c_i = j}) — exact, but
 *   the interval shrinks with the number of records and the chain then barely moves.
 */
import { Stage, type Block } from '../mcmc/block.js';
import type { ChainState, LatentState } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import type { FamilyDesign } from '../model/family.js';
import { standIn } from '../model/family.js';
import { thresholdName } from '../model/names.js';
import { qnorm } from '../numbers.js';
import type { RandomSource } from '../rng/rng.js';
import { logNormalInterval, truncatedFromNormal, truncatedNormal } from '../rng/truncated.js';

/** How the thresholds of an ordinal trait are drawn, and until which update their proposal is tuned. */
export interface ThresholdSettings {
  method: 'cowles' | 'gibbs';
  /** Updates (iterations) during which the proposal sd adapts: the burn-in. */
  adaptUntil: number;
}

/** Updates between two adjustments of the proposal sd. */
const ADAPT_WINDOW = 50;
/** The acceptance rates the proposal sd is steered into (Gelman, Roberts & Gilks 1996 for small dimensions). */
const ACCEPT_LOW = 0.25;
const ACCEPT_HIGH = 0.45;
/** Factor by which the proposal sd moves after a window outside that range. */
const ADAPT_STEP = Math.log(1.5);

/** Tuning slots of LatentState.tuning. */
const LOG_SD = 0;
const ACCEPTED = 1;
const PROPOSED = 2;
const UPDATES = 3;

/** The family of a single-trait design when it is not Gaussian. */
export function latentFamily(design: Design): Exclude<FamilyDesign, { kind: 'gaussian' }> | undefined {
  const family = design.traits.families[0];
  return design.traits.t === 1 && family !== undefined && family.kind !== 'gaussian' ? family : undefined;
}

/**
 * The starting latent state of a non-Gaussian trait from its column `y` of the design's responses.
 * Threshold traits: thresholds at the normal quantiles of the cumulative proportions, shifted so that
 * γ_1 = 0, and each liability at the quantile of the middle of its category's share; censored traits:
 * the middle of the interval (or its finite bound); a record missing the trait (multi-trait models)
 * at the mean of the others, to be imputed in the first sweep.
 */
export function startLatent(y: Float64Array, family: Exclude<FamilyDesign, { kind: 'gaussian' }>): LatentState {
  const n = y.length;
  const start = new Float64Array(n);
  const missing = (i: number): boolean => (family.kind === 'censored' ? Number.isNaN(family.lower[i]) : family.category[i] < 0);
  let thresholds = new Float64Array(0);
  let tuning = new Float64Array(0);
  if (family.kind === 'censored') {
    for (let i = 0; i < n; i++) start[i] = Number.isNaN(y[i]) ? standIn(family.lower[i], family.upper[i]) : y[i];
  } else {
    const K = family.categories.length;
    const total = family.counts.reduce((sum, c) => sum + c, 0);
    const cumulative = new Float64Array(K + 1);
    for (let c = 0; c < K; c++) cumulative[c + 1] = cumulative[c] + family.counts[c] / total;
    const shift = qnorm(cumulative[1]);
    thresholds = new Float64Array(K + 1);
    thresholds[0] = -Infinity;
    thresholds[K] = Infinity;
    for (let c = 2; c < K; c++) thresholds[c] = qnorm(cumulative[c]) - shift;
    for (let i = 0; i < n; i++) {
      const c = family.category[i];
      if (c >= 0) start[i] = qnorm((cumulative[c] + cumulative[c + 1]) / 2) - shift;
    }
    tuning = new Float64Array(4);
    tuning[LOG_SD] = Math.log(2 / Math.sqrt(total));
  }
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (missing(i)) continue;
    sum += start[i];
    count++;
  }
  for (let i = 0; i < n; i++) if (missing(i)) start[i] = sum / count;
  return { y: start, thresholds, tuning };
}

/** The traced thresholds of a family: γ_2 … γ_{K−1} of an ordinal trait. */
export function thresholdParams(family: FamilyDesign | undefined): string[] {
  if (family?.kind !== 'threshold') return [];
  return Array.from({ length: Math.max(0, family.categories.length - 2) }, (_, j) => thresholdName(j + 2));
}

/**
 * The draw of a latent trait given each record's conditional mean m_i and the conditional sd: an
 * ordinal trait's thresholds first (Cowles' step or plain Gibbs), then every informative record's
 * latent value l_i ~ N(m_i, sd²) truncated to its category interval or censoring bounds, with its
 * residual moved by the same amount (e_i = l_i − μ_i, μ_i = l_i − e_i before the draw). Shared by the
 * single-trait block (m = μ) and the multi-trait one (m = μ + the regression on the other traits'
 * residuals). Owns the scratch arrays, so that a draw allocates nothing.
 */
export class LatentDraw {
  /** The category of each record (threshold traits), or 0/−1 for a censored trait's informative/missing records. */
  private readonly category: Int32Array;
  /** A standard normal per record, drawn in bulk and tried first (truncatedFromNormal). */
  private readonly z: Float64Array;
  /** The proposed thresholds, and the largest and smallest liability of each category (plain Gibbs). */
  private readonly proposal: Float64Array;
  private readonly highest: Float64Array;
  private readonly lowest: Float64Array;

  constructor(
    private readonly family: Exclude<FamilyDesign, { kind: 'gaussian' }>,
    private readonly settings: ThresholdSettings,
  ) {
    this.category = family.kind === 'threshold' ? family.category : Int32Array.from(family.lower, (v) => (Number.isNaN(v) ? -1 : 0));
    this.z = new Float64Array(this.category.length);
    const K = family.kind === 'threshold' ? family.categories.length : 0;
    this.proposal = new Float64Array(K + 1);
    this.highest = new Float64Array(K);
    this.lowest = new Float64Array(K);
  }

  /** Mutates: latent.y, e[offset + i], and the thresholds and their tuning. */
  draw(latent: LatentState, e: Float64Array, offset: number, m: Float64Array, sd: number, rng: RandomSource): void {
    const { category, z, family } = this;
    const l = latent.y;
    const n = l.length;
    if (family.kind === 'censored') {
      const { lower, upper } = family;
      rng.normals(z, n);
      for (let i = 0; i < n; i++) {
        if (category[i] < 0 || lower[i] === upper[i]) continue;
        const mu = l[i] - e[offset + i];
        l[i] = m[i] + sd * truncatedFromNormal(rng, z[i], (lower[i] - m[i]) / sd, (upper[i] - m[i]) / sd);
        e[offset + i] = l[i] - mu;
      }
      return;
    }
    const gamma = latent.thresholds;
    if (gamma.length > 3) {
      if (this.settings.method === 'cowles') cowlesStep(latent, category, m, sd, this.settings.adaptUntil, this.proposal, rng);
      else gibbsThresholdStep(latent, category, this.highest, this.lowest, rng);
    }
    rng.normals(z, n);
    for (let i = 0; i < n; i++) {
      const c = category[i];
      if (c < 0) continue;
      const mu = l[i] - e[offset + i];
      l[i] = m[i] + sd * truncatedFromNormal(rng, z[i], (gamma[c] - m[i]) / sd, (gamma[c + 1] - m[i]) / sd);
      e[offset + i] = l[i] - mu;
    }
  }
}

/** The latent trait of a single-trait model: m_i = μ_i, sd 1 (a liability) or σe (a censored trait). */
export class LiabilityBlock implements Block {
  readonly stage = Stage.Augment;
  readonly params: readonly string[];
  private readonly censored: boolean;
  private readonly latentDraw: LatentDraw;
  /** μ_i of the current sweep. */
  private readonly mu: Float64Array;

  constructor(design: Design, family: Exclude<FamilyDesign, { kind: 'gaussian' }>, settings: ThresholdSettings) {
    this.params = thresholdParams(family);
    this.censored = family.kind === 'censored';
    this.latentDraw = new LatentDraw(family, settings);
    this.mu = new Float64Array(design.n);
  }

  /** The starting state is set when the state is made (startLatent). */
  init(): void {}

  update(state: ChainState, rng: RandomSource): void {
    const latent = state.latent!;
    const { mu } = this;
    for (let i = 0; i < mu.length; i++) mu[i] = latent.y[i] - state.e[i];
    this.latentDraw.draw(latent, state.e, 0, mu, this.censored ? Math.sqrt(state.varE[0]) : 1, rng);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    recordThresholds(state, this.params.length, row, offset);
  }
}

/** Write γ_2 … γ_{count+1} into row[offset …). */
export function recordThresholds(state: ChainState, count: number, row: Float64Array, offset: number): void {
  const gamma = state.latent!.thresholds;
  for (let j = 0; j < count; j++) row[offset + j] = gamma[j + 2];
}

/**
 * Cowles' joint Metropolis–Hastings step for γ_2 … γ_{K−1} (the module comment's R, with each
 * liability l_i ~ N(m_i, sd²): the intervals standardised by sd), tuning the proposal sd during the
 * first `adaptUntil` updates. Records of category −1 (missing) are skipped. Mutates: latent.thresholds,
 * latent.tuning, proposal (scratch of length K + 1).
 */
export function cowlesStep(
  latent: LatentState,
  category: Int32Array,
  m: Float64Array,
  sd: number,
  adaptUntil: number,
  proposal: Float64Array,
  rng: RandomSource,
): void {
  const gamma = latent.thresholds;
  const tuning = latent.tuning;
  const K = gamma.length - 1;
  const s = Math.exp(tuning[LOG_SD]);
  proposal[0] = -Infinity;
  proposal[1] = 0;
  proposal[K] = Infinity;
  for (let j = 2; j < K; j++) proposal[j] = truncatedNormal(rng, gamma[j], s, proposal[j - 1], gamma[j + 1]);
  let logR = 0;
  for (let j = 2; j < K; j++) {
    logR += logNormalInterval((proposal[j - 1] - gamma[j]) / s, (gamma[j + 1] - gamma[j]) / s);
    logR -= logNormalInterval((gamma[j - 1] - proposal[j]) / s, (proposal[j + 1] - proposal[j]) / s);
  }
  for (let i = 0; i < m.length; i++) {
    const c = category[i];
    if (c <= 0) continue;
    logR += logNormalInterval((proposal[c] - m[i]) / sd, (proposal[c + 1] - m[i]) / sd) - logNormalInterval((gamma[c] - m[i]) / sd, (gamma[c + 1] - m[i]) / sd);
  }
  tuning[PROPOSED]++;
  if (Math.log(rng.uniform()) < logR) {
    gamma.set(proposal);
    tuning[ACCEPTED]++;
  }
  tuning[UPDATES]++;
  if (tuning[UPDATES] <= adaptUntil && tuning[PROPOSED] >= ADAPT_WINDOW) {
    const rate = tuning[ACCEPTED] / tuning[PROPOSED];
    if (rate < ACCEPT_LOW) tuning[LOG_SD] -= ADAPT_STEP;
    else if (rate > ACCEPT_HIGH) tuning[LOG_SD] += ADAPT_STEP;
    tuning[ACCEPTED] = 0;
    tuning[PROPOSED] = 0;
  }
}

/**
 * γ_j | l ~ U(max{l_i : c_i = j − 1}, min{l_i : c_i = j}) for j = 2 … K − 1 (records of category −1
 * skipped). Mutates: latent.thresholds, highest and lowest (scratch of length K).
 */
export function gibbsThresholdStep(latent: LatentState, category: Int32Array, highest: Float64Array, lowest: Float64Array, rng: RandomSource): void {
  const gamma = latent.thresholds;
  const l = latent.y;
  highest.fill(-Infinity);
  lowest.fill(Infinity);
  for (let i = 0; i < l.length; i++) {
    const c = category[i];
    if (c < 0) continue;
    if (l[i] > highest[c]) highest[c] = l[i];
    if (l[i] < lowest[c]) lowest[c] = l[i];
  }
  const K = gamma.length - 1;
  for (let j = 2; j < K; j++) {
    const a = Math.max(highest[j - 1], gamma[j - 1]);
    const b = Math.min(lowest[j], gamma[j + 1]);
    gamma[j] = a + (b - a) * rng.uniform();
  }
}
