/**
 * What every marker prior module provides, and the parts of a marker set's block they all share: its
 * typed state (in the model's shared memory, where the sweep kernels update it), the sweep's bulk
 * normals and uniforms, the number of markers in the model, and the trackers of the effects and
 * (mixture priors) the inclusion indicators.
 */
import { type Arena, allocateF64 } from '../../linalg/arena.js';
import type { SweepKernel } from '../../linalg/kernel.js';
import { Stage, type Block, type Tracker } from '../../mcmc/block.js';
import type { ChainState, MarkerSetState } from '../../mcmc/state.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { MarkerSetNames } from '../../model/names.js';
import type { RandomSource, UniformSource } from '../../rng/rng.js';
import type { MarkerSpec, PriorReport, VariancePrior } from '../../types.js';

/** What a prior module sees when it resolves its hyper-parameters for one marker set. */
export interface MarkerContext<S extends MarkerSpec> {
  spec: S;
  md: MarkerDesign;
  names: MarkerSetNames;
  /** var(y) (denominator n − 1). */
  varY: number;
  /** The prior R² share of the set (BGLR: R² = 0.5 split over the non-residual terms). */
  r2: number;
  /** A user prior for the set's variance (spec.priors[term]), if any. */
  userPrior?: VariancePrior;
  /** A fixed value of the set's variance (spec.fixedVariances[term]), if any. */
  fixedVariance?: number;
}

/** A prior's resolved hyper-parameters, with the variance prior in the common report format and every rule. */
export interface ResolvedPrior<H> {
  hyper: H;
  report: PriorReport;
  rules: string[];
}

/** The parameters a marker set's block traces: its prior's own, then markersIn for a mixture. */
export interface MarkerParams {
  own: string[];
  mixture: boolean;
  /** Variances whose prior share the set's block reports (PriorShare), in its order. */
  shares?: string[];
}

/** A chain's share of the model's shared memory, and the kernel it sweeps with. */
export interface ChainMemory {
  readonly arena: Arena;
  readonly kernel: SweepKernel;
}

/** A zeroed Float64Array of `length` in the chain's shared memory (its byteOffset is its address for the kernel). */
export function chainArray(mem: ChainMemory, length: number): Float64Array {
  return allocateF64(mem.arena, length).view;
}

/** A prior module: one file per prior, registered in registry.ts. H is plain data (it goes to workers and run.json). */
export interface MarkerPriorModule<S extends MarkerSpec, H> {
  /** Resolve every hyper-parameter (defaults by BGLR's R² rule, src/model/defaults.ts) and report it. */
  resolve(ctx: MarkerContext<S>): ResolvedPrior<H>;
  /** The names the set's block traces. */
  params(hyper: H, names: MarkerSetNames): MarkerParams;
  /** The set's block for one chain (it allocates its own state in `mem`). */
  create(md: MarkerDesign, hyper: H, names: MarkerSetNames, mem: ChainMemory): MarkerBlock;
  /**
   * One draw of the effects and hyper-parameters from the prior, for simulation-based calibration:
   * β, and the true value of each traced parameter that is drawn (not those held fixed). `varE`
   * scales the effects of a prior that scales with σ²e (the LASSO).
   */
  simulate(md: MarkerDesign, hyper: H, names: MarkerSetNames, varE: number, rng: UniformSource): SimulatedEffects;
}

/** A marker set's effects drawn from its prior, with the true values of its traced parameters. */
export interface SimulatedEffects {
  beta: Float64Array;
  truth: Record<string, number>;
}

/** A marker set's Gibbs block, with its own state and the trackers of its effects. */
export interface MarkerBlock extends Block {
  readonly state: MarkerSetState;
  /** β of every marker. */
  readonly effects: Tracker;
  /** δ of every marker (mixture priors). */
  readonly pip?: Tracker;
  /**
   * Priors that scale marker effects by σ²e (the Bayesian LASSO) add to the residual variance's
   * full conditional: SS += β'D⁻¹β, df += p.
   */
  residualContribution?(): { ss: number; df: number };
}

/** The names of a set's effects, snp[ID] or snp[NAME:ID]. */
export function effectLabels(md: MarkerDesign, names: MarkerSetNames): string[] {
  return md.markers.map((m) => names.effect(m.id));
}

/** The names of a set's inclusion probabilities, pip[ID] or pip[NAME:ID]. */
export function pipLabels(md: MarkerDesign, names: MarkerSetNames): string[] {
  return md.markers.map((m) => names.pip(m.id));
}

/** The state every marker set has: its effects. */
export interface EffectsState extends MarkerSetState {
  readonly beta: Float64Array;
}

/**
 * The parts every marker set's block shares. `St` is the prior's own state (typed, allocated by the
 * subclass); `indicators` are its δ_j when the prior is a mixture.
 */
export abstract class MarkerBlockBase<St extends EffectsState> implements MarkerBlock {
  readonly stage = Stage.Markers;
  readonly params: readonly string[];
  readonly state: St;
  readonly effects: Tracker;
  readonly pip?: Tracker;
  protected readonly md: MarkerDesign;
  protected readonly kernel: SweepKernel;
  /** The sweep's p standard normals and p uniforms, drawn in bulk from the chain's stream. */
  protected readonly z: Float64Array;
  protected readonly u: Float64Array;
  private readonly indicators: Float64Array | undefined;
  private readonly own: number;

  constructor(md: MarkerDesign, names: MarkerSetNames, params: MarkerParams, state: St, mem: ChainMemory, indicators?: Float64Array) {
    this.md = md;
    this.state = state;
    this.kernel = mem.kernel;
    this.z = chainArray(mem, md.p);
    this.u = chainArray(mem, md.p);
    this.indicators = indicators;
    this.own = params.own.length;
    this.params = [...params.own, ...(params.mixture ? [names.markersIn] : [])];
    const beta = state.beta;
    this.effects = { labels: effectLabels(md, names), read: (_s, dst) => dst.set(beta) };
    if (indicators) this.pip = { labels: pipLabels(md, names), read: (_s, dst) => dst.set(indicators) };
  }

  abstract init(state: ChainState, rng: RandomSource): void;
  abstract update(state: ChainState, rng: RandomSource): void;
  /** Write the prior's own parameters into row[offset …]. */
  protected abstract recordOwn(row: Float64Array, offset: number): void;

  record(_state: ChainState, row: Float64Array, offset: number): void {
    this.recordOwn(row, offset);
    const d = this.indicators;
    if (d) {
      let k = 0;
      for (let j = 0; j < d.length; j++) k += d[j];
      row[offset + this.own] = k;
    }
  }
}
