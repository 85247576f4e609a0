/**
 * BayesB (Meuwissen, Hayes & Goddard 2001), in BGLR's parameterisation: β_j = δ_j·b_j,
 * P(δ_j = 0) = π, b_j ~ N(0, σ²_j), σ²_j ~ S·Inv-χ²(ν), S ~ Gamma(shape, rate), π ~ Beta(a, b)
 * when estimated.
 *
 * Full conditionals: δ_j with b_j integrated out and b_j | δ_j (mixtureSweep), then
 *   (S, σ²) | b, δ as one block (SpecificVariances): S | b_in with σ² and the b_j of the markers out
 *   integrated out, by slice sampling, then σ²_j | b_j, S ~ (S + b_j²)/χ²(ν + 1) for the markers in
 *   and S/χ²(ν) for those out
 *   π | δ      ~ Beta(a + #{δ_j = 0}, b + #{δ_j = 1})
 */
import { piSetting, type PiSetting } from '../../model/defaults.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { ChainState } from '../../mcmc/state.js';
import type { RandomSource } from '../../rng/rng.js';
import type { BayesBSpec } from '../../types.js';
import { specificVarianceHyper } from './bayesA.js';
import { type ChainMemory, chainArray, MarkerBlockBase, type MarkerPriorModule } from './base.js';
import { drawPi, inclusionFromPrior } from './pi.js';
import { normal } from '../../rng/dist.js';
import { SpecificVariances, type SpecificVarianceHyper, specificVariancesFromPrior } from './variances.js';

export type BayesBHyper = SpecificVarianceHyper & { pi: PiSetting };

interface BayesBState {
  readonly beta: Float64Array;
  readonly b: Float64Array;
  readonly delta: Float64Array;
  readonly varJ: Float64Array;
  readonly S: Float64Array;
  readonly pi: Float64Array;
  readonly [array: string]: Float64Array;
}

class BayesBBlock extends MarkerBlockBase<BayesBState> {
  private readonly variances: SpecificVariances;
  private readonly pi: PiSetting;

  constructor(md: MarkerDesign, hyper: BayesBHyper, names: MarkerSetNames, mem: ChainMemory) {
    const p = md.p;
    const delta = chainArray(mem, p);
    const state = { beta: chainArray(mem, p), b: chainArray(mem, p), delta, varJ: chainArray(mem, p), S: chainArray(mem, 1), pi: chainArray(mem, 1) };
    super(md, names, bayesB.params(hyper, names), state, mem, delta);
    this.variances = new SpecificVariances(hyper);
    this.pi = hyper.pi;
  }

  /** All markers out, b = 0, σ²_j at the prior mode, π at its starting value. Mutates: varJ, S, π. */
  init(): void {
    this.variances.init(this.state.varJ, this.state.S);
    this.state.pi[0] = this.pi.pi;
  }

  /** Mutates: β, b, δ, varJ, S, π, e. */
  update(state: ChainState, rng: RandomSource): void {
    const { beta, b, delta, varJ, S, pi } = this.state;
    rng.uniforms(this.u);
    rng.normals(this.z);
    const at = (a: Float64Array): number => a.byteOffset;
    this.kernel.mixtureSweep(this.md.desc, at(state.e), at(beta), at(b), at(delta), at(varJ), 0, state.varE[0], pi[0], at(this.z), at(this.u));
    this.variances.update(b, varJ, S, rng, delta);
    if (this.pi.estimate) pi[0] = drawPi(delta, this.pi.a, this.pi.b, rng);
  }

  protected recordOwn(row: Float64Array, offset: number): void {
    row[offset] = this.state.S[0] / this.variances.df;
    if (this.pi.estimate) row[offset + 1] = this.state.pi[0];
  }
}

export const bayesB: MarkerPriorModule<BayesBSpec, BayesBHyper> = {
  resolve(ctx) {
    const piRules: string[] = [];
    const pi = piSetting(ctx.spec, false, piRules);
    const r = specificVarianceHyper(ctx, 1 - pi.pi);
    return { hyper: { ...r.hyper, pi }, report: r.report, rules: [...r.rules, ...piRules] };
  },
  params: (hyper, names) => ({ own: hyper.pi.estimate ? [names.scale, names.pi] : [names.scale], mixture: true }),
  create: (md, hyper, names, mem) => new BayesBBlock(md, hyper, names, mem),
  /** π and δ, S and σ²_j from the prior, then β_j = δ_j·b_j, b_j ~ N(0, σ²_j). */
  simulate(md, hyper, names, _varE, rng) {
    const delta = new Float64Array(md.p);
    const pi = inclusionFromPrior(hyper.pi, delta, rng);
    const varJ = new Float64Array(md.p);
    const S = specificVariancesFromPrior(hyper, varJ, rng);
    const beta = Float64Array.from(varJ, (v, j) => delta[j] * Math.sqrt(v) * normal(rng));
    return {
      beta,
      truth: {
        ...(hyper.fixedS === undefined ? { [names.scale]: S / hyper.df } : {}),
        ...(hyper.pi.estimate ? { [names.pi]: pi } : {}),
        [names.markersIn]: delta.reduce((a, d) => a + d, 0),
      },
    };
  },
};
