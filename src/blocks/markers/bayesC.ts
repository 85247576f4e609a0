/**
 * BayesC and BayesCπ (Habier, Fernando, Kizilkaya & Garrick 2011, BMC Bioinformatics 12:186), in
 * BGLR's parameterisation: β_j = δ_j·b_j, P(δ_j = 0) = π, b_j ~ N(0, σ²β) with one common
 * σ²β ~ Scaled-Inv-χ²(ν, s²); BayesCπ also draws π ~ Beta(a, b).
 *
 * Full conditionals: δ_j with b_j integrated out and b_j | δ_j (mixtureSweep), then
 *   σ²β | β, δ ~ (ν s² + Σ_{δ_j = 1} b_j²)/χ²(ν + m), m = Σ δ_j (the prior draws b_j of the markers
 *   out integrated out; see CommonVariance)
 *   π | δ   ~ Beta(a + #{δ_j = 0}, b + #{δ_j = 1})
 */
import { markerVariancePrior, piSetting, type PiSetting } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import type { UniformSource } from '../../rng/rng.js';
import type { BayesCpiSpec, BayesCSpec } from '../../types.js';
import { MarkerBlockBase, scalar, type MarkerPriorModule } from './base.js';
import { drawPi, mixtureSweep } from './sweeps.js';
import { CommonVariance, type CommonVarianceHyper } from './variances.js';

export type BayesCHyper = CommonVarianceHyper & { pi: PiSetting };

interface BayesCState {
  readonly beta: Float64Array;
  readonly b: Float64Array;
  readonly delta: Float64Array;
  readonly varB: Float64Array;
  readonly pi: Float64Array;
  readonly [array: string]: Float64Array;
}

class BayesCBlock extends MarkerBlockBase<BayesCState> {
  private readonly variance: CommonVariance;
  private readonly pi: PiSetting;

  constructor(md: MarkerDesign, hyper: BayesCHyper, names: MarkerSetNames) {
    const p = md.p;
    const delta = new Float64Array(p);
    super(md, names, bayesCParams(hyper, names), { beta: new Float64Array(p), b: new Float64Array(p), delta, varB: scalar(), pi: scalar() }, delta);
    this.variance = new CommonVariance(hyper);
    this.pi = hyper.pi;
  }

  /** All markers out, σ²β at its prior scale, π at its starting value. Mutates: varB, π. */
  init(): void {
    this.state.varB[0] = this.variance.start();
    this.state.pi[0] = this.pi.pi;
  }

  /** Mutates: β, b, δ, varB, π, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { beta, b, delta, varB, pi } = this.state;
    mixtureSweep(this.md, state.e, beta, b, delta, varB, true, state.varE[0], pi[0], rng, this.updates);
    let m = 0;
    for (let j = 0; j < delta.length; j++) m += delta[j];
    varB[0] = this.variance.draw(beta, varB[0], rng, m);
    if (this.pi.estimate) pi[0] = drawPi(delta, this.pi.a, this.pi.b, rng);
  }

  protected recordOwn(row: Float64Array, offset: number): void {
    row[offset] = this.state.varB[0];
    if (this.pi.estimate) row[offset + 1] = this.state.pi[0];
  }
}

function bayesCParams(hyper: BayesCHyper, names: MarkerSetNames): { own: string[]; mixture: boolean } {
  return { own: hyper.pi.estimate ? [names.variance, names.pi] : [names.variance], mixture: true };
}

/** BayesC (π fixed unless estimatePi) and BayesCπ (π estimated unless estimatePi is false) differ only in that default. */
function module<S extends BayesCSpec | BayesCpiSpec>(estimateByDefault: boolean): MarkerPriorModule<S, BayesCHyper> {
  return {
    resolve(ctx) {
      const piRules: string[] = [];
      const pi = piSetting(ctx.spec, estimateByDefault, piRules);
      const report = markerVariancePrior(ctx.names.term, ctx.userPrior, ctx.varY, ctx.r2, ctx.md.msx, 1 - pi.pi);
      return {
        hyper: { df: report.df, scale: report.scale, fixed: ctx.fixedVariance, pi },
        report,
        rules: [...(report.rule ? [`${ctx.names.variance}: ${report.rule}`] : []), ...piRules],
      };
    },
    params: bayesCParams,
    create: (md, hyper, names) => new BayesCBlock(md, hyper, names),
  };
}

export const bayesC = module<BayesCSpec>(false);
export const bayesCpi = module<BayesCpiSpec>(true);
