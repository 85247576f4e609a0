/**
 * The Block interface every Gibbs block implements, the trackers of high-dimensional quantities, and
 * the sweep order (DESIGN.md data flow): missing traits → fixed → random → markers → variances →
 * residual variance → derived quantities.
 */
import type { RandomSource } from '../rng/rng.js';
import type { ChainState } from './state.js';

/**
 * One Gibbs block: draws its own parameters from their full conditional given everything else.
 * Contract: `update` mutates only the block's own arrays in the state and `state.e`, and afterwards
 * e = y − fitted still holds.
 */
export interface Block {
  /** Sweep position: blocks run in increasing stage, then in the order they were added. */
  readonly stage: Stage;
  /** Names of the scalar parameters this block traces per kept draw (src/model/names.ts). */
  readonly params: readonly string[];
  /** Set starting values (may draw from rng). Mutates: the block's arrays and e. */
  init(state: ChainState, rng: RandomSource): void;
  /** One draw from the full conditional. Mutates: the block's arrays and e. */
  update(state: ChainState, rng: RandomSource): void;
  /** Write the traced parameters into row[offset .. offset + params.length). */
  record(state: ChainState, row: Float64Array, offset: number): void;
  /** The block's variances with a conjugate prior, and how much of their last full conditional the prior made. */
  readonly priorShares?: readonly PriorShare[];
}

/**
 * A variance σ² ~ Scaled-Inv-χ²(ν, s²) whose full conditional is (ν s² + SS)/χ²(ν + q): `value` is the
 * prior's share of the scale in the last update, ν s²/(ν s² + SS). Its posterior mean near 1 means
 * the prior, not the data, sets the variance (summarised as `priorShare`, warned about above 0.25).
 */
export interface PriorShare {
  readonly variable: string;
  value: number;
}

/** ν s²/(ν s² + SS): the prior's share of the scale of a scaled-inverse-χ² full conditional. */
export function priorShareOf(priorSS: number, ss: number): number {
  return priorSS / (priorSS + ss);
}

/**
 * The prior shares of a covariance matrix's diagonal. With Σ ~ IW(ν, ν S) and the full conditional
 * Σ | rest ~ IW(ν + q, ν S + SS) over q vectors, each Σ_cc has the marginal
 * (ν S_cc + SS_cc)/χ²(ν + q − d + 1) (Gelman et al., Bayesian Data Analysis, 3rd ed., §3.6), a
 * scaled-inverse-χ² whose scale the prior makes the share ν S_cc/(ν S_cc + SS_cc) of; an uncorrelated
 * term's components are scaled-inverse-χ² themselves, with the same share.
 */
export class DiagonalShares {
  readonly shares: readonly PriorShare[];

  /** `variables[c]` names Σ_cc. */
  constructor(variables: readonly string[]) {
    this.shares = variables.map((variable) => ({ variable, value: Number.NaN }));
  }

  /** From the prior (df, scale S, d × d row-major) and SS of the last update. Mutates: the shares' values. */
  set(df: number, scale: ArrayLike<number>, ss: ArrayLike<number>): void {
    const d = this.shares.length;
    for (let c = 0; c < d; c++) this.shares[c].value = priorShareOf(df * scale[c * d + c], ss[c * d + c]);
  }
}

/** A tracker of the prior shares of `blocks`' variances, in the order of `labels`. */
export function priorShareTracker(labels: readonly string[], blocks: readonly Block[]): Tracker {
  const byVariable = new Map(blocks.flatMap((b) => b.priorShares ?? []).map((s) => [s.variable, s]));
  const shares = labels.map((l) => {
    const s = byVariable.get(l);
    if (!s) throw new Error(`no block reports the prior share of ${l}`);
    return s;
  });
  return {
    labels,
    read: (_state, out) => {
      for (let i = 0; i < shares.length; i++) out[i] = shares[i].value;
    },
  };
}

/** The sweep order. */
export enum Stage {
  /** Missing traits filled in (data augmentation), before every other block. */
  Augment = -1,
  Fixed = 0,
  Random = 1,
  Markers = 2,
  Variance = 3,
  Residual = 4,
  /** Quantities derived from the draw (they draw nothing). */
  Derived = 5,
}

/**
 * A high-dimensional quantity kept as running moments rather than traced per draw (random-effect
 * levels, fitted values, marker effects).
 */
export interface Tracker {
  readonly labels: readonly string[];
  /** Write the current value into out (length labels.length). Must not allocate. */
  read(state: ChainState, out: Float64Array): void;
}

/** Items sorted into sweep order (stable within a stage). */
export function sweepOrder<T extends { readonly stage: Stage }>(blocks: readonly T[]): T[] {
  return blocks
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.stage - y.b.stage || x.i - y.i)
    .map((x) => x.b);
}
