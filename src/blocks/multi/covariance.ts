/**
 * The covariance matrices of a multivariate model (Gelman et al., Bayesian Data Analysis, 3rd ed.,
 * §3.6; Sorensen & Gianola 2002, §13.6). With the prior Σ ~ IW(ν, ν S):
 * - a random term: SS = Σ_{l,m} K⁻¹_lm u_l u_m' over its q levels, Σ | u ~ IW(ν + q, ν S + SS);
 * - the residual: SS = Σ_i e_i e_i' over the n records (missing traits imputed),
 *   R0 | e ~ IW(ν + n, ν S + SS).
 * An uncorrelated term (`||`) has independent components: Σ_cc | u ~ (ν S_cc + SS_cc)/χ²(ν + q), and
 * 0 off the diagonal. A matrix held fixed by the spec is set once and still traced.
 */
import { Stage, type Block } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { covarianceElements } from '../../model/names.js';
import { chiSquare, normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';
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

  constructor(
    protected readonly setting: CovarianceSetting,
    names: readonly string[],
  ) {
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

  /** Σ | rest from SS (this.ss, filled by the subclass) and `count` values. Mutates: the matrix. */
  protected drawFrom(state: ChainState, rng: UniformSource, count: number): void {
    const { d, ss, psi } = this;
    const { df, scale, correlated } = this.setting;
    const out = this.target(state);
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
    super(setting, names);
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

/** R0, the residual covariance of the traits. */
export class ResidualCovarianceBlock extends CovarianceBlock {
  readonly stage = Stage.Residual;

  constructor(
    private readonly n: number,
    setting: CovarianceSetting,
    names: readonly string[],
  ) {
    super(setting, names);
  }

  protected target(state: ChainState): Float64Array {
    return state.multi!.covE;
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
    this.drawFrom(state, rng, n);
  }
}
