/**
 * The variance updates the marker priors share: one common variance (BRR, BayesC, BayesCπ), and
 * marker-specific variances with an estimated scale (BayesA, BayesB).
 */
import { chiSquare, chiSquares, gamma, scaledInvChiSquare, sliceSample, sumLogShifted } from '../../rng/dist.js';
import type { RandomSource, UniformSource } from '../../rng/rng.js';
import { type PriorShare, priorShareOf } from '../../mcmc/block.js';

/** A common marker variance's hyper-parameters: σ²β ~ Scaled-Inv-χ²(df, scale), or held at `fixed`. */
export interface CommonVarianceHyper {
  df: number;
  scale: number;
  fixed?: number;
}

/** σ²β from its prior Scaled-Inv-χ²(ν, s²), or its fixed value (simulation-based calibration). */
export function commonVarianceFromPrior(hyper: CommonVarianceHyper, rng: UniformSource): number {
  return hyper.fixed ?? scaledInvChiSquare(rng, hyper.df, hyper.scale);
}

/**
 * A common marker variance σ²β ~ Scaled-Inv-χ²(ν, s²), or held fixed:
 *   σ²β | b ~ (ν s² + b'b)/χ²(ν + m)
 * (Gelman et al., Bayesian Data Analysis, 3rd ed., §2.6).
 */
export class CommonVariance {
  private readonly df: number;
  private readonly scale: number;
  private readonly fixed: number | undefined;
  /** The prior's share of the last draw's scale (none when held fixed). */
  readonly priorShares: readonly PriorShare[];

  constructor(hyper: CommonVarianceHyper, variable: string) {
    this.df = hyper.df;
    this.scale = hyper.scale;
    this.fixed = hyper.fixed;
    this.priorShares = hyper.fixed === undefined ? [{ variable, value: Number.NaN }] : [];
  }

  /** The starting value: the prior scale, or the fixed value. */
  start(): number {
    return this.fixed ?? this.scale;
  }

  /**
   * A draw of σ²β ~ (ν s² + Σ β_j²)/χ²(ν + m) given the m effects in the model, or the fixed value.
   * In a mixture, `beta` is zero for the markers out and `m` counts those in: their effects, prior
   * draws that carry no information, are integrated out (as JWAS does) rather than drawn and then
   * conditioned on (BGLR), which would tie σ²β to p − m prior draws and slow its chain.
   */
  draw(beta: Float64Array, current: number, rng: UniformSource, m = beta.length): number {
    if (this.fixed !== undefined) return current;
    let ss = 0;
    for (let j = 0; j < beta.length; j++) ss += beta[j] * beta[j];
    this.priorShares[0].value = priorShareOf(this.df * this.scale, ss);
    return (this.df * this.scale + ss) / chiSquare(rng, this.df + m);
  }
}

/** Marker-specific variances' hyper-parameters: σ²_j ~ S·Inv-χ²(df), S ~ Gamma(shape, rate), or S held at `fixedS`. */
export interface SpecificVarianceHyper {
  df: number;
  /** The prior's s² = S0/df (S0 the starting S). */
  scale: number;
  shape: number;
  rate: number;
  fixedS?: number;
}

/**
 * S ~ Gamma(shape, rate) (or fixed) and σ²_j ~ S/χ²(ν) from the prior (simulation-based
 * calibration). Mutates: varJ.
 */
export function specificVariancesFromPrior(hyper: SpecificVarianceHyper, varJ: Float64Array, rng: UniformSource): number {
  const S = hyper.fixedS ?? gamma(rng, hyper.shape) / hyper.rate;
  for (let j = 0; j < varJ.length; j++) varJ[j] = S / chiSquare(rng, hyper.df);
  return S;
}

