/**
 * ChainState: the values of every block of one chain, in preallocated typed arrays, plus the shared
 * residual e = y − fitted over the records in the likelihood. Blocks mutate their own arrays and e;
 * no array is ever rebound (DESIGN.md principle 3), so a state can be checkpointed by copying its
 * arrays and restored by copying them back.
 */
import type { Design } from '../model/design.js';

/** The state of one marker set: the effects, and the arrays of its prior by name. */
export interface MarkerSetState {
  /** The effects that enter the model: the fitted value includes Mβ with this β. */
  readonly beta: Float64Array;
  /** The prior's own arrays (marker variances, indicators, scalars as length-1 arrays). */
  readonly [array: string]: Float64Array;
}

export interface ChainState {
  /** e = y − Xb − Σ Z_k u_k − Σ_s M_s β_s, one entry per observed record. */
  readonly e: Float64Array;
  /** Fixed effects. */
  readonly b: Float64Array;
  /** Random effects, one array per random term. */
  readonly u: readonly Float64Array[];
  /** Variance of each random term. */
  readonly varU: Float64Array;
  /** Residual variance, [σ²e]. */
  readonly varE: Float64Array;
  /** One state per marker set, allocated by the set's block. */
  readonly markers: readonly MarkerSetState[];
  /**
   * Multivariate models: the covariance matrix of each random term (d × d row-major), of the
   * residual (t × t), and the responses with the missing traits filled in (data augmentation). In
   * them e holds t residual columns e[s·pitch + i], b is trait-major b[s·p + j], and u[k] level-major
   * u[k][l·d + c]; varU and varE are empty.
   */
  readonly multi?: MultiState;
  /**
   * Threshold and censored traits (single-trait models): the latent response that e is the residual
   * of — the liability of a binary or ordinal record, the value of a censored one — and the thresholds.
   */
  readonly latent?: LatentState;
  /**
   * The posterior predictive check's own random stream (blocks/replicates.ts): an xor4096 state of
   * 130 words, apart from the chain's stream so the chain's draws do not depend on it, and kept here
   * so a checkpoint saves it and a resumed chain continues it.
   */
  readonly replicates?: Float64Array;
}

/**
 * The latent scale of a non-Gaussian trait (Albert & Chib 1993). e = y − fitted holds with y this
 * latent response; the liability block draws it, and nothing else writes it.
 */
export interface LatentState {
  /** The liability (threshold traits) or the value (censored traits) of every record. */
  readonly y: Float64Array;
  /** Ordinal and binary traits: γ_0 = −∞ < γ_1 = 0 < γ_2 < … < γ_K = +∞ for K categories (empty otherwise). */
  readonly thresholds: Float64Array;
  /** The thresholds' Metropolis–Hastings step: [log proposal sd, accepted, proposed (this window), updates so far] (empty otherwise). */
  readonly tuning: Float64Array;
}

export interface MultiState {
  readonly covU: readonly Float64Array[];
  readonly covE: Float64Array;
  /** y with the missing traits imputed, trait-major y[s·n + i]. */
  readonly y: Float64Array;
  /** Distance between the residual columns of consecutive traits in e (≥ n; padded for the marker kernels). */
  readonly pitch: number;
}

/**
 * A zeroed state for `design`, with e = y (all effects 0; y the latent response when given); `markers` are the marker blocks' own
 * allocations, and `e` the residual's storage when the marker kernels need it in shared memory.
 * Blocks' `init` then set starting values.
 */
export function createState(
  design: Design,
  markers: readonly MarkerSetState[] = [],
  e?: Float64Array,
  latent?: LatentState,
  replicates?: Float64Array,
): ChainState {
  const residual = e ?? new Float64Array(design.n);
  residual.set(latent?.y ?? design.y);
  return {
    e: residual,
    b: new Float64Array(design.fixed.p),
    u: design.random.map((r) => new Float64Array(r.q)),
    varU: new Float64Array(design.random.length),
    varE: new Float64Array(1),
    markers,
    ...(latent ? { latent } : {}),
    ...(replicates ? { replicates } : {}),
  };
}

/** The response that e is the residual of: the latent one of a threshold or censored trait, else the data's. */
export function responseOf(state: ChainState, design: Design): Float64Array {
  return state.latent?.y ?? design.y;
}

/** Every typed array of a state, in a fixed order (each set's β, then its arrays by name), for checkpointing and comparison. */
export function stateArrays(state: ChainState): Float64Array[] {
  const out = [state.e, state.b, ...state.u, state.varU, state.varE];
  if (state.multi) out.push(...state.multi.covU, state.multi.covE, state.multi.y);
  if (state.latent) {
    // the finite thresholds only (a view: restoring it writes them back); γ_0 = −∞ and γ_K = +∞ never change
    const { y, thresholds, tuning } = state.latent;
    // a multivariate state's latent y is a view of multi.y, already in the list
    if (!state.multi) out.push(y);
    out.push(thresholds.subarray(1, Math.max(1, thresholds.length - 1)), tuning);
  }
  if (state.replicates) out.push(state.replicates);
  for (const m of state.markers) {
    out.push(m.beta);
    for (const key of Object.keys(m).sort()) if (key !== 'beta') out.push(m[key]);
  }
  return out;
}

/**
 * A zeroed multivariate state: e = y with every missing trait at its trait's observed mean (all
 * effects 0; a latent trait's column from its start values, viewed as the state's latent y),
 * covariance matrices zero (the blocks' init sets them). `e` is the residual storage of
 * t columns `pitch` apart when the marker kernels need it in shared memory.
 */
export function createMultiState(
  design: Design,
  dims: readonly number[],
  markers: readonly MarkerSetState[] = [],
  e?: Float64Array,
  pitch = design.n,
  latent?: { trait: number; start: LatentState },
  replicates?: Float64Array,
): ChainState {
  const { n } = design;
  const { t, observed, counts } = design.traits;
  const y = Float64Array.from(design.y);
  for (let s = 0; s < t; s++) {
    let mean = 0;
    for (let i = 0; i < n; i++) if (observed[s * n + i]) mean += y[s * n + i];
    mean /= counts[s];
    for (let i = 0; i < n; i++) if (!observed[s * n + i]) y[s * n + i] = mean;
  }
  if (latent) y.set(latent.start.y, latent.trait * n);
  const residual = e ?? new Float64Array(t * pitch);
  for (let s = 0; s < t; s++) residual.set(y.subarray(s * n, s * n + n), s * pitch);
  return {
    e: residual,
    b: new Float64Array(design.fixed.p * t),
    u: design.random.map((r, k) => new Float64Array(r.q * dims[k])),
    varU: new Float64Array(0),
    varE: new Float64Array(0),
    markers,
    multi: { covU: dims.map((d) => new Float64Array(d * d)), covE: new Float64Array(t * t), y, pitch },
    ...(latent ? { latent: { y: y.subarray(latent.trait * n, latent.trait * n + n), thresholds: latent.start.thresholds, tuning: latent.start.tuning } } : {}),
    ...(replicates ? { replicates } : {}),
  };
}
