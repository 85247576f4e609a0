/**
 * BRR (Bayesian ridge regression): β_j ~ N(0, σ²β) iid, σ²β ~ Scaled-Inv-χ²(ν, s²).
 *
 * Full conditionals (Pérez & de los Campos 2014, BGLR; seeds/002, Bayesian marker regression):
 *   β_j | rest ~ N( r_j/(x_j'x_j + λ), σ²e/(x_j'x_j + λ) ),  λ = σ²e/σ²β,  r_j = x_j'e + x_j'x_j β_j
 *   σ²β | β    ~ Scaled-Inv-χ²(ν + p, (ν s² + β'β)/(ν + p))
 * With σ²β and σ²e fixed this is SNP-BLUP (ridge regression), whose posterior mean is the MME
 * solution.
 */
import { markerScale, DEFAULT_DF } from '../../model/defaults.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { CommonVariance, MarkerBlockBase, normalSweep, scalar, type MarkerContext, type MarkerHyper, type MarkerPriorModule } from './kernel.js';

class BrrBlock extends MarkerBlockBase {
  private readonly variance: CommonVariance;

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    super(ctx.design, ['var[markers]'], false);
    this.variance = new CommonVariance(ctx, hyper);
  }

  allocate(): MarkerState {
    return { beta: new Float64Array(this.md.p), extra: { varB: scalar() } };
  }

  /** Start at β = 0 and σ²β at its prior scale (or the fixed value). Mutates: varB. */
  init(state: ChainState): void {
    state.markers!.extra.varB[0] = this.variance.start();
  }

  /** Mutates: β, varB, e. */
  update(state: ChainState, rng: UniformSource): void {
    const beta = state.markers!.beta;
    const varB = state.markers!.extra.varB;
    normalSweep(this.md, state.e, beta, varB, true, state.varE[0], rng, this.updates);
    varB[0] = this.variance.draw(beta, varB[0], rng);
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.markers!.extra.varB[0];
  }
}

export const brr: MarkerPriorModule = {
  hyper(ctx) {
    const user = ctx.userPrior;
    const d = markerScale(ctx.varY, ctx.r2, ctx.md.msx, DEFAULT_DF);
    const report = user
      ? { term: 'markers', df: user.df, scale: user.scale, source: 'user' as const }
      : { term: 'markers', df: DEFAULT_DF, scale: d.scale, source: 'default' as const, rule: d.rule };
    return { prior: 'BRR', values: { df: report.df, scale: report.scale }, rules: report.rule ? [`var[markers]: ${report.rule}`] : [], report };
  },
  create: (ctx, hyper) => new BrrBlock(ctx, hyper),
};
