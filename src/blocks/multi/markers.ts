/**
 * Multi-trait marker regressions (Cheng et al. 2018, Genetics 209:89; JWAS): each marker j has a
 * vector of effects on the t traits.
 * - BRR: β_j ~ N(0, Σβ), drawn jointly per marker by the kernel's mvNormalSweep;
 * - BayesC (and BayesCπ): slab effects b_j ~ N(0, Σβ), indicators δ_j ∈ {0,1}ᵗ with
 *   P(δ_j = pattern) = Π(pattern) over the 2ᵗ patterns, effects α_j = δ_j ∘ b_j (mvMixtureSweep,
 *   trait by trait); Π | δ ~ Dirichlet(prior counts + pattern counts) when estimated.
 * BRR: Σβ | β ~ IW(ν + p, ν S + Σ_j β_j β_j'). BayesC: the slab values of the traits a marker is out
 * of are draws from their conditional prior, and a marker out of every trait (δ_j = 0) enters no
 * likelihood, so Σβ and those markers' b_j are drawn together: Σβ from its conditional with them
 * integrated out, Σβ | b ~ IW(ν + m, ν S + Σ_{j: δ_j ≠ 0} b_j b_j') with m = #{j: δ_j ≠ 0}, then
 * b_j | Σβ ~ N(0, Σβ) for each of them — a blocked ("collapsed") Gibbs step (Liu, Wong & Kong 1994,
 * Biometrika 81:27) with the same posterior as JWAS's draw from every b_j (ν + p), but Σβ no longer
 * held by p − m draws of its own prior. Effects are marker-major ([j·t + s]); the state the fitted
 * values use is `beta` (α for BayesC).
 */
import { choleskyInPlace, invertSPDInto } from '../../linalg/dense.js';
import type { SweepKernel } from '../../linalg/sweepKernel.js';
import { DiagonalShares, Stage, type Block, type PriorShare, type Tracker } from '../../mcmc/block.js';
import type { ChainState, MarkerSetState } from '../../mcmc/state.js';
import { covarianceSetting, type CovarianceSetting, type Given } from '../../model/matrixPriors.js';
import { DEFAULT_PI, fmtNum } from '../../model/defaults.js';
import { MixmcError } from '../../errors.js';
import type { MarkerSpec, MatrixPriorReport } from '../../types.js';
import type { MarkerDesign } from '../../model/markers.js';
import { covarianceElements, covarianceName, diagonalNames, ofTrait } from '../../model/names.js';
import { dirichlet } from '../../rng/dist.js';
import type { RandomSource } from '../../rng/rng.js';
import { type ChainMemory, chainArray } from '../markers/base.js';
import { InverseWishart } from './wishart.js';

/** A multi-trait marker set's plan: its prior, Σβ's prior (or fixed value), and for BayesC the pattern probabilities. */
export interface MultiMarkerPlan {
  prior: 'BRR' | 'BayesC';
  covariance: CovarianceSetting;
  /** BayesC: starting Π over the 2ᵗ patterns (index Σ_s δ_s 2^s), whether it is drawn, and its Dirichlet counts. */
  pi?: { start: number[]; estimate: boolean; counts: number[] };
}

/**
 * The plan of a multi-trait marker set: BRR, or BayesC (BayesCπ: Π estimated by default). Σβ's
 * default follows the single-trait rule per trait on the diagonal (mode var(y_s)·R²/MSx, divided by
 * 1 − π for BayesC; 0 off it; df = t + 4). Π starts with the traits independent, each in with
 * probability 1 − π, and is drawn from Dirichlet(1 + counts) when estimated (JWAS's prior).
 * @throws MixmcError for a prior with no multi-trait sampler.
 */
export function planMultiMarkers(
  spec: MarkerSpec,
  md: MarkerDesign,
  traits: readonly string[],
  varY: Float64Array,
  r2: number,
  given: Given | undefined,
  fixed: number | number[][] | undefined,
): { plan: MultiMarkerPlan; report: MatrixPriorReport; rules: string[] } {
  const prior = spec.prior;
  if (prior !== 'BRR' && prior !== 'BayesC' && prior !== 'BayesCpi') {
    throw new MixmcError(`a multi-trait marker set takes BRR, BayesC or BayesCpi; ${prior} is single-trait`, { term: `${md.term}.prior` });
  }
  const rules: string[] = [];
  const t = traits.length;
  const mixture = prior !== 'BRR';
  const spec2 = spec as { pi?: number; estimatePi?: boolean };
  const pi = mixture ? (spec2.pi ?? DEFAULT_PI) : 0;
  const modes = traits.map((_, s) => (varY[s] * r2) / md.msx / (mixture ? 1 - pi : 1));
  const ruleOf = (s: number): string =>
    `mode(${traits[s]}) = var(${traits[s]})·R²/MSx${mixture ? '/(1 − π)' : ''} = ${fmtNum(varY[s])}·${fmtNum(r2)}/${fmtNum(md.msx)}${mixture ? `/${fmtNum(1 - pi)}` : ''} = ${fmtNum(modes[s])}`;
  const { setting, report } = covarianceSetting(md.term, [...traits], true, modes, ruleOf, given, fixed);
  if (!mixture) return { plan: { prior: 'BRR', covariance: setting }, report, rules };
  if (spec2.pi === undefined) rules.push(`pi: default ${DEFAULT_PI} per trait (BGLR probIn = ${1 - DEFAULT_PI}); the traits independent at the start`);
  const start = Array.from({ length: 1 << t }, (_, k) => traits.reduce((p, _s, s) => p * ((k >> s) & 1 ? 1 - pi : pi), 1));
  const estimate = spec2.estimatePi ?? prior === 'BayesCpi';
  if (estimate) rules.push(`Π over the ${1 << t} patterns ~ Dirichlet(1, …, 1) (JWAS)`);
  return { plan: { prior: 'BayesC', covariance: setting, pi: { start, estimate, counts: new Array(1 << t).fill(1) } }, report, rules };
}

