/**
 * Variance blocks. Every variance has a scaled-inverse-χ² prior Scaled-Inv-χ²(ν, s²), and given the
 * q values it scales (sum of squares SS) its full conditional is
 *
 *   σ² | rest ~ Scaled-Inv-χ²(ν + q, (ν s² + SS)/(ν + q)),  drawn as (ν s² + SS)/χ²(ν + q)
 *
 * (Gelman et al., Bayesian Data Analysis, 3rd ed., §2.6 / §3.2; DESIGN.md conventions).
 * - a random term: SS = u_k'K⁻¹u_k (u_k'u_k when iid), q = number of levels;
 * - the residual: SS = e'e, q = n.
 * A variance held fixed by the spec is a FixedVarianceBlock, which sets it once and still traces it.
 */
import type { Design } from '../model/design.js';
import { chiSquare, normal } from '../rng/dist.js';
import type { UniformSource } from '../rng/rng.js';
import { Stage, type Block, type PriorShare, priorShareOf } from '../mcmc/block.js';
import type { ChainState } from '../mcmc/state.js';
import type { SparseSym } from '../linalg/sparse.js';
import { VAR_RESIDUAL, varianceName } from '../model/names.js';
import type { VariancePrior } from '../types.js';

/** u'K⁻¹u. */
function quadraticForm(a: SparseSym, u: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.n; i++) {
    let row = 0;
    for (let t = a.rowPtr[i]; t < a.rowPtr[i + 1]; t++) row += a.values[t] * u[a.colIdx[t]];
    s += u[i] * row;
  }
  return s;
}

function sumSquares(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/**
 * Starting value of a variance: its prior's scale times a chain-specific factor exp(z/2), so that
 * chains start over-dispersed (which R-hat needs to be informative).
 */
function dispersedStart(prior: VariancePrior, rng: UniformSource): number {
  return prior.scale * Math.exp(0.5 * normal(rng));
}

/** σ²u of random term k. */
export class RandomVarianceBlock implements Block {
  readonly stage = Stage.Variance;
  readonly params: readonly string[];
  private readonly k: number;
  private readonly prior: VariancePrior;

  private readonly kinv: SparseSym | undefined;
  readonly priorShares: readonly PriorShare[];

  constructor(design: Design, k: number, prior: VariancePrior) {
    this.k = k;
    this.prior = prior;
    this.params = [varianceName(design.random[k].term)];
    this.kinv = design.random[k].cov?.kinv;
    this.priorShares = [{ variable: this.params[0], value: Number.NaN }];
  }

  /** Mutates: varU[k]. */
  init(state: ChainState, rng: UniformSource): void {
    state.varU[this.k] = dispersedStart(this.prior, rng);
  }

  /**
   * σ²u_k | u_k ~ Scaled-Inv-χ²(ν + q, (ν s² + u_k'K⁻¹u_k)/(ν + q)), K = I for an iid term.
   * Mutates: varU[k], its prior share.
   */
  update(state: ChainState, rng: UniformSource): void {
    const u = state.u[this.k];
    const { df, scale } = this.prior;
    const ss = this.kinv ? quadraticForm(this.kinv, u) : sumSquares(u);
    this.priorShares[0].value = priorShareOf(df * scale, ss);
    state.varU[this.k] = (df * scale + ss) / chiSquare(rng, df + u.length);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.varU[this.k];
  }
}

/** A block whose prior scales with σ²e adds to its full conditional (the Bayesian LASSO). */
export interface ResidualContributor {
  residualContribution(): { ss: number; df: number };
}

/** σ²e, the residual variance. */
export class ResidualVarianceBlock implements Block {
  readonly stage = Stage.Residual;
  readonly params = [VAR_RESIDUAL];
  private readonly prior: VariancePrior;
  private readonly contributors: readonly ResidualContributor[];
  readonly priorShares: readonly PriorShare[] = [{ variable: VAR_RESIDUAL, value: Number.NaN }];

  constructor(prior: VariancePrior, contributors: readonly ResidualContributor[] = []) {
    this.prior = prior;
    this.contributors = contributors;
  }

  /** Mutates: varE. */
  init(state: ChainState, rng: UniformSource): void {
    state.varE[0] = dispersedStart(this.prior, rng);
  }

  /**
   * σ²e | e ~ Scaled-Inv-χ²(ν + n + Σdf_c, (ν s² + e'e + Σss_c)/(ν + n + Σdf_c)), where (ss_c, df_c)
   * come from blocks whose prior scales with σ²e. Mutates: varE, its prior share.
   */
  update(state: ChainState, rng: UniformSource): void {
    const { df, scale } = this.prior;
    let ss = df * scale + sumSquares(state.e);
    let dof = df + state.e.length;
    for (const c of this.contributors) {
      const add = c.residualContribution();
      ss += add.ss;
      dof += add.df;
    }
    this.priorShares[0].value = priorShareOf(df * scale, ss - df * scale);
    state.varE[0] = ss / chiSquare(rng, dof);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.varE[0];
  }
}

/**
 * A variance held fixed (spec `fixedVariances`): sets the value at init, never draws, and still
 * traces it so every run has the same columns.
 */
export class FixedVarianceBlock implements Block {
  readonly stage = Stage.Variance;
  readonly params: readonly string[];
  private readonly target: (state: ChainState) => Float64Array;
  private readonly index: number;
  private readonly value: number;

  constructor(name: string, value: number, target: (state: ChainState) => Float64Array, index: number) {
    this.params = [varianceName(name)];
    this.value = value;
    this.target = target;
    this.index = index;
  }

  /** Mutates: the variance it holds. */
  init(state: ChainState): void {
    this.target(state)[this.index] = this.value;
  }

  update(): void {}

  record(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = this.target(state)[this.index];
  }
}
