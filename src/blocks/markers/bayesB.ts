/**
 * BayesB (Meuwissen, Hayes & Goddard 2001), in BGLR's parameterisation: β_j = δ_j·b_j,
 * P(δ_j = 0) = π, b_j ~ N(0, σ²_j), σ²_j ~ S·Inv-χ²(ν), S ~ Gamma(shape, rate), π ~ Beta(a, b)
 * when estimated.
 *
 * Full conditionals: δ_j with b_j integrated out and b_j | δ_j (see mixtureSweep in kernel.ts), then
 *   (S, σ²) | b, δ as one block (SpecificVariances in kernel.ts): S | b_in with σ² and the b_j of the
 *   markers out integrated out, by slice sampling, then σ²_j | b_j, S ~ (S + b_j²)/χ²(ν + 1) for the
 *   markers in and S/χ²(ν) for those out
 *   π | δ      ~ Beta(a + #{δ_j = 0}, b + #{δ_j = 1})
 */
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { specificVarianceHyper } from './bayesA.js';
import { drawPi, MarkerBlockBase, mixtureSweep, resolvePi, scalar, SpecificVariances, type MarkerContext, type MarkerHyper, type MarkerPriorModule, type PiSetting } from './kernel.js';

class BayesBBlock extends MarkerBlockBase {
  private readonly variances: SpecificVariances;
  private readonly pi: PiSetting;

  constructor(ctx: MarkerContext, hyper: MarkerHyper, pi: PiSetting) {
    super(ctx.design, pi.estimate ? ['scale[markers]', 'pi'] : ['scale[markers]'], true);
    this.variances = new SpecificVariances(ctx, hyper);
    this.pi = pi;
  }

  allocate(): MarkerState {
    const p = this.md.p;
    return { beta: new Float64Array(p), extra: { b: new Float64Array(p), delta: new Float64Array(p), varJ: new Float64Array(p), S: scalar(), pi: scalar() } };
  }

  /** All markers out, b = 0, σ²_j at the prior mode, π at its starting value. Mutates: extra arrays. */
  init(state: ChainState): void {
    const { varJ, S, pi } = state.markers!.extra;
    this.variances.init(varJ, S);
    pi[0] = this.pi.pi;
  }

  /** Mutates: β, b, δ, varJ, S, π, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { beta, extra } = state.markers!;
    const { b, delta, varJ, S, pi } = extra;
    mixtureSweep(this.md, state.e, beta, b, delta, varJ, false, state.varE[0], pi[0], rng, this.updates);
    this.variances.update(b, varJ, S, rng, delta);
    if (this.pi.estimate) pi[0] = drawPi(delta, this.pi.a, this.pi.b, rng);
  }

  protected indicators(state: ChainState): Float64Array {
    return state.markers!.extra.delta;
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.markers!.extra.S[0] / this.variances.df;
    if (this.pi.estimate) row[offset + 1] = state.markers!.extra.pi[0];
  }
}

export const bayesB: MarkerPriorModule = {
  hyper(ctx) {
    const pi = resolvePi(ctx.spec, false);
    const h = specificVarianceHyper(ctx, 'BayesB', 1 - pi.pi, pi.rules);
    return { ...h, values: { ...h.values, pi: pi.pi, estimatePi: pi.estimate, piA: pi.a, piB: pi.b } };
  },
  create: (ctx, hyper) => new BayesBBlock(ctx, hyper, resolvePi(ctx.spec, false)),
};
