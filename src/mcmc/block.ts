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
