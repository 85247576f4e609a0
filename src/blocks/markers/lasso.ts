/**
 * Bayesian LASSO (Park & Casella 2008), as in BGLR: β_j | τ²_j ~ N(0, σ²e τ²_j),
 * τ²_j ~ Exp(λ²/2), λ² ~ Gamma(shape, rate) (or λ fixed).
 *
 * Full conditionals (Park & Casella 2008, §2):
 *   β_j | rest      ~ N( r_j/c_j, σ²e/c_j ),  c_j = x_j'x_j + 1/τ²_j
 *   (λ, τ²) | β, σ²e as one block: λ with τ² integrated out (β_j | λ, σ²e is Laplace with rate λ/σe),
 *     p(λ | β, σ²e) ∝ λ^(2·shape − 1 + p) · exp(−rate·λ² − λ·Σ_j|β_j|/σe), by slice sampling on
 *     log λ (Neal 2003); then 1/τ²_j | β_j, λ ~ Inverse-Gaussian( sqrt(λ² σ²e/β_j²), λ² ).
 *   (Park & Casella draw λ² | τ² ~ Gamma(shape + p, rate + Σ_j τ²_j/2), the same stationary
 *   distribution, but τ² and λ pin each other down and λ then moves slowly.)
 * and, because the prior of β scales with σ²e, the residual variance's full conditional gains
 * SS += Σ_j β_j²/τ²_j and df += p (residualContribution).
 */
import { inverseGaussian, normal, sliceSample } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { MixmcError } from '../../errors.js';
import { MarkerBlockBase, scalar, type MarkerContext, type MarkerHyper, type MarkerPriorModule } from './kernel.js';

class LassoBlock extends MarkerBlockBase {
  private readonly lambda0: number;
  private readonly shape: number;
  private readonly rate: number;
  private readonly estimate: boolean;

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    super(ctx.design, ['lambda'], false);
    this.lambda0 = hyper.values.lambda as number;
    this.shape = hyper.values.shape as number;
    this.rate = hyper.values.rate as number;
    this.estimate = hyper.values.estimateLambda as boolean;
  }

  allocate(): MarkerState {
    return { beta: new Float64Array(this.md.p), extra: { tau2: new Float64Array(this.md.p), lambda2: scalar() } };
  }

  /** λ at its starting value and τ²_j at their prior mean 2/λ². Mutates: tau2, lambda2. */
  init(state: ChainState): void {
    const { tau2, lambda2 } = state.markers!.extra;
    lambda2[0] = this.lambda0 * this.lambda0;
    tau2.fill(2 / lambda2[0]);
  }

  /** Mutates: β, tau2, lambda2, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { x, xx, n, p } = this.md;
    const e = state.e;
    const { beta, extra } = state.markers!;
    const { tau2, lambda2 } = extra;
    const varE = state.varE[0];
    for (let j = 0; j < p; j++) {
      const off = j * n;
      const c = xx[j] + 1 / tau2[j];
      const r = this.updates.dot(x, off, e, n) + xx[j] * beta[j];
      const bNew = r / c + Math.sqrt(varE / c) * normal(rng);
      this.updates.add(off, beta[j] - bNew, x, e, n);
      beta[j] = bNew;
    }
    this.updates.flush(x, e, n);
    if (this.estimate) {
      let abs = 0;
      for (let j = 0; j < p; j++) abs += Math.abs(beta[j]);
      const lambda = lambdaGivenEffects(rng, Math.sqrt(lambda2[0]), abs / Math.sqrt(varE), p, this.shape, this.rate);
      lambda2[0] = lambda * lambda;
    }
    for (let j = 0; j < p; j++) {
      const mu = Math.sqrt((lambda2[0] * varE) / (beta[j] * beta[j]));
      tau2[j] = 1 / inverseGaussian(rng, mu, lambda2[0]);
    }
  }

  residualContribution(state: ChainState): { ss: number; df: number } {
    const { beta, extra } = state.markers!;
    let ss = 0;
    for (let j = 0; j < beta.length; j++) ss += (beta[j] * beta[j]) / extra.tau2[j];
    return { ss, df: beta.length };
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = Math.sqrt(state.markers!.extra.lambda2[0]);
  }
}

/**
 * A slice-sampling update of λ from p(λ | β, σ²e) ∝ λ^(2·shape − 1 + p) · exp(−rate·λ² − λ·a), with
 * a = Σ_j|β_j|/σe and λ² ~ Gamma(shape, rate) a priori; on v = log λ the log density
 * (2·shape + p)·v − rate·e^(2v) − a·e^v is concave.
 */
export function lambdaGivenEffects(rng: UniformSource, lambda: number, a: number, p: number, shape: number, rate: number): number {
  const k = 2 * shape + p;
  const logf = (v: number): number => k * v - rate * Math.exp(2 * v) - a * Math.exp(v);
  return Math.exp(sliceSample(rng, Math.log(lambda), logf, 2 / Math.sqrt(k)));
}

export const lasso: MarkerPriorModule = {
  hyper(ctx) {
    if (ctx.fixedVariance !== undefined || ctx.userPrior !== undefined) {
      throw new MixmcError('the Bayesian LASSO has no marker variance; set "lambda" and "lambdaPrior" in markers instead', { term: 'markers' });
    }
    const rules: string[] = [];
    const lambdaDefault = Math.sqrt((2 * (1 - ctx.r2)) / ctx.r2 * ctx.md.msx);
    const lambda = ctx.spec.lambda ?? lambdaDefault;
    if (ctx.spec.lambda === undefined) rules.push(`lambda = sqrt(2·(1 − R²)/R²·MSx) = sqrt(2·${1 - ctx.r2}/${ctx.r2}·${Number(ctx.md.msx.toPrecision(6))}) = ${Number(lambda.toPrecision(6))} (BGLR)`);
    const lp = ctx.spec.lambdaPrior;
    const estimate = lp !== 'fixed';
    const given = typeof lp === 'object' ? lp : undefined;
    const shape = given ? given.shape : ctx.spec.shape ?? 1.1;
    const rate = given ? given.rate : (shape - 1) / (lambda * lambda);
    if (estimate && !given) rules.push(`lambda² ~ Gamma(shape ${shape}, rate (shape − 1)/lambda² = ${Number(rate.toPrecision(6))}) (BGLR)`);
    return {
      prior: 'BL',
      values: { lambda, shape, rate, estimateLambda: estimate },
      rules,
      report: { term: 'markers', df: NaN, scale: NaN, source: ctx.spec.lambda === undefined ? 'default' : 'user', rule: rules.join('; ') },
    };
  },
  create: (ctx, hyper) => new LassoBlock(ctx, hyper),
};
