/**
 * A random term of a multivariate model: each level l carries a vector u_l of d = t·nc effects (its
 * coefficients — intercept and slopes — for every trait; component s·nc + c), with
 * u ~ N(0, K ⊗ G) (K = I when iid). Record i of level l adds Σ_c z_ic u_l[s·nc + c] to trait s, so
 * with W = R0⁻¹ and M_l = Σ_{i ∈ l} z_i z_i' the level's full conditional is (the u_l rows of the
 * multivariate mixed-model equations; Henderson & Quaas 1976, J. Anim. Sci. 43:1188; Sorensen &
 * Gianola 2002, §13.6)
 *
 *   u_l | rest ~ N(C_l⁻¹ r_l, C_l⁻¹),  C_l = W ⊗ M_l + K⁻¹_ll G⁻¹,
 *   r_l = Σ_{i ∈ l} (W e_i) ⊗ z_i + (W ⊗ M_l) u_l − Σ_{m ≠ l} K⁻¹_lm G⁻¹ u_m,
 *
 * e_i the t residuals of record i with u_l in the fitted values. Levels are visited in order, each
 * drawn as C_l⁻¹ r_l + L_l⁻ᵀ z (C_l = L_l L_l', z d normals), and the residuals of its records updated.
 */
import { backSolveTransposed, choleskyInPlace, cholSolve, invertSPDInto } from '../../linalg/dense.js';
import { Stage, type Block, type Tracker } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design, RandomDesign } from '../../model/design.js';
import { normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';

export class MultiRandomBlock implements Block {
  readonly stage = Stage.Random;
  readonly params: readonly string[];
  readonly tracker: Tracker;
  private readonly term: RandomDesign;
  private readonly t: number;
  private readonly nc: number;
  private readonly d: number;
  /** Records of each level: rec[ptr[l] .. ptr[l+1]). */
  private readonly ptr: Int32Array;
  private readonly rec: Int32Array;
  /** M_l = Σ_{i ∈ l} z_i z_i', nc × nc per level. */
  private readonly mz: Float64Array;
  private readonly w: Float64Array;
  private readonly ginv: Float64Array;
  private readonly c: Float64Array;
  private readonly r: Float64Array;
  private readonly acc: Float64Array;
  private readonly z: Float64Array;
  private readonly gu: Float64Array;
  private readonly scratch: Float64Array;

  /**
   * @param labels the names of every level's components, level-major.
   * @param traced whether they are traced per draw (otherwise running moments only).
   */
  constructor(
    design: Design,
    private readonly k: number,
    labels: readonly string[],
    traced: boolean,
  ) {
    const term = design.random[k];
    this.term = term;
    this.t = design.traits.t;
    this.nc = term.coefs.length;
    this.d = this.t * this.nc;
    this.params = traced ? labels : [];
    this.tracker = { labels, read: (state, out) => out.set(state.u[k]) };
    const { q, level, count } = term;
    this.ptr = new Int32Array(q + 1);
    for (let l = 0; l < q; l++) this.ptr[l + 1] = this.ptr[l] + count[l];
    this.rec = new Int32Array(level.length);
    const fill = this.ptr.slice(0, q);
    for (let i = 0; i < level.length; i++) this.rec[fill[level[i]]++] = i;
    const nc = this.nc;
    this.mz = new Float64Array(q * nc * nc);
    for (let i = 0; i < level.length; i++) {
      const base = level[i] * nc * nc;
      for (let a = 0; a < nc; a++) for (let b = 0; b < nc; b++) this.mz[base + a * nc + b] += this.zv(i, a) * this.zv(i, b);
    }
    const d = this.d;
    this.w = new Float64Array(this.t * this.t);
    this.ginv = new Float64Array(d * d);
    this.c = new Float64Array(d * d);
    this.r = new Float64Array(d);
    this.acc = new Float64Array(d);
    this.z = new Float64Array(d);
    this.gu = new Float64Array(d);
    this.scratch = new Float64Array(2 * Math.max(d, this.t) ** 2);
  }

  /** z_ic: the value of coefficient c for record i (1 for a random intercept alone). */
  private zv(i: number, c: number): number {
    const z = this.term.z;
    return z ? z[i * this.nc + c] : 1;
  }

  /** Start at 0 (the state is created so). */
  init(): void {}

  /** Mutates: u[k], e. */
  update(state: ChainState, rng: UniformSource): void {
    const { t, nc, d, w, ginv, c, r, acc, z, gu, ptr, rec, mz, scratch } = this;
    const multi = state.multi!;
    invertSPDInto(multi.covE, t, w, scratch);
    invertSPDInto(multi.covU[this.k], d, ginv, scratch);
    const u = state.u[this.k];
    const e = state.e;
    const pitch = multi.pitch;
    const kinv = this.term.cov?.kinv;
    const { q } = this.term;
    for (let l = 0; l < q; l++) {
      const ul = l * d;
      // acc[s'·nc + c] = Σ_{i ∈ l} z_ic e_{s',i}
      acc.fill(0);
      for (let k = ptr[l]; k < ptr[l + 1]; k++) {
        const i = rec[k];
        for (let s = 0; s < t; s++) {
          const ei = e[s * pitch + i];
          for (let cc = 0; cc < nc; cc++) acc[s * nc + cc] += this.zv(i, cc) * ei;
        }
      }
      // neighbours' prior contribution Σ_{m ≠ l} K⁻¹_lm u_m, and K⁻¹_ll
      let kll = 1;
      gu.fill(0);
      if (kinv) {
        kll = 0;
        for (let p = kinv.rowPtr[l]; p < kinv.rowPtr[l + 1]; p++) {
          const m = kinv.colIdx[p];
          if (m === l) kll += kinv.values[p];
          else for (let a = 0; a < d; a++) gu[a] += kinv.values[p] * u[m * d + a];
        }
      }
      const mb = l * nc * nc;
      for (let a = 0; a < d; a++) {
        const s = Math.floor(a / nc);
        const ca = a % nc;
        // (W e) ⊗ z part
        let ra = 0;
        for (let s2 = 0; s2 < t; s2++) ra += w[s * t + s2] * acc[s2 * nc + ca];
        // C = W ⊗ M_l + K⁻¹_ll G⁻¹, and (W ⊗ M_l) u_l − G⁻¹ Σ_m K⁻¹_lm u_m
        let neighbours = 0;
        for (let b = 0; b < d; b++) {
          const s2 = Math.floor(b / nc);
          const cb = b % nc;
          const data = w[s * t + s2] * mz[mb + ca * nc + cb];
          c[a * d + b] = data + kll * ginv[a * d + b];
          ra += data * u[ul + b];
          neighbours += ginv[a * d + b] * gu[b];
        }
        r[a] = ra - neighbours;
      }
      if (choleskyInPlace(c, d) >= 0) throw new Error(`the full conditional of level ${l + 1} of ${this.term.term} is not positive definite`);
      cholSolve(c, d, r);
      for (let a = 0; a < d; a++) z[a] = normal(rng);
      backSolveTransposed(c, d, z);
      // r ← the new u_l − the old, then the residuals of the level's records
      for (let a = 0; a < d; a++) {
        const now = r[a] + z[a];
        r[a] = now - u[ul + a];
        u[ul + a] = now;
      }
      for (let k = ptr[l]; k < ptr[l + 1]; k++) {
        const i = rec[k];
        for (let s = 0; s < t; s++) {
          let change = 0;
          for (let cc = 0; cc < nc; cc++) change += this.zv(i, cc) * r[s * nc + cc];
          if (change !== 0) e[s * pitch + i] -= change;
        }
      }
    }
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    if (this.params.length > 0) row.set(state.u[this.k], offset);
  }
}
