/**
 * BayesA (Meuwissen, Hayes & Goddard 2001), with BGLR's estimated scale: β_j ~ N(0, σ²_j),
 * σ²_j ~ S·Inv-χ²(ν) (i.e. Scaled-Inv-χ²(ν, S/ν)), S ~ Gamma(shape, rate).
 *
 * Full conditionals (Pérez & de los Campos 2014):
 *   β_j | rest  ~ N( r_j/c_j, σ²e/c_j ),  c_j = x_j'x_j + σ²e/σ²_j
 *   (S, σ²) | β as one block (SpecificVariances in kernel.ts): S | β with σ² integrated out, by
 *   slice sampling, then σ²_j | β_j, S ~ (S + β_j²)/χ²(ν + 1)
 * Traced: scale[markers] = S/ν (the s² of the {df, scale} convention).
 */
import { DEFAULT_DF, markerScale } from '../../model/defaults.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { MarkerBlockBase, normalSweep, scalar, SpecificVariances, type MarkerContext, type MarkerHyper, type MarkerPriorModule } from './kernel.js';

/** Hyper-parameters of marker-specific variances (BayesA and BayesB share the rule). */
export function specificVarianceHyper(ctx: MarkerContext, prior: string, probIn: number, extraRules: string[]): MarkerHyper {
  const shape = ctx.spec.shape ?? 1.1;
  const user = ctx.userPrior;
  const d = markerScale(ctx.varY, ctx.r2, ctx.md.msx, DEFAULT_DF, probIn);
  const report = user
    ? { term: 'markers', df: user.df, scale: user.scale, source: 'user' as const }
    : { term: 'markers', df: DEFAULT_DF, scale: d.scale, source: 'default' as const, rule: d.rule };
  const S0 = report.df * report.scale;
  const rate = (shape - 1) / S0;
  const rules = [...(report.rule ? [`scale[markers] (S/df): ${report.rule}`] : []), `S ~ Gamma(shape ${shape}, rate (shape − 1)/S0 = ${Number(rate.toPrecision(6))}), S0 = df·scale = ${Number(S0.toPrecision(6))} (BGLR)`, ...extraRules];
  return { prior, values: { df: report.df, scale: report.scale, shape, rate }, rules, report };
}

class BayesABlock extends MarkerBlockBase {
  private readonly variances: SpecificVariances;

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    super(ctx.design, ['scale[markers]'], false);
    this.variances = new SpecificVariances(ctx, hyper);
  }

  allocate(): MarkerState {
    return { beta: new Float64Array(this.md.p), extra: { varJ: new Float64Array(this.md.p), S: scalar() } };
  }

  /** σ²_j start at the prior mode S/(ν + 2). Mutates: varJ, S. */
  init(state: ChainState): void {
    const { varJ, S } = state.markers!.extra;
    this.variances.init(varJ, S);
  }

  /** Mutates: β, varJ, S, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { beta, extra } = state.markers!;
    const { varJ, S } = extra;
    normalSweep(this.md, state.e, beta, varJ, false, state.varE[0], rng, this.updates);
    this.variances.update(beta, varJ, S, rng);
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.markers!.extra.S[0] / this.variances.df;
  }
}

export const bayesA: MarkerPriorModule = {
  hyper: (ctx) => specificVarianceHyper(ctx, 'BayesA', 1, []),
  create: (ctx, hyper) => new BayesABlock(ctx, hyper),
};