/** The pattern of δ as the name uses it: one digit per trait in trait order ('10': in for the first, out for the second). */
export function patternLabel(index: number, t: number): string {
  return Array.from({ length: t }, (_, s) => ((index >> s) & 1 ? '1' : '0')).join('');
}

/** The parameters a multi-trait set traces: Σβ's elements, then (BayesC) Π over the patterns when drawn, and the markers in per trait. */
export function multiMarkerParams(plan: MultiMarkerPlan, md: MarkerDesign, traits: readonly string[]): string[] {
  const c = plan.covariance;
  const out = covarianceElements(c.components.length, c.correlated).map(([a, b]) => covarianceName(c.term, c.components, a, b));
  if (plan.prior === 'BayesC') {
    const t = traits.length;
    if (plan.pi!.estimate) for (let k = 0; k < 1 << t; k++) out.push(`pi[${md.name === '' ? '' : `${md.term}:`}${patternLabel(k, t)}]`);
    for (const trait of traits) out.push(ofTrait(md.name === '' ? 'markersIn' : `markersIn[${md.term}]`, trait, t));
  }
  return out;
}

/** The effects' labels snp[ID](TRAIT), marker-major; and the PIPs' pip[ID](TRAIT). */
export function multiEffectLabels(md: MarkerDesign, traits: readonly string[], kind: 'snp' | 'pip'): string[] {
  const prefix = md.name === '' ? '' : `${md.name}:`;
  return md.markers.flatMap((m) => traits.map((trait) => ofTrait(`${kind}[${prefix}${m.id}]`, trait, traits.length)));
}

/** Whether marker j is out of every trait (δ_j = 0). */
function outOfEvery(delta: Float64Array, j: number, t: number): boolean {
  for (let s = 0; s < t; s++) if (delta[j * t + s] !== 0) return false;
  return true;
}

export class MultiMarkerBlock implements Block {
  readonly stage = Stage.Markers;
  readonly params: readonly string[];
  readonly state: MarkerSetState;
  readonly effects: Tracker;
  readonly pip?: Tracker;
  private readonly t: number;
  private readonly kernel: SweepKernel;
  private readonly st: number;
  private readonly w: Float64Array;
  private readonly gi: Float64Array;
  private readonly logPi?: Float64Array;
  private readonly z: Float64Array;
  private readonly u: Float64Array;
  private readonly work: Float64Array;
  private readonly scratch: Float64Array;
  private readonly ss: Float64Array;
  private readonly psi: Float64Array;
  private readonly iw: InverseWishart;
  private readonly counts: Float64Array;
  private readonly elements: [number, number][];
  private readonly diagonal?: DiagonalShares;
  readonly priorShares: readonly PriorShare[];

  constructor(
    private readonly md: MarkerDesign,
    private readonly plan: MultiMarkerPlan,
    traits: readonly string[],
    mem: ChainMemory,
  ) {
    const t = traits.length;
    const p = md.p;
    this.t = t;
    this.kernel = mem.kernel;
    this.params = multiMarkerParams(plan, md, traits);
    const beta = chainArray(mem, p * t);
    const varB = chainArray(mem, t * t);
    if (plan.prior === 'BayesC') {
      const np = 1 << t;
      const delta = chainArray(mem, p * t);
      this.state = { beta, b: chainArray(mem, p * t), delta, varB, pi: chainArray(mem, np) };
      this.logPi = chainArray(mem, np);
      this.pip = { labels: multiEffectLabels(md, traits, 'pip'), read: (_s, dst) => dst.set(delta) };
    } else {
      this.state = { beta, varB };
    }
    this.effects = { labels: multiEffectLabels(md, traits, 'snp'), read: (_s, dst) => dst.set(beta) };
    this.st = chainArray(mem, 4 * t).byteOffset;
    this.w = chainArray(mem, t * t);
    this.gi = chainArray(mem, t * t);
    this.z = chainArray(mem, p * t);
    this.u = chainArray(mem, p * t);
    this.work = chainArray(mem, t * t + 3 * t);
    this.scratch = new Float64Array(2 * t * t);
    this.ss = new Float64Array(t * t);
    this.psi = new Float64Array(t * t);
    this.iw = new InverseWishart(t);
    this.counts = new Float64Array(1 << t);
    this.elements = covarianceElements(t, plan.covariance.correlated);
    if (!plan.covariance.fixed) this.diagonal = new DiagonalShares(diagonalNames(plan.covariance.term, plan.covariance.components));
    this.priorShares = this.diagonal?.shares ?? [];
  }

