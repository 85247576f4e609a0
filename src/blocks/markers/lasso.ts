/**
 * Bayesian LASSO (Park & Casella 2008, JASA 103:681), as in BGLR: β_j | τ²_j ~ N(0, σ²e τ²_j),
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
import { MixmcError } from '../../errors.js';
import { lassoLambda, lassoLambdaPrior } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import { gamma, inverseGaussianFrom, normal, sliceSample } from '../../rng/dist.js';
import type { RandomSource, UniformSource } from '../../rng/rng.js';
import type { LassoSpec } from '../../types.js';
import { type ChainMemory, chainArray, MarkerBlockBase, type MarkerPriorModule } from './base.js';

export interface LassoHyper {
  /** λ, or its starting value when estimated. */
  lambda: number;
  /** λ² ~ Gamma(shape, rate). */
  shape: number;
  rate: number;
  estimate: boolean;
}

interface LassoState {
  readonly beta: Float64Array;
  readonly tau2: Float64Array;
  readonly lambda2: Float64Array;
  readonly [array: string]: Float64Array;
}

class LassoBlock extends MarkerBlockBase<LassoState> {
  private readonly hyper: LassoHyper;

  constructor(md: MarkerDesign, hyper: LassoHyper, names: MarkerSetNames, mem: ChainMemory) {
    super(md, names, lasso.params(hyper, names), { beta: chainArray(mem, md.p), tau2: chainArray(mem, md.p), lambda2: chainArray(mem, 1) }, mem);
    this.hyper = hyper;
  }

  /** λ at its starting value and τ²_j at their prior mean 2/λ². Mutates: tau2, lambda2. */
  init(): void {
    const { tau2, lambda2 } = this.state;
    lambda2[0] = this.hyper.lambda * this.hyper.lambda;
    tau2.fill(2 / lambda2[0]);
  }

  /** Mutates: β, tau2, lambda2, e. */
  update(state: ChainState, rng: RandomSource): void {
    const p = this.md.p;
    const { beta, tau2, lambda2 } = this.state;
    const varE = state.varE[0];
    rng.normals(this.z);
    this.kernel.normalSweep(this.md.desc, state.e.byteOffset, beta.byteOffset, tau2.byteOffset, 0, 1, varE, this.z.byteOffset);
    if (this.hyper.estimate) {
      let abs = 0;
      for (let j = 0; j < p; j++) abs += Math.abs(beta[j]);
      const lambda = lambdaGivenEffects(rng, Math.sqrt(lambda2[0]), abs / Math.sqrt(varE), p, this.hyper.shape, this.hyper.rate);
      lambda2[0] = lambda * lambda;
    }
    // 1/τ²_j from bulk normals and uniforms (the sweep is done with this.z and this.u)
    rng.normals(this.z);
    rng.uniforms(this.u);
    for (let j = 0; j < p; j++) {
      const mu = Math.sqrt((lambda2[0] * varE) / (beta[j] * beta[j]));
      tau2[j] = 1 / inverseGaussianFrom(mu, lambda2[0], this.z[j], this.u[j]);
    }
  }

  /** (Σ_j β_j²/τ²_j, p): the LASSO's share of the residual variance's full conditional. */
  residualContribution(): { ss: number; df: number } {
    const { beta, tau2 } = this.state;
    let ss = 0;
    for (let j = 0; j < beta.length; j++) ss += (beta[j] * beta[j]) / tau2[j];
    return { ss, df: beta.length };
  }

  protected recordOwn(row: Float64Array, offset: number): void {
    row[offset] = Math.sqrt(this.state.lambda2[0]);
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

export const lasso: MarkerPriorModule<LassoSpec, LassoHyper> = {
  resolve(ctx) {
    if (ctx.fixedVariance !== undefined || ctx.userPrior !== undefined) {
      throw new MixmcError(`the Bayesian LASSO has no marker variance; set "lambda" and "lambdaPrior" in the marker set instead`, { term: ctx.names.term });
    }
    const rules: string[] = [];
    const lambda = ctx.spec.lambda ?? lassoLambda(ctx.r2, ctx.md.msx, rules);
    const lp = ctx.spec.lambdaPrior;
    const estimate = lp !== 'fixed';
    const given = typeof lp === 'object' ? lp : undefined;
    const gamma = given ?? lassoLambdaPrior(ctx.spec.shape, lambda, estimate ? rules : []);
    return {
      hyper: { lambda, shape: gamma.shape, rate: gamma.rate, estimate },
      report: { term: ctx.names.term, df: NaN, scale: NaN, source: ctx.spec.lambda === undefined ? 'default' : 'user', rule: rules.join('; ') },
      rules,
    };
  },
  params: (_hyper, names) => ({ own: [names.lambda], mixture: false }),
  create: (md, hyper, names, mem) => new LassoBlock(md, hyper, names, mem),
  /** λ² ~ Gamma(shape, rate) (or λ fixed), τ²_j ~ Exp(λ²/2), then β_j ~ N(0, σ²e τ²_j). */
  simulate(md, hyper, names, varE, rng) {
    const lambda2 = hyper.estimate ? gamma(rng, hyper.shape) / hyper.rate : hyper.lambda * hyper.lambda;
    const beta = Float64Array.from({ length: md.p }, () => {
      const tau2 = (-2 * Math.log(rng.uniform())) / lambda2;
      return Math.sqrt(varE * tau2) * normal(rng);
    });
    return { beta, truth: hyper.estimate ? { [names.lambda]: Math.sqrt(lambda2) } : {} };
  },
};
