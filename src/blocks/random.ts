/**
 * An iid random term u_k ~ N(0, I σ²u) with one level per record (a random intercept (1|g)).
 *
 * Given everything else the levels are independent, each with the conjugate full conditional
 *
 *   u_j | rest ~ N( r_j / (n_j + λ), σ²e / (n_j + λ) ),  r_j = Σ_{i: level(i)=j} (e_i + u_j),  λ = σ²e/σ²u
 *
 * (the random-effect rows of Henderson's mixed-model equations with G = Iσ²u, Henderson
 * 1975, Biometrics 31:423; Sorensen & Gianola 2002, ch. 13), so all levels are drawn jointly in two O(n) passes: accumulate Σe per level, draw,
 * then e_i ← e_i − (u_j,new − u_j,old).
 */
import type { Design, RandomDesign } from '../model/design.js';
import { normal } from '../rng/dist.js';
import type { UniformSource } from '../rng/rng.js';
import { Stage, type Block, type Tracker } from '../mcmc/block.js';
import type { ChainState } from '../mcmc/state.js';
import { levelName } from '../model/names.js';

/** The names of a random term's levels, u[TERM:LEVEL]. */
export function levelLabels(term: RandomDesign): string[] {
  return term.levels.map((l) => levelName(term.term, l));
}

/** What every random-term block shares: its levels' names, recording and the running-moments tracker. */
export abstract class RandomTermBlock implements Block {
  readonly stage = Stage.Random;
  readonly params: readonly string[];
  protected readonly term: RandomDesign;
  protected readonly k: number;
  /** Running moments of every level. */
  readonly tracker: Tracker;

  /**
   * @param k index of the term in design.random.
   * @param traced whether every level is traced per draw (otherwise running moments only).
   */
  constructor(design: Design, k: number, traced: boolean) {
    this.term = design.random[k];
    this.k = k;
    const labels = levelLabels(this.term);
    this.params = traced ? labels : [];
    this.tracker = { labels, read: (state, out) => out.set(state.u[k]) };
  }

  /** Start at 0 (the state is created so). */
  init(): void {}

  abstract update(state: ChainState, rng: UniformSource): void;

  record(state: ChainState, row: Float64Array, offset: number): void {
    if (this.params.length > 0) row.set(state.u[this.k], offset);
  }
}

export class RandomIidBlock extends RandomTermBlock {
  private readonly sums: Float64Array;
  private readonly delta: Float64Array;

  constructor(design: Design, k: number, traced: boolean) {
    super(design, k, traced);
    this.sums = new Float64Array(this.term.q);
    this.delta = new Float64Array(this.term.q);
  }

  /** Mutates: u[k], e. */
  update(state: ChainState, rng: UniformSource): void {
    const { level, count, q } = this.term;
    const u = state.u[this.k];
    const e = state.e;
    const n = e.length;
    const sums = this.sums;
    const delta = this.delta;
    const varE = state.varE[0];
    const lambda = varE / state.varU[this.k];
    sums.fill(0);
    for (let i = 0; i < n; i++) sums[level[i]] += e[i];
    for (let j = 0; j < q; j++) {
      const c = count[j] + lambda;
      const uNew = (sums[j] + count[j] * u[j]) / c + Math.sqrt(varE / c) * normal(rng);
      delta[j] = uNew - u[j];
      u[j] = uNew;
    }
    for (let i = 0; i < n; i++) e[i] -= delta[level[i]];
  }
}