/**
 * Marker-specific variances σ²_j ~ S·Inv-χ²(ν) with S ~ Gamma(shape, rate) (BayesA, BayesB; BGLR's
 * parameterisation), or S held fixed. (S, σ²) are drawn as one block given the m effects b_j in the
 * model (all p for BayesA; δ_j = 1 for BayesB, whose other b_j are prior draws and are integrated out):
 *   S | b     ∝ S^(shape − 1 + mν/2) · exp(−rate·S) · Π_{j in} (S + b_j²)^(−(ν+1)/2)   (σ² integrated
 *               out: b_j | S is Student-t), by slice sampling on log S (Neal 2003, Ann. Statist. 31:705);
 *   σ²_j | b_j, S ~ (S + b_j²)/χ²(ν + 1) for the markers in, S/χ²(ν) (the prior) for those out.
 * BGLR draws S | σ² ~ Gamma(shape + pν/2, rate + Σ_j 1/(2σ²_j)) instead, which has the same stationary
 * distribution but moves S by about 1/sqrt(pν/2) of itself per iteration, because σ² and S pin each
 * other down; integrating σ² out removes that coupling (var[genetic] mixed at ESS ≈ 3 per 1,000
 * iterations on the wheat data with BGLR's update).
 */
export class SpecificVariances {
  readonly df: number;
  private readonly S0: number;
  private readonly shape: number;
  private readonly rate: number;
  private readonly fixedS: number | undefined;
  /** The m effects in the model, first in `inB` (set by update), that the log density of log S is evaluated for. */
  private inB: Float64Array = new Float64Array(0);
  private packed = new Float64Array(0);
  private m = 0;
  private readonly logDensity = (u: number): number => this.logScaleDensity(u);
  /** Bulk draws of the σ²_j's χ² variates: the draws and the normals and uniforms behind them. */
  private chi = new Float64Array(0);
  private z = new Float64Array(0);
  private u = new Float64Array(0);

  constructor(hyper: SpecificVarianceHyper) {
    this.df = hyper.df;
    this.S0 = hyper.df * hyper.scale;
    this.shape = hyper.shape;
    this.rate = hyper.rate;
    this.fixedS = hyper.fixedS;
  }

  /** S at its prior value (or fixed), every σ²_j at the prior mode S/(ν + 2). Mutates: varJ, S. */
  init(varJ: Float64Array, S: Float64Array): void {
    S[0] = this.fixedS ?? this.S0;
    varJ.fill(S[0] / (this.df + 2));
  }

  /** `inModel` (δ, 0/1 per marker) when only some b_j are in the model. Mutates: varJ, S. */
  update(b: Float64Array, varJ: Float64Array, S: Float64Array, rng: RandomSource, inModel?: Float64Array): void {
    if (this.fixedS === undefined) {
      // the m effects in the model, packed in order once, so that each density evaluation reads only them
      let m = b.length;
      if (inModel) {
        if (this.packed.length !== b.length) this.packed = new Float64Array(b.length);
        const packed = this.packed;
        m = 0;
        // without a branch on δ_j (as good as random)
        for (let j = 0; j < b.length; j++) {
          packed[m] = b[j];
          m += inModel[j];
        }
        this.inB = packed;
      } else this.inB = b;
      this.m = m;
      // the posterior SD of log S is about 1/sqrt(shape + mν/2): the slice width starts at twice that
      const w = 2 / Math.sqrt(this.shape + (m * this.df) / 2);
      S[0] = Math.exp(sliceSample(rng, Math.log(S[0]), this.logDensity, w));
    }
    const p = b.length;
    if (this.chi.length !== p) {
      this.chi = new Float64Array(p);
      this.z = new Float64Array(p);
      this.u = new Float64Array(p);
    }
    const df = this.df;
    // ν + 1 degrees of freedom for the markers in the model (δ_j = 1), ν for the others
    if (inModel) chiSquares(rng, df, inModel, this.chi, this.z, this.u);
    else chiSquares(rng, df + 1, undefined, this.chi, this.z, this.u);
    const s = S[0];
    const chi = this.chi;
    // δ_j (0 or 1) multiplies b_j² rather than choosing by a branch: the same values, no mispredictions
    if (inModel) for (let j = 0; j < p; j++) varJ[j] = (s + inModel[j] * (b[j] * b[j])) / chi[j];
    else for (let j = 0; j < p; j++) varJ[j] = (s + b[j] * b[j]) / chi[j];
  }

  /** log p(log S = u | b) up to a constant (the Jacobian S included). */
  logScaleDensity(u: number): number {
    const S = Math.exp(u);
    const sum = sumLogShifted(S, this.inB, this.m);
    return (this.shape + (this.m * this.df) / 2) * u - this.rate * S - ((this.df + 1) / 2) * sum;
  }
}
