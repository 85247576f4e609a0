/**
 * BRR (Bayesian ridge regression): β_j ~ N(0, σ²β) iid, σ²β ~ Scaled-Inv-χ²(ν, s²).
 *
 * Full conditionals (Pérez & de los Campos 2014, BGLR):
 *   β_j | rest ~ N( r_j/(x_j'x_j + λ), σ²e/(x_j'x_j + λ) ),  λ = σ²e/σ²β,  r_j = x_j'e + x_j'x_j β_j
 *   σ²β | β    ~ Scaled-Inv-χ²(ν + p, (ν s² + β'β)/(ν + p))
 * With σ²β and σ²e fixed this is SNP-BLUP (ridge regression), whose posterior mean is the MME
 * solution.
 */
import { markerVariancePrior } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import type { RandomSource } from '../../rng/rng.js';
import type { BrrSpec } from '../../types.js';
import { type ChainMemory, chainArray, MarkerBlockBase, type MarkerPriorModule } from './base.js';
import type { PriorShare } from '../../mcmc/block.js';
import { normal } from '../../rng/dist.js';
import { CommonVariance, type CommonVarianceHyper, commonVarianceFromPrior } from './variances.js';

interface BrrState {
  readonly beta: Float64Array;
  readonly varB: Float64Array;
  readonly [array: string]: Float64Array;
}

class BrrBlock extends MarkerBlockBase<BrrState> {
  private readonly variance: CommonVariance;
  readonly priorShares: readonly PriorShare[];

  constructor(md: MarkerDesign, hyper: CommonVarianceHyper, names: MarkerSetNames, mem: ChainMemory) {
    super(md, names, brr.params(hyper, names), { beta: chainArray(mem, md.p), varB: chainArray(mem, 1) }, mem);
    this.variance = new CommonVariance(hyper, names.variance);
    this.priorShares = this.variance.priorShares;
  }

  /** Start at β = 0 and σ²β at its prior scale (or the fixed value). Mutates: varB. */
  init(): void {
    this.state.varB[0] = this.variance.start();
  }

  /** Mutates: β, varB, e. */
  update(state: ChainState, rng: RandomSource): void {
    const { beta, varB } = this.state;
    const varE = state.varE[0];
    rng.normals(this.z);
    this.kernel.normalSweep(this.md.desc, state.e.byteOffset, beta.byteOffset, varB.byteOffset, 1, varE, varE, this.z.byteOffset);
    varB[0] = this.variance.draw(beta, varB[0], rng);
  }

  protected recordOwn(row: Float64Array, offset: number): void {
    row[offset] = this.state.varB[0];
  }
}

export const brr: MarkerPriorModule<BrrSpec, CommonVarianceHyper> = {
  resolve(ctx) {
    const report = markerVariancePrior(ctx.names.term, ctx.userPrior, ctx.varY, ctx.r2, ctx.md.msx);
    return {
      hyper: { df: report.df, scale: report.scale, fixed: ctx.fixedVariance },
      report,
      rules: report.rule ? [`${ctx.names.variance}: ${report.rule}`] : [],
    };
  },
  params: (hyper, names) => ({ own: [names.variance], mixture: false, shares: hyper.fixed === undefined ? [names.variance] : [] }),
  create: (md, hyper, names, mem) => new BrrBlock(md, hyper, names, mem),
  /** σ²β from its prior, then β_j ~ N(0, σ²β). */
  simulate(md, hyper, names, _varE, rng) {
    const varB = commonVarianceFromPrior(hyper, rng);
    const beta = Float64Array.from({ length: md.p }, () => Math.sqrt(varB) * normal(rng));
    return { beta, truth: hyper.fixed === undefined ? { [names.variance]: varB } : {} };
  },
};
