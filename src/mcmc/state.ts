/**
 * ChainState: the values of every block of one chain, in preallocated typed arrays, plus the shared
 * residual e = y − fitted over the records in the likelihood. Blocks mutate their own arrays and e;
 * no array is ever rebound (DESIGN.md principle 3), so a state can be checkpointed by copying its
 * arrays and restored by copying them back.
 */
import type { Design } from '../model/design.js';

export interface ChainState {
  /** e = y − Xb − Σ Z_k u_k − Mβ, one entry per observed record. */
  readonly e: Float64Array;
  /** Fixed effects. */
  readonly b: Float64Array;
  /** Random effects, one array per random term. */
  readonly u: readonly Float64Array[];
  /** Variance of each random term. */
  readonly varU: Float64Array;
  /** Residual variance, [σ²e]. */
  readonly varE: Float64Array;
}

/** A zeroed state for `design`, with e = y (all effects 0). Blocks' `init` then set starting values. */
export function createState(design: Design): ChainState {
  return {
    e: Float64Array.from(design.y),
    b: new Float64Array(design.fixed.p),
    u: design.random.map((r) => new Float64Array(r.q)),
    varU: new Float64Array(design.random.length),
    varE: new Float64Array(1),
  };
}

/** Every typed array of a state, in a fixed order, for checkpointing and comparison. */
export function stateArrays(state: ChainState): Float64Array[] {
  return [state.e, state.b, ...state.u, state.varU, state.varE];
}
