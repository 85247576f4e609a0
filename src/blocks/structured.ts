/**
 * A random term with a known covariance, u_k ~ N(0, K σ²u) (pedigree A, a relationship matrix, or
 * genomic G), sampled level by level over its sparse neighbours in K⁻¹:
 *
 *   u_j | rest ~ N( (r_j − λ Σ_{l≠j} K⁻¹_jl u_l) / c_j, σ²e / c_j ),
 *   r_j = Σ_{i: level(i)=j} (e_i + u_j),  c_j = n_j + λ K⁻¹_jj,  λ = σ²e/σ²u
 *
 * (the u_j row of Henderson's mixed-model equations with G⁻¹ = K⁻¹/σ²u, Henderson 1975, Biometrics
 * 31:423; Sorensen & Gianola 2002, §13.4). Levels are visited in order and e is updated for the records of each level as it moves.
 */
import type { Design } from '../model/design.js';
import { normal } from '../rng/dist.js';
import type { UniformSource } from '../rng/rng.js';
import type { ChainState } from '../mcmc/state.js';
import { RandomTermBlock } from './random.js';

export class StructuredRandomBlock extends RandomTermBlock {
  /** Records of each level: recIdx[levelPtr[j] .. levelPtr[j+1]). */
  private readonly levelPtr: Int32Array;
  private readonly recIdx: Int32Array;

  constructor(design: Design, k: number, traced: boolean) {
    super(design, k, traced);
    const { q, level, count } = this.term;
    this.levelPtr = new Int32Array(q + 1);
    for (let j = 0; j < q; j++) this.levelPtr[j + 1] = this.levelPtr[j] + count[j];
    this.recIdx = new Int32Array(level.length);
    const fill = this.levelPtr.slice(0, q);
    for (let i = 0; i < level.length; i++) this.recIdx[fill[level[i]]++] = i;
  }

  /** Mutates: u[k], e. */
  update(state: ChainState, rng: UniformSource): void {
    const { q, count } = this.term;
    const { rowPtr, colIdx, values } = this.term.cov!.kinv;
    const u = state.u[this.k];
    const e = state.e;
    const varE = state.varE[0];
    const lambda = varE / state.varU[this.k];
    const ptr = this.levelPtr;
    const rec = this.recIdx;
    for (let j = 0; j < q; j++) {
      let r = count[j] * u[j];
      for (let t = ptr[j]; t < ptr[j + 1]; t++) r += e[rec[t]];
      let kjj = 0;
      let off = 0;
      for (let t = rowPtr[j]; t < rowPtr[j + 1]; t++) {
        const l = colIdx[t];
        if (l === j) kjj += values[t];
        else off += values[t] * u[l];
      }
      const c = count[j] + lambda * kjj;
      const uNew = (r - lambda * off) / c + Math.sqrt(varE / c) * normal(rng);
      const d = uNew - u[j];
      if (d !== 0) for (let t = ptr[j]; t < ptr[j + 1]; t++) e[rec[t]] -= d;
      u[j] = uNew;
    }
  }
}
