/**
 * The covariance matrices of a multivariate model (Gelman et al., Bayesian Data Analysis, 3rd ed.,
 * §3.6; Sorensen & Gianola 2002, §13.6). With the prior Σ ~ IW(ν, ν S):
 * - a random term: SS = Σ_{l,m} K⁻¹_lm u_l u_m' over its q levels, Σ | u ~ IW(ν + q, ν S + SS);
 * - the residual: SS = Σ_i e_i e_i' over the n records (missing traits imputed),
 *   R0 | e ~ IW(ν + n, ν S + SS).
 * An uncorrelated term (`||`) has independent components: Σ_cc | u ~ (ν S_cc + SS_cc)/χ²(ν + q), and
 * 0 off the diagonal. A matrix held fixed by the spec is set once and still traced.
 *
 * The residual of a binary or ordinal trait a (its liability) has variance 1 (Korsgaard, Andersen &
 * Sorensen 2003, Genet. Sel. Evol. 35:159): R0 = [[1, b'], [b, R_{−a·a} + b b']] with b = R_{−a,a} and
 * R_{−a·a} = R_{−a,−a} − b b'. Under R0 ~ IW(ν', Ψ) (ν' = ν + n, Ψ = ν S + SS) the pair (b, R_{−a·a}) is
 * independent of R_aa, so conditioning on R_aa = 1 leaves their joint law:
 *   R_{−a·a} ~ IW(ν', Ψ_{−a,−a} − w w'/Ψ_aa),   b | R_{−a·a} ~ N(w/Ψ_aa, R_{−a·a}/Ψ_aa),   w = Ψ_{−a,a}.
 */
import { DiagonalShares, Stage, type Block, type PriorShare } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { covarianceElements, diagonalNames } from '../../model/names.js';
import { chiSquare, normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';
import { choleskyInPlace } from '../../linalg/dense.js';
import { InverseWishart } from './wishart.js';

/** What the random-term and residual covariance blocks share: prior, draw, starting value, tracing. */
abstract class CovarianceBlock implements Block {
  abstract readonly stage: Stage;
  readonly params: readonly string[];
  protected readonly d: number;
  private readonly elements: [number, number][];
  private readonly iw: InverseWishart;
  protected readonly ss: Float64Array;
  private readonly psi: Float64Array;
  private readonly diagonal?: DiagonalShares;
  readonly priorShares: readonly PriorShare[];

  /** `shares`: report the prior shares of the diagonal (mcmc/block.ts, DiagonalShares). */
  constructor(
    protected readonly setting: CovarianceSetting,
    names: readonly string[],
    shares: boolean,
  ) {
    if (shares) this.diagonal = new DiagonalShares(diagonalNames(setting.term, setting.components));
    this.priorShares = this.diagonal?.shares ?? [];
    this.d = setting.components.length;
    this.elements = covarianceElements(this.d, setting.correlated);
    this.params = names;
    this.iw = new InverseWishart(this.d);
    this.ss = new Float64Array(this.d * this.d);
    this.psi = new Float64Array(this.d * this.d);
  }

  protected abstract target(state: ChainState): Float64Array;

  /** The fixed value, or S scaled by a chain-specific exp(z/2) (over-dispersed starts for R-hat). Mutates: the matrix. */
  init(state: ChainState, rng: UniformSource): void {
    const out = this.target(state);
    const { fixed, scale } = this.setting;
    if (fixed) {
      out.set(fixed);
      return;
    }
    const f = Math.exp(0.5 * normal(rng));
    for (let a = 0; a < out.length; a++) out[a] = scale[a] * f;
  }

  /** Σ | rest from SS (this.ss, filled by the subclass) and `count` values. Mutates: the matrix, the prior shares. */
  protected drawFrom(state: ChainState, rng: UniformSource, count: number): void {
    const { d, ss, psi } = this;
    const { df, scale, correlated } = this.setting;
    const out = this.target(state);
    this.diagonal?.set(df, scale, ss);
    if (correlated) {
      for (let a = 0; a < d * d; a++) psi[a] = df * scale[a] + ss[a];
      this.iw.draw(rng, df + count, psi, out);
      return;
    }
    out.fill(0);
    for (let c = 0; c < d; c++) out[c * d + c] = (df * scale[c * d + c] + ss[c * d + c]) / chiSquare(rng, df + count);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    const m = this.target(state);
    const d = this.d;
    this.elements.forEach(([a, b], k) => (row[offset + k] = m[a * d + b]));
  }

  abstract update(state: ChainState, rng: UniformSource): void;
}

/** G_k of random term k. */
export class TermCovarianceBlock extends CovarianceBlock {
  readonly stage = Stage.Variance;

  constructor(
    private readonly design: Design,
    private readonly k: number,
    setting: CovarianceSetting,
    names: readonly string[],
  ) {
    super(setting, names, !setting.fixed);
  }

  protected target(state: ChainState): Float64Array {
    return state.multi!.covU[this.k];
  }

  /** Mutates: covU[k]. */
  update(state: ChainState, rng: UniformSource): void {
    if (this.setting.fixed) return;
    const { d, ss } = this;
    const u = state.u[this.k];
    const term = this.design.random[this.k];
    const kinv = term.cov?.kinv;
    ss.fill(0);
    for (let l = 0; l < term.q; l++) {
      if (!kinv) {
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) ss[a * d + b] += u[l * d + a] * u[l * d + b];
        continue;
      }
      for (let p = kinv.rowPtr[l]; p < kinv.rowPtr[l + 1]; p++) {
        const m = kinv.colIdx[p];
        const v = kinv.values[p];
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) ss[a * d + b] += v * u[l * d + a] * u[m * d + b];
      }
    }
    this.drawFrom(state, rng, term.q);
  }
}

