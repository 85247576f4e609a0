/**
 * BayesC and BayesCπ (Habier, Fernando, Kizilkaya & Garrick 2011), in BGLR's parameterisation:
 * β_j = δ_j·b_j, P(δ_j = 0) = π, b_j ~ N(0, σ²β) with one common σ²β ~ Scaled-Inv-χ²(ν, s²);
 * BayesCπ also draws π ~ Beta(a, b).
 *
 * Full conditionals: δ_j with b_j integrated out and b_j | δ_j (mixtureSweep in kernel.ts), then
 *   σ²β | β, δ ~ (ν s² + Σ_{δ_j = 1} b_j²)/χ²(ν + m), m = Σ δ_j (the prior draws b_j of the markers
 *   out integrated out; see CommonVariance)
 *   π | δ   ~ Beta(a + #{δ_j = 0}, b + #{δ_j = 1})
 */
import { DEFAULT_DF, markerScale } from '../../model/defaults.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { CommonVariance, drawPi, MarkerBlockBase, mixtureSweep, resolvePi, scalar, type MarkerContext, type MarkerHyper, type MarkerPriorModule, type PiSetting } from './kernel.js';

class BayesCBlock extends MarkerBlockBase {
  private readonly variance: CommonVariance;
  private readonly pi: PiSetting;

  constructor(ctx: MarkerContext, hyper: MarkerHyper, pi: PiSetting) {
    super(ctx.design, pi.estimate ? ['var[markers]', 'pi'] : ['var[markers]'], true);
    this.variance = new CommonVariance(ctx, hyper);
    this.pi = pi;
  }

  allocate(): MarkerState {
    const p = this.md.p;
    return { beta: new Float64Array(p), extra: { b: new Float64Array(p), delta: new Float64Array(p), varB: scalar(), pi: scalar() } };
  }

  /** All markers out, σ²β at its prior scale, π at its starting value. Mutates: varB, π. */
  init(state: ChainState): void {
    const { varB, pi } = state.markers!.extra;
    varB[0] = this.variance.start();
    pi[0] = this.pi.pi;
  }

  /** Mutates: β, b, δ, varB, π, e. */
  update(state: ChainState, rng: UniformSource): void {
    const { beta, extra } = state.markers!;
    const { b, delta, varB, pi } = extra;
    mixtureSweep(this.md, state.e, beta, b, delta, varB, true, state.varE[0], pi[0], rng, this.updates);
    let m = 0;
    for (let j = 0; j < delta.length; j++) m += delta[j];
    varB[0] = this.variance.draw(beta, varB[0], rng, m);
    if (this.pi.estimate) pi[0] = drawPi(delta, this.pi.a, this.pi.b, rng);
  }

  protected indicators(state: ChainState): Float64Array {
    return state.markers!.extra.delta;
  }

  protected recordOwn(state: ChainState, row: Float64Array, offset: number): void {
    row[offset] = state.markers!.extra.varB[0];
    if (this.pi.estimate) row[offset + 1] = state.markers!.extra.pi[0];
  }
}

function module(name: string, estimateByDefault: boolean): MarkerPriorModule {
  return {
    hyper(ctx) {
      const pi = resolvePi(ctx.spec, estimateByDefault);
      const user = ctx.userPrior;
      const d = markerScale(ctx.varY, ctx.r2, ctx.md.msx, DEFAULT_DF, 1 - pi.pi);
      const report = user
        ? { term: 'markers', df: user.df, scale: user.scale, source: 'user' as const }
        : { term: 'markers', df: DEFAULT_DF, scale: d.scale, source: 'default' as const, rule: d.rule };
      return {
        prior: name,
        values: { df: report.df, scale: report.scale, pi: pi.pi, estimatePi: pi.estimate, piA: pi.a, piB: pi.b },
        rules: [...(report.rule ? [`var[markers]: ${report.rule}`] : []), ...pi.rules],
        report,
      };
    },
    create: (ctx, hyper) => new BayesCBlock(ctx, hyper, resolvePi(ctx.spec, estimateByDefault)),
  };
}

export const bayesC = module('BayesC', false);
export const bayesCpi = module('BayesCpi', true);
