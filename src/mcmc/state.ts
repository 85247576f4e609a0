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
  /** Marker effects and the arrays of their prior, when the model has markers. */
  readonly markers?: MarkerState;
}

/** The state of a marker block. */
export interface MarkerState {
  /** The effects that enter the model: the fitted value includes Mβ with this β. */
  readonly beta: Float64Array;
  /** The prior's own arrays (marker variances, indicators, scalars as length-1 arrays), by name. */
  readonly extra: Readonly<Record<string, Float64Array>>;
}

/**
 * A zeroed state for `design`, with e = y (all effects 0); `markers` is the marker block's own
 * allocation. Blocks' `init` then set starting values.
 */
export function createState(design: Design, markers?: MarkerState): ChainState {
  return {
    e: Float64Array.from(design.y),
    b: new Float64Array(design.fixed.p),
    u: design.random.map((r) => new Float64Array(r.q)),
    varU: new Float64Array(design.random.length),
    varE: new Float64Array(1),
    markers,
  };
}

/** Every typed array of a state, in a fixed order, for checkpointing and comparison. */
export function stateArrays(state: ChainState): Float64Array[] {
  const out = [state.e, state.b, ...state.u, state.varU, state.varE];
  if (state.markers) {
    out.push(state.markers.beta);
    for (const key of Object.keys(state.markers.extra).sort()) out.push(state.markers.extra[key]);
  }
  return out;
}
