/**
 * The fixed effects of a multivariate model: B (p × t, a column per trait) drawn jointly. With the
 * missing traits imputed, every record has all t traits with the same X and residuals e_i ~ N(0, R0),
 * so (seemingly unrelated regressions with a common design; Sorensen & Gianola 2002, Likelihood,
 * Bayesian and MCMC Methods in Quantitative Genetics, §13.6), under a flat prior,
 *
 *   vec(B) | rest ~ N(vec(B + (X'X)⁻¹X'E), R0 ⊗ (X'X)⁻¹),
 *
 * drawn as B ← B + Δ, Δ = L⁻ᵀ(L⁻¹X'E + Z M'), X'X = LL', R0 = MM', Z p × t standard normals (in
 * the order Z[j][s], j outer); then E ← E − XΔ. No allocation per sweep.
 */
import { backSolveTransposed, choleskyInPlace, forwardSolve } from '../../linalg/dense.js';
import { Stage, type Block } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import { normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';

export class MultiFixedBlock implements Block {
  readonly stage = Stage.Fixed;
  private readonly p: number;
  private readonly t: number;
  private readonly delta: Float64Array;
  private readonly column: Float64Array;
  private readonly z: Float64Array;
  private readonly m: Float64Array;

  constructor(
    private readonly design: Design,
    readonly params: readonly string[],
  ) {
    this.p = design.fixed.p;
    this.t = design.traits.t;
    this.delta = new Float64Array(this.p * this.t);
    this.column = new Float64Array(this.p);
    this.z = new Float64Array(this.p * this.t);
    this.m = new Float64Array(this.t * this.t);
  }

  /** Start at the least-squares solution of every trait. Mutates: b, e. */
  init(state: ChainState): void {
    this.step(state, undefined);
  }

  /** Mutates: b, e. */
  update(state: ChainState, rng: UniformSource): void {
    this.step(state, rng);
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    row.set(state.b, offset);
  }

  /** Δ = L⁻ᵀ(L⁻¹X'E + Z M') (Z = 0 without rng), then B += Δ, E −= XΔ. */
  private step(state: ChainState, rng: UniformSource | undefined): void {
    const { p, t, delta, column, z, m } = this;
    const { xtxChol, colPtr, rowIdx, vals } = this.design.fixed;
    const pitch = state.multi!.pitch;
    const e = state.e;
    if (rng) {
      m.set(state.multi!.covE);
      if (choleskyInPlace(m, t) >= 0) throw new Error('the residual covariance matrix is not positive definite');
      for (let j = 0; j < p; j++) for (let s = 0; s < t; s++) z[j * t + s] = normal(rng);
    }
    for (let s = 0; s < t; s++) {
      const base = s * pitch;
      for (let j = 0; j < p; j++) {
        let sum = 0;
        for (let k = colPtr[j]; k < colPtr[j + 1]; k++) sum += vals[k] * e[base + rowIdx[k]];
        column[j] = sum;
      }
      forwardSolve(xtxChol, p, column);
      if (rng) {
        // (Z M')[j][s] = Σ_{s' ≤ s} Z[j][s'] M[s][s']
        for (let j = 0; j < p; j++) {
          let add = 0;
          for (let r = 0; r <= s; r++) add += z[j * t + r] * m[s * t + r];
          column[j] += add;
        }
      }
      backSolveTransposed(xtxChol, p, column);
      delta.set(column, s * p);
    }
    for (let s = 0; s < t; s++) {
      const base = s * pitch;
      for (let j = 0; j < p; j++) {
        const dj = delta[s * p + j];
        if (dj === 0) continue;
        state.b[s * p + j] += dj;
        for (let k = colPtr[j]; k < colPtr[j + 1]; k++) e[base + rowIdx[k]] -= vals[k] * dj;
      }
    }
  }
}
