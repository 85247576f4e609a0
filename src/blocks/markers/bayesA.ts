/**
 * BayesA (Meuwissen, Hayes & Goddard 2001), with BGLR's estimated scale: β_j ~ N(0, σ²_j),
 * σ²_j ~ S·Inv-χ²(ν) (i.e. Scaled-Inv-χ²(ν, S/ν)), S ~ Gamma(shape, rate).
 *
 * Full conditionals (Pérez & de los Campos 2014):
 *   β_j | rest  ~ N( r_j/c_j, σ²e/c_j ),  c_j = x_j'x_j + σ²e/σ²_j
 *   (S, σ²) | β as one block (SpecificVariances): S | β with σ² integrated out, by slice sampling,
 *   then σ²_j | β_j, S ~ (S + β_j²)/χ²(ν + 1)
 * Traced: scale[TERM] = S/ν (the s² of the {df, scale} convention).
 */
import { markerVariancePrior, scaleGammaPrior } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import type { RandomSource } from '../../rng/rng.js';
import type { BayesASpec, BayesBSpec } from '../../types.js';
import { type ChainMemory, chainArray, MarkerBlockBase, type MarkerContext, type MarkerPriorModule, type ResolvedPrior } from './base.js';
import { normal } from '../../rng/dist.js';
import { SpecificVariances, type SpecificVarianceHyper, specificVariancesFromPrior } from './variances.js';

/**
 * Hyper-parameters of marker-specific variances (BayesA and BayesB share the rule): the scale's
 * prior mode var(y)·R²/MSx/probIn, and S ~ Gamma(shape, (shape − 1)/S0). A fixed "variance" of the
 * set holds S/ν.
 */
export function specificVarianceHyper(ctx: MarkerContext<BayesASpec | BayesBSpec>, probIn: number): ResolvedPrior<SpecificVarianceHyper> {
  const report = markerVariancePrior(ctx.names.term, ctx.userPrior, ctx.varY, ctx.r2, ctx.md.msx, probIn);
  const rules = report.rule ? [`${ctx.names.scale} (S/df): ${report.rule}`] : [];
  const gamma = scaleGammaPrior(ctx.spec.shape, report, rules);
  const fixedS = ctx.fixedVariance === undefined ? undefined : ctx.fixedVariance * report.df;
  return { hyper: { df: report.df, scale: report.scale, ...gamma, fixedS }, report, rules };
}

interface BayesAState {
  readonly beta: Float64Array;
  readonly varJ: Float64Array;
  readonly S: Float64Array;
  readonly [array: string]: Float64Array;
}

class BayesABlock extends MarkerBlockBase<BayesAState> {
  private readonly variances: SpecificVariances;

  constructor(md: MarkerDesign, hyper: SpecificVarianceHyper, names: MarkerSetNames, mem: ChainMemory) {
    super(md, names, bayesA.params(hyper, names), { beta: chainArray(mem, md.p), varJ: chainArray(mem, md.p), S: chainArray(mem, 1) }, mem);
    this.variances = new SpecificVariances(hyper);
  }

  /** σ²_j start at the prior mode S/(ν + 2). Mutates: varJ, S. */
  init(): void {
    this.variances.init(this.state.varJ, this.state.S);
  }

  /** Mutates: β, varJ, S, e. */
  update(state: ChainState, rng: RandomSource): void {
    const { beta, varJ, S } = this.state;
    const varE = state.varE[0];
    rng.normals(this.z);
    this.kernel.normalSweep(this.md.desc, state.e.byteOffset, beta.byteOffset, varJ.byteOffset, 0, varE, varE, this.z.byteOffset);
    this.variances.update(beta, varJ, S, rng);
  }

  protected recordOwn(row: Float64Array, offset: number): void {
    row[offset] = this.state.S[0] / this.variances.df;
  }
}

export const bayesA: MarkerPriorModule<BayesASpec, SpecificVarianceHyper> = {
  resolve: (ctx) => specificVarianceHyper(ctx, 1),
  params: (_hyper, names) => ({ own: [names.scale], mixture: false }),
  create: (md, hyper, names, mem) => new BayesABlock(md, hyper, names, mem),
  /** S and σ²_j from the prior, then β_j ~ N(0, σ²_j). */
  simulate(md, hyper, names, _varE, rng) {
    const varJ = new Float64Array(md.p);
    const S = specificVariancesFromPrior(hyper, varJ, rng);
    const beta = Float64Array.from(varJ, (v) => Math.sqrt(v) * normal(rng));
    return { beta, truth: hyper.fixedS === undefined ? { [names.scale]: S / hyper.df } : {} };
  },
};