/** R0, the residual covariance of the traits (with the variance of trait `unit`, a liability, fixed at 1). */
export class ResidualCovarianceBlock extends CovarianceBlock {
  readonly stage = Stage.Residual;
  private readonly unitDraw?: UnitVarianceDraw;

  constructor(
    private readonly n: number,
    setting: CovarianceSetting,
    names: readonly string[],
    unit?: number,
  ) {
    // with a unit variance R0 is drawn by UnitVarianceDraw, whose components are not IW's marginals
    super(setting, names, !setting.fixed && unit === undefined);
    if (unit !== undefined) this.unitDraw = new UnitVarianceDraw(this.d, unit);
  }

  protected target(state: ChainState): Float64Array {
    return state.multi!.covE;
  }

  /** The scale (times a chain-specific factor) with the liability's row and column set to those of an uncorrelated unit variance. */
  init(state: ChainState, rng: UniformSource): void {
    super.init(state, rng);
    this.unitDraw?.start(state.multi!.covE);
  }

  /** Mutates: covE. */
  update(state: ChainState, rng: UniformSource): void {
    if (this.setting.fixed) return;
    const { d, ss, n } = this;
    const e = state.e;
    const pitch = state.multi!.pitch;
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += e[a * pitch + i] * e[b * pitch + i];
        ss[a * d + b] = s;
        ss[b * d + a] = s;
      }
    }
    if (this.unitDraw) this.unitDraw.draw(rng, this.setting.df + n, this.setting.df, this.setting.scale, ss, state.multi!.covE);
    else this.drawFrom(state, rng, n);
  }
}

/** The draw of R0 | e with R0[a][a] = 1 (module comment), with its scratch arrays. */
class UnitVarianceDraw {
  private readonly iw: InverseWishart;
  private readonly others: Int32Array;
  private readonly psi: Float64Array;
  private readonly w: Float64Array;
  private readonly conditional: Float64Array;
  private readonly chol: Float64Array;
  private readonly b: Float64Array;

  constructor(
    private readonly d: number,
    private readonly a: number,
  ) {
    const m = d - 1;
    this.iw = new InverseWishart(Math.max(1, m));
    this.others = Int32Array.from({ length: d }, (_, s) => s).filter((s) => s !== a);
    this.psi = new Float64Array(m * m);
    this.w = new Float64Array(m);
    this.conditional = new Float64Array(m * m);
    this.chol = new Float64Array(m * m);
    this.b = new Float64Array(m);
  }

  /** Row and column a of r0 set to those of a unit variance uncorrelated with the other traits. Mutates: r0. */
  start(r0: Float64Array): void {
    const { d, a } = this;
    for (let s = 0; s < d; s++) {
      r0[a * d + s] = 0;
      r0[s * d + a] = 0;
    }
    r0[a * d + a] = 1;
  }

  /** r0 ← a draw given Ψ = df0·scale + ss with df degrees of freedom. Mutates: r0. */
  draw(rng: UniformSource, df: number, df0: number, scale: readonly number[], ss: Float64Array, r0: Float64Array): void {
    const { d, a, others, psi, w, conditional, chol, b } = this;
    const m = d - 1;
    r0[a * d + a] = 1;
    if (m === 0) return;
    // Ψ = df0·S + SS, read by element (no closure: this runs every iteration)
    const paa = df0 * scale[a * d + a] + ss[a * d + a];
    for (let p = 0; p < m; p++) {
      const op = others[p];
      w[p] = df0 * scale[op * d + a] + ss[op * d + a];
      for (let q = 0; q < m; q++) psi[p * m + q] = df0 * scale[op * d + others[q]] + ss[op * d + others[q]];
    }
    for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) psi[p * m + q] -= (w[p] * w[q]) / paa;
    this.iw.draw(rng, df, psi, conditional);
    // b = w/Ψ_aa + L z/√Ψ_aa with L L' = R_{−a·a}
    chol.set(conditional);
    if (choleskyInPlace(chol, m) >= 0) throw new Error('the conditional residual covariance is not positive definite');
    for (let p = 0; p < m; p++) b[p] = normal(rng);
    for (let p = m - 1; p >= 0; p--) {
      let v = 0;
      for (let q = 0; q <= p; q++) v += chol[p * m + q] * b[q];
      b[p] = w[p] / paa + v / Math.sqrt(paa);
    }
    for (let p = 0; p < m; p++) {
      r0[others[p] * d + a] = b[p];
      r0[a * d + others[p]] = b[p];
      for (let q = 0; q < m; q++) r0[others[p] * d + others[q]] = conditional[p * m + q] + b[p] * b[q];
    }
  }
}