  /** β = 0 (all markers out), Σβ its fixed value or prior scale, Π its start. Mutates: the set's state. */
  init(): void {
    const c = this.plan.covariance;
    this.state.varB.set(c.fixed ?? c.scale);
    if (this.plan.pi) this.state.pi.set(this.plan.pi.start);
  }

  /** Mutates: the set's state and every residual column. */
  update(state: ChainState, rng: RandomSource): void {
    const { t, md, w, gi, scratch } = this;
    const multi = state.multi!;
    invertSPDInto(multi.covE, t, w, scratch);
    invertSPDInto(this.state.varB, t, gi, scratch);
    const pitch = multi.pitch * 8;
    rng.normals(this.z);
    if (this.plan.prior === 'BRR') {
      this.kernel.mvNormalSweep(
        md.desc,
        state.e.byteOffset,
        pitch,
        t,
        this.st,
        this.state.beta.byteOffset,
        w.byteOffset,
        gi.byteOffset,
        this.z.byteOffset,
        this.work.byteOffset,
      );
      this.drawCovariance(rng, this.state.beta, undefined);
      return;
    }
    rng.uniforms(this.u);
    const logPi = this.logPi!;
    const pi = this.state.pi;
    for (let k = 0; k < pi.length; k++) logPi[k] = Math.log(pi[k]);
    const { b, delta, beta } = this.state;
    this.kernel.mvMixtureSweep(
      md.desc,
      state.e.byteOffset,
      pitch,
      t,
      this.st,
      b.byteOffset,
      beta.byteOffset,
      delta.byteOffset,
      w.byteOffset,
      gi.byteOffset,
      logPi.byteOffset,
      this.z.byteOffset,
      this.u.byteOffset,
      this.work.byteOffset,
    );
    this.drawCovariance(rng, b, delta);
    const setting = this.plan.pi!;
    if (setting.estimate) {
      const counts = this.counts;
      for (let k = 0; k < counts.length; k++) counts[k] = setting.counts[k];
      for (let j = 0; j < md.p; j++) {
        let pattern = 0;
        for (let s = 0; s < t; s++) if (delta[j * t + s] !== 0) pattern |= 1 << s;
        counts[pattern]++;
      }
      dirichlet(rng, counts, pi);
    }
  }

  /**
   * Σβ | b ~ IW(ν + m, ν S + Σ_j b_j b_j') over the m markers in some trait (every marker without
   * `delta`, for BRR); then, with `delta`, b_j ~ N(0, Σβ) = L z (Σβ = LL') for each marker out of every
   * trait, under the fixed Σβ too. Mutates: varB, the prior shares, b.
   */
  private drawCovariance(rng: RandomSource, b: Float64Array, delta: Float64Array | undefined): void {
    const c = this.plan.covariance;
    const { t, ss, psi, md } = this;
    ss.fill(0);
    let m = 0;
    for (let j = 0; j < md.p; j++) {
      if (delta && outOfEvery(delta, j, t)) continue;
      m++;
      if (c.fixed) continue;
      for (let a = 0; a < t; a++) for (let q = 0; q < t; q++) ss[a * t + q] += b[j * t + a] * b[j * t + q];
    }
    if (!c.fixed) {
      for (let a = 0; a < t * t; a++) psi[a] = c.df * c.scale[a] + ss[a];
      this.diagonal!.set(c.df, c.scale, ss);
      this.iw.draw(rng, c.df + m, psi, this.state.varB);
    }
    if (!delta) return;
    const z = this.z;
    rng.normals(z, (md.p - m) * t);
    const l = this.scratch;
    l.set(this.state.varB);
    choleskyInPlace(l, t);
    let k = 0;
    for (let j = 0; j < md.p; j++) {
      if (!outOfEvery(delta, j, t)) continue;
      for (let a = 0; a < t; a++) {
        let v = 0;
        for (let q = 0; q <= a; q++) v += l[a * t + q] * z[k + q];
        b[j * t + a] = v;
      }
      k += t;
    }
  }

  record(_state: ChainState, row: Float64Array, offset: number): void {
    const t = this.t;
    let o = offset;
    for (const [a, b] of this.elements) row[o++] = this.state.varB[a * t + b];
    if (this.plan.prior !== 'BayesC') return;
    if (this.plan.pi!.estimate) for (let k = 0; k < this.state.pi.length; k++) row[o++] = this.state.pi[k];
    const delta = this.state.delta;
    for (let s = 0; s < t; s++) {
      let inModel = 0;
      for (let j = 0; j < this.md.p; j++) inModel += delta[j * t + s];
      row[o++] = inModel;
    }
  }
}
