/**
 * The latent trait of a multi-trait model: one binary, ordinal or censored trait a beside Gaussian
 * traits (Korsgaard, Andersen & Sorensen 2003; Sorensen & Gianola 2002, §14.4). Given the other
 * traits' residuals e_{−a,i} of record i, the latent value is normal with
 *
 *   m_i = μ_i + R_{a,−a} R_{−a,−a}⁻¹ e_{−a,i},   v = R_aa − R_{a,−a} R_{−a,−a}⁻¹ R_{−a,a}
 *
 * (μ_i = y_ai − e_ai the fitted value of trait a, R = R0, R_aa = 1 for a liability), truncated to the
 * record's category interval or censoring bounds; an ordinal trait's thresholds are drawn first, by
 * Cowles' step or plain Gibbs as in ../liability.ts, with l_i ~ N(m_i, v). Records missing trait a
 * are left to the missing-trait block, which runs before this one.
 */
import { choleskyInPlace, cholSolve } from '../../linalg/dense.js';
import { Stage, type Block } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import type { FamilyDesign } from '../../model/family.js';
import { ofTrait } from '../../model/names.js';
import type { RandomSource } from '../../rng/rng.js';
import { LatentDraw, recordThresholds, type ThresholdSettings, thresholdParams } from '../liability.js';

/** The one non-Gaussian trait of a multivariate design, with its index. */
export function latentTrait(design: Design): { trait: number; family: Exclude<FamilyDesign, { kind: 'gaussian' }> } | undefined {
  const trait = design.traits.families.findIndex((f) => f.kind !== 'gaussian');
  if (trait < 0) return undefined;
  return { trait, family: design.traits.families[trait] as Exclude<FamilyDesign, { kind: 'gaussian' }> };
}

/** The traced thresholds of a multivariate design's ordinal trait: threshold[k](TRAIT). */
export function multiThresholdParams(design: Design): string[] {
  const latent = latentTrait(design);
  if (!latent) return [];
  return thresholdParams(latent.family).map((name) => ofTrait(name, design.traits.names[latent.trait], design.traits.t));
}

export class MultiLiabilityBlock implements Block {
  readonly stage = Stage.Augment;
  readonly params: readonly string[];
  private readonly n: number;
  private readonly t: number;
  private readonly a: number;
  private readonly latentDraw: LatentDraw;
  /** The other traits, R_{−a,−a}'s factor and the regression coefficients R_{−a,−a}⁻¹ R_{−a,a}. */
  private readonly others: Int32Array;
  private readonly factor: Float64Array;
  private readonly coefficients: Float64Array;
  /** m_i of the current sweep. */
  private readonly m: Float64Array;

  constructor(design: Design, settings: ThresholdSettings) {
    const latent = latentTrait(design)!;
    this.n = design.n;
    this.t = design.traits.t;
    this.a = latent.trait;
    this.latentDraw = new LatentDraw(latent.family, settings);
    this.params = multiThresholdParams(design);
    this.others = Int32Array.from({ length: this.t }, (_, s) => s).filter((s) => s !== this.a);
    const o = this.t - 1;
    this.factor = new Float64Array(o * o);
    this.coefficients = new Float64Array(o);
    this.m = new Float64Array(this.n);
  }

  /** The state starts from startLatent's values (buildMultiSampler). */
  init(): void {}

  /** Mutates: the latent column of y (state.latent.y is a view of it), its residual column, and the thresholds. */
  update(state: ChainState, rng: RandomSource): void {
    const { n, t, a, others, factor, coefficients, m } = this;
    const multi = state.multi!;
    const r0 = multi.covE;
    const { pitch } = multi;
    const e = state.e;
    const l = state.latent!.y;
    const o = t - 1;
    // coefficients = R_{−a,−a}⁻¹ R_{−a,a}; v = R_aa − R_{a,−a}·coefficients
    for (let p = 0; p < o; p++) {
      coefficients[p] = r0[others[p] * t + a];
      for (let q = 0; q < o; q++) factor[p * o + q] = r0[others[p] * t + others[q]];
    }
    let v = r0[a * t + a];
    if (o > 0) {
      if (choleskyInPlace(factor, o) >= 0) throw new Error('the residual covariance of the other traits is not positive definite');
      cholSolve(factor, o, coefficients);
      for (let p = 0; p < o; p++) v -= r0[a * t + others[p]] * coefficients[p];
    }
    const ea = a * pitch;
    for (let i = 0; i < n; i++) {
      let shift = 0;
      for (let p = 0; p < o; p++) shift += coefficients[p] * e[others[p] * pitch + i];
      m[i] = l[i] - e[ea + i] + shift;
    }
    this.latentDraw.draw(state.latent!, e, ea, m, Math.sqrt(v), rng);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    recordThresholds(state, this.params.length, row, offset);
  }
}
