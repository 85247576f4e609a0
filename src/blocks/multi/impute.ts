/**
 * Missing traits by data augmentation (Tanner & Wong 1987; as MCMCglmm and JWAS do): a record with
 * traits M missing and O observed has, given everything else, residuals
 *
 *   e_M | e_O ~ N(R_MO R_OO⁻¹ e_O, R_MM − R_MO R_OO⁻¹ R_OM),
 *
 * from which y_M = fitted_M + e_M. It runs first in every sweep (with the R0 of the last), so that
 * every other block sees complete records. Records are visited in order; the matrices of each pattern
 * of missing traits are factored once per sweep.
 */
import { choleskyInPlace, forwardSolve } from '../../linalg/dense.js';
import { Stage, type Block } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import { normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';

interface Pattern {
  /** Observed and missing traits. */
  obs: Int32Array;
  miss: Int32Array;
  /** A = R_MO R_OO⁻¹ (|M| × |O|), and the Cholesky factor of the Schur complement (|M| × |M|). */
  a: Float64Array;
  schur: Float64Array;
  /** R_OO's factor and a column of R_OM, scratch. */
  roo: Float64Array;
  col: Float64Array;
}

export class MissingTraitBlock implements Block {
  readonly stage = Stage.Augment;
  readonly params: readonly string[] = [];
  private readonly t: number;
  private readonly n: number;
  /** Records with a missing trait, in order, and the index of their pattern. */
  private readonly records: Int32Array;
  private readonly patternOf: Int32Array;
  private readonly patterns: Pattern[];
  private readonly mean: Float64Array;
  private readonly z: Float64Array;

  constructor(design: Design) {
    const { t, observed } = design.traits;
    const n = design.n;
    this.t = t;
    this.n = n;
    const keys = new Map<number, number>();
    const recs: number[] = [];
    const pats: number[] = [];
    this.patterns = [];
    for (let i = 0; i < n; i++) {
      let mask = 0;
      for (let s = 0; s < t; s++) if (observed[s * n + i]) mask |= 1 << s;
      if (mask === (1 << t) - 1) continue;
      let k = keys.get(mask);
      if (k === undefined) {
        k = this.patterns.length;
        keys.set(mask, k);
        const obs = Int32Array.from({ length: t }, (_, s) => s).filter((s) => mask & (1 << s));
        const miss = Int32Array.from({ length: t }, (_, s) => s).filter((s) => !(mask & (1 << s)));
        const o = obs.length;
        const mi = miss.length;
        this.patterns.push({
          obs,
          miss,
          a: new Float64Array(mi * o),
          schur: new Float64Array(mi * mi),
          roo: new Float64Array(o * o),
          col: new Float64Array(o),
        });
      }
      recs.push(i);
      pats.push(k);
    }
    this.records = Int32Array.from(recs);
    this.patternOf = Int32Array.from(pats);
    this.mean = new Float64Array(t);
    this.z = new Float64Array(t);
  }

  /** The state starts with every missing trait at its trait's mean (createMultiState). */
  init(): void {}

  /** Mutates: the imputed y and e of records with missing traits. */
  update(state: ChainState, rng: UniformSource): void {
    if (this.records.length === 0) return;
    const { mean, z } = this;
    const multi = state.multi!;
    const r0 = multi.covE;
    for (const p of this.patterns) this.factor(p, r0);
    const e = state.e;
    const pitch = multi.pitch;
    const y = multi.y;
    const n = this.n;
    for (let k = 0; k < this.records.length; k++) {
      const i = this.records[k];
      const { obs, miss, a, schur } = this.patterns[this.patternOf[k]];
      const o = obs.length;
      const mi = miss.length;
      for (let m = 0; m < mi; m++) {
        let s = 0;
        for (let q = 0; q < o; q++) s += a[m * o + q] * e[obs[q] * pitch + i];
        mean[m] = s;
        z[m] = normal(rng);
      }
      for (let m = 0; m < mi; m++) {
        let draw = mean[m];
        for (let q = 0; q <= m; q++) draw += schur[m * mi + q] * z[q];
        const s = miss[m];
        y[s * n + i] += draw - e[s * pitch + i];
        e[s * pitch + i] = draw;
      }
    }
  }

  record(): void {}

  /** A = R_MO R_OO⁻¹ and the Cholesky factor of R_MM − A R_OM for one pattern. Mutates: the pattern's arrays. */
  private factor(p: Pattern, r0: Float64Array): void {
    const t = this.t;
    const { obs, miss, a, schur, roo, col } = p;
    const o = obs.length;
    const mi = miss.length;
    for (let q = 0; q < o; q++) for (let w = 0; w < o; w++) roo[q * o + w] = r0[obs[q] * t + obs[w]];
    if (choleskyInPlace(roo, o) >= 0) throw new Error('the residual covariance of the observed traits is not positive definite');
    // row m of A solves R_OO a_m = R_OM[:, m] (R_OO symmetric): forward and back substitution
    for (let m = 0; m < mi; m++) {
      for (let q = 0; q < o; q++) col[q] = r0[obs[q] * t + miss[m]];
      forwardSolve(roo, o, col);
      for (let q = o - 1; q >= 0; q--) {
        let s = col[q];
        for (let w = q + 1; w < o; w++) s -= roo[w * o + q] * col[w];
        col[q] = s / roo[q * o + q];
      }
      a.set(col, m * o);
    }
    for (let m = 0; m < mi; m++) {
      for (let m2 = 0; m2 < mi; m2++) {
        let s = r0[miss[m] * t + miss[m2]];
        for (let q = 0; q < o; q++) s -= a[m * o + q] * r0[obs[q] * t + miss[m2]];
        schur[m * mi + m2] = s;
      }
    }
    if (choleskyInPlace(schur, mi) >= 0) throw new Error('the conditional covariance of the missing traits is not positive definite');
  }
}
