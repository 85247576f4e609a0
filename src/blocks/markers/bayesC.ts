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
import type { RandomSource } from '../../rng/rng.js';
import type { BayesCpiSpec, BayesCSpec } from '../../types.js';
import { type ChainMemory, type MarkerParams, chainArray, MarkerBlockBase, type MarkerPriorModule } from './base.js';
import { drawPi, inclusionFromPrior } from './pi.js';
import { normal } from '../../rng/dist.js';
import type { PriorShare } from '../../mcmc/block.js';
import { CommonVariance, type CommonVarianceHyper, commonVarianceFromPrior } from './variances.js';

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
  readonly priorShares: readonly PriorShare[];
  private readonly pi: PiSetting;

  constructor(md: MarkerDesign, hyper: BayesCHyper, names: MarkerSetNames, mem: ChainMemory) {
    const p = md.p;
    const delta = chainArray(mem, p);
    const state = { beta: chainArray(mem, p), b: chainArray(mem, p), delta, varB: chainArray(mem, 1), pi: chainArray(mem, 1) };
    super(md, names, bayesCParams(hyper, names), state, mem, delta);
    this.variance = new CommonVariance(hyper, names.variance);
    this.priorShares = this.variance.priorShares;
    this.pi = hyper.pi;
  }

  /** All markers out, σ²β at its prior scale, π at its starting value. Mutates: varB, π. */
  init(): void {
    this.state.varB[0] = this.variance.start();
    this.state.pi[0] = this.pi.pi;
  }

  /** Mutates: β, b, δ, varB, π, e. */
  update(state: ChainState, rng: RandomSource): void {
    const { beta, b, delta, varB, pi } = this.state;
    rng.uniforms(this.u);
    rng.normals(this.z);
    const at = (a: Float64Array): number => a.byteOffset;
    this.kernel.mixtureSweep(this.md.desc, at(state.e), at(beta), at(b), at(delta), at(varB), 1, state.varE[0], pi[0], at(this.z), at(this.u));
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

function bayesCParams(hyper: BayesCHyper, names: MarkerSetNames): MarkerParams {
  return { own: hyper.pi.estimate ? [names.variance, names.pi] : [names.variance], mixture: true, shares: hyper.fixed === undefined ? [names.variance] : [] };
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
    create: (md, hyper, names, mem) => new BayesCBlock(md, hyper, names, mem),
    /** π and δ, σ²β from the prior, then β_j = δ_j·b_j, b_j ~ N(0, σ²β). */
    simulate(md, hyper, names, _varE, rng) {
      const delta = new Float64Array(md.p);
      const pi = inclusionFromPrior(hyper.pi, delta, rng);
      const varB = commonVarianceFromPrior(hyper, rng);
      const beta = Float64Array.from(delta, (d) => d * Math.sqrt(varB) * normal(rng));
      return {
        beta,
        truth: {
          ...(hyper.fixed === undefined ? { [names.variance]: varB } : {}),
          ...(hyper.pi.estimate ? { [names.pi]: pi } : {}),
          [names.markersIn]: delta.reduce((a, d) => a + d, 0),
        },
      };
    },
  };
}

export const bayesC = module<BayesCSpec>(false);
export const bayesCpi = module<BayesCpiSpec>(true);
