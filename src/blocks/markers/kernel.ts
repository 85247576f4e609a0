/**
 * What every marker prior shares: the column kernels of the single-site Gibbs sweep with residual
 * updating (seeds/002, "Gauss–Seidel with residual update"; BGLR's sample_beta in C), and the base
 * class that records the genetic variance, h², the number of markers in the model, and tracks the
 * effects, inclusion indicators and GEBVs.
 *
 * For marker j with centred column x_j and current effect β_j, the data part of every full
 * conditional is the same: with e the residual,
 *   r_j = x_j'(e + x_j β_j) = x_j'e + x_j'x_j β_j,
 * and after drawing β_j,new the residual becomes e ← e + x_j (β_j − β_j,new) (skipped when the
 * effect stays 0).
 */
import type { Design } from '../../model/design.js';
import type { MarkerDesign } from '../../model/markers.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ChainState, MarkerState } from '../../mcmc/state.js';
import { Stage, type Block, type Tracker } from '../../mcmc/updater.js';
import type { PriorReport } from '../../types.js';
import { beta, chiSquare, normal, sliceSample } from '../../rng/dist.js';

/** x_j'e for column j (offset off = j·n) of a column-major Float32 matrix. */
export function dotCol(x: Float32Array, off: number, e: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[off + i] * e[i];
  return s;
}

/** e ← e + a·x_j (unrolled by four: the JIT then keeps the loads and stores in flight). */
export function axpyCol(x: Float32Array, off: number, e: Float64Array, n: number, a: number): void {
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    e[i] += a * x[off + i];
    e[i + 1] += a * x[off + i + 1];
    e[i + 2] += a * x[off + i + 2];
    e[i + 3] += a * x[off + i + 3];
  }
  for (; i < n; i++) e[i] += a * x[off + i];
}

/**
 * The previous marker's pending residual update fused with the next marker's dot product, in one
 * pass over e: e ← e + a·x_prev, then return x_next'e. A sweep visits e once per marker instead of
 * twice (about a third faster on wheat).
 */
export function axpyDotCol(x: Float32Array, offPrev: number, a: number, off: number, e: Float64Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  const n2 = n - (n % 2);
  let i = 0;
  for (; i < n2; i += 2) {
    const e0 = e[i] + a * x[offPrev + i];
    const e1 = e[i + 1] + a * x[offPrev + i + 1];
    e[i] = e0;
    e[i + 1] = e1;
    s0 += x[off + i] * e0;
    s1 += x[off + i + 1] * e1;
  }
  if (i < n) {
    const e0 = e[i] + a * x[offPrev + i];
    e[i] = e0;
    s0 += x[off + i] * e0;
  }
  return s0 + s1;
}

/**
 * The residual updates of a sweep, applied lazily: the update of marker j is fused into the dot
 * product of the next marker that needs e (see axpyDotCol), and `flush` applies the last one.
 * Reusable (one per block); no allocation per marker.
 */
export class ResidualUpdates {
  private off = -1;
  private a = 0;

  /** x_j'e with every earlier update applied. */
  dot(x: Float32Array, off: number, e: Float64Array, n: number): number {
    if (this.off < 0) return dotCol(x, off, e, n);
    const s = axpyDotCol(x, this.off, this.a, off, e, n);
    this.off = -1;
    return s;
  }

  /** Schedule e ← e + a·x_j (nothing when a = 0). */
  add(off: number, a: number, x: Float32Array, e: Float64Array, n: number): void {
    if (a === 0) return;
    if (this.off >= 0) axpyCol(x, this.off, e, n, this.a);
    this.off = off;
    this.a = a;
  }

  /** Apply what is pending; after this e = y − fitted again. */
  flush(x: Float32Array, e: Float64Array, n: number): void {
    if (this.off >= 0) axpyCol(x, this.off, e, n, this.a);
    this.off = -1;
  }
}

/** The marker spec of a run (spec.markers). */
export interface MarkerSpec {
  /** Genotypes: a PLINK .bed (with .bim/.fam beside it) or a CSV matrix. */
  file: string;
  /** BRR, BayesA, BayesB, BayesC, BayesCpi, BL (Bayesian LASSO) or BayesR. */
  prior: string;
  /** Prior probability that a marker has no effect (mixture priors). */
  pi?: number;
  /** Estimate π with a Beta prior (BayesCπ). */
  estimatePi?: boolean;
  /** Beta(a, b) prior on π (probability of a zero effect) when estimated. */
  piPrior?: { a: number; b: number };
  /** Gamma shape of the prior on the scale of marker-specific variances (BayesA/B), or on λ² (BL). */
  shape?: number;
  /** Bayesian LASSO: λ; with `lambdaPrior` it is the starting value. */
  lambda?: number;
  /** Bayesian LASSO: λ² ~ Gamma(shape, rate); `fixed` keeps λ at its value. */
  lambdaPrior?: { shape: number; rate: number } | 'fixed';
  /** BayesR: the variance classes as multiples of σ²g (default [0, 1e-4, 1e-3, 1e-2]). */
  classes?: number[];
  /** BayesR: Dirichlet prior counts of the classes (default all 1). */
  dirichlet?: number[];
  /** Subtract column means (default true). */
  center?: boolean;
  /** Drop records whose id has no genotype instead of failing. */
  dropUngenotyped?: boolean;
  /** Keep every k-th kept draw of the effects (0 = none; default: automatic, see README). */
  saveEffects?: number;
}

/** What a prior module sees when it resolves its hyper-parameters. */
export interface MarkerContext {
  design: Design;
  md: MarkerDesign;
  spec: MarkerSpec;
  /** var(y) (denominator n − 1). */
  varY: number;
  /** The prior R² share of the marker term (BGLR: R² = 0.5 split over the non-residual terms). */
  r2: number;
  /** A user prior for the marker variance (spec.priors.markers), if any. */
  userPrior?: { df: number; scale: number };
  /** A fixed marker variance (spec.fixedVariances.markers), if any. */
  fixedVariance?: number;
}

/** Resolved hyper-parameters, for the run's report. */
export interface MarkerHyper {
  prior: string;
  values: Record<string, number | number[] | boolean>;
  /** How each default was chosen. */
  rules: string[];
  /** The marker variance prior in the common report format. */
  report: PriorReport;
}

/** A prior module: one file per prior, registered in registry.ts. */
export interface MarkerPriorModule {
  /** Resolve every hyper-parameter (defaults by BGLR's R² rule) and report it. */
  hyper(ctx: MarkerContext): MarkerHyper;
  /** A block for one chain. */
  create(ctx: MarkerContext, hyper: MarkerHyper): MarkerBlock;
}

/** A marker block: a Gibbs block that also allocates its state and tracks effects. */
export interface MarkerBlock extends Block {
  allocate(): MarkerState;
  trackers(): Tracker[];
  /**
   * Priors that scale marker effects by σ²e (the Bayesian LASSO) add to the residual variance's
   * full conditional: SS += β'D⁻¹β, df += p.
   */
  residualContribution?(state: ChainState): { ss: number; df: number };
}

/**
 * The parts every marker block shares: the genetic value g = Mβ of the records (recovered in O(n)
 * from the residual: g = y − e − Xb − Σ Z_k u_k), var[genetic] = var(g), h² and the trackers.
 */
export abstract class MarkerBlockBase implements MarkerBlock {
  readonly stage = Stage.Markers;
  readonly params: readonly string[];
  protected readonly design: Design;
  protected readonly md: MarkerDesign;
  private readonly g: Float64Array;
  /** First record of each genotyped individual with records, and the prediction individuals. */
  private readonly gebvIds: string[];
  private readonly firstRecord: Int32Array;
  /** Whether the prior has inclusion indicators (PIP, markers in the model). */
  protected readonly mixture: boolean;
  /** The sweep's pending residual updates (see ResidualUpdates). */
  protected readonly updates = new ResidualUpdates();

  constructor(design: Design, ownParams: readonly string[], mixture: boolean) {
    this.design = design;
    this.md = design.markers!;
    this.mixture = mixture;
    this.params = [...ownParams, ...(mixture ? ['markersIn'] : []), 'var[genetic]', 'h2'];
    this.g = new Float64Array(design.n);
    const seen = new Map<string, number>();
    design.ids.forEach((id, i) => {
      if (!seen.has(id)) seen.set(id, i);
    });
    this.gebvIds = [...seen.keys(), ...this.md.predIds];
    this.firstRecord = Int32Array.from(seen.values());
  }

  abstract allocate(): MarkerState;
  abstract init(state: ChainState, rng: UniformSource): void;
  abstract update(state: ChainState, rng: UniformSource): void;
  /** Write the prior's own parameters (the first ownParams.length entries). */
  protected abstract recordOwn(state: ChainState, row: Float64Array, offset: number): void;
  /** Inclusion indicator of every marker (mixture priors only). */
  protected indicators(_state: ChainState): Float64Array | undefined {
    return undefined;
  }

  /** g = y − e − Xb − Σ_k Z_k u_k: the marker part of the fitted values of the records. */
  protected geneticValues(state: ChainState): Float64Array {
    const { y } = this.design;
    const { p, colPtr, rowIdx, vals } = this.design.fixed;
    const g = this.g;
    const e = state.e;
    for (let i = 0; i < g.length; i++) g[i] = y[i] - e[i];
    for (let j = 0; j < p; j++) {
      const bj = state.b[j];
      for (let k = colPtr[j]; k < colPtr[j + 1]; k++) g[rowIdx[k]] -= vals[k] * bj;
    }
    this.design.random.forEach((r, k) => {
      const u = state.u[k];
      for (let i = 0; i < g.length; i++) g[i] -= u[r.level[i]];
    });
    return g;
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    this.recordOwn(state, row, offset);
    let o = offset + this.params.length - (this.mixture ? 3 : 2);
    if (this.mixture) {
      const d = this.indicators(state)!;
      let k = 0;
      for (let j = 0; j < d.length; j++) k += d[j];
      row[o++] = k;
    }
    const g = this.geneticValues(state);
    let m = 0;
    for (let i = 0; i < g.length; i++) m += g[i];
    m /= g.length;
    let v = 0;
    for (let i = 0; i < g.length; i++) v += (g[i] - m) * (g[i] - m);
    v /= Math.max(1, g.length - 1);
    row[o++] = v;
    row[o] = v / (v + state.varE[0]);
  }

  trackers(): Tracker[] {
    const md = this.md;
    const out: Tracker[] = [
      { name: 'snp', labels: md.markers.map((m) => `snp[${m.id}]`), read: (state, dst) => dst.set(state.markers!.beta) },
    ];
    if (this.mixture) out.push({ name: 'pip', labels: md.markers.map((m) => `pip[${m.id}]`), read: (state, dst) => dst.set(this.indicators(state)!) });
    const first = this.firstRecord;
    const nTrain = first.length;
    const m = md.predIds.length;
    out.push({
      name: 'gebv',
      labels: this.gebvIds,
      read: (state, dst) => {
        const g = this.geneticValues(state);
        for (let i = 0; i < nTrain; i++) dst[i] = g[first[i]];
        if (m === 0) return;
        const beta = state.markers!.beta;
        for (let i = 0; i < m; i++) dst[nTrain + i] = 0;
        for (let j = 0; j < md.p; j++) {
          const bj = beta[j];
          if (bj === 0) continue;
          const off = j * m;
          for (let i = 0; i < m; i++) dst[nTrain + i] += md.xPred[off + i] * bj;
        }
      },
    });
    return out;
  }
}

/** A length-1 array holding one scalar of a prior's state. */
export function scalar(v = 0): Float64Array {
  return Float64Array.of(v);
}

/**
 * One sweep with every marker in the model, β_j ~ N(0, σ²_j):
 *   β_j | rest ~ N( r_j/c_j, σ²e/c_j ),  c_j = x_j'x_j + σ²e/σ²_j
 * with σ²_j = priorVar[0] for all j when `common`, else priorVar[j].
 * Mutates: beta, e (and the pending updates, flushed at the end).
 */
export function normalSweep(md: MarkerDesign, e: Float64Array, beta: Float64Array, priorVar: Float64Array, common: boolean, varE: number, rng: UniformSource, updates: ResidualUpdates): void {
  const { x, xx, n, p } = md;
  for (let j = 0; j < p; j++) {
    const off = j * n;
    const c = xx[j] + varE / priorVar[common ? 0 : j];
    const r = updates.dot(x, off, e, n) + xx[j] * beta[j];
    const bNew = r / c + Math.sqrt(varE / c) * normal(rng);
    updates.add(off, beta[j] - bNew, x, e, n);
    beta[j] = bNew;
  }
  updates.flush(x, e, n);
}

/**
 * One sweep of a spike-and-slab prior, parameterised as BGLR does: β_j = δ_j·b_j with
 * b_j ~ N(0, σ²_j) and P(δ_j = 0) = π. The indicator is drawn with b_j integrated out:
 *   log[P(δ_j=1 | rest)/P(δ_j=0 | rest)] = log((1−π)/π) + r_j²/(2σ²e c_j) − ½ log(c_j σ²_j/σ²e),
 *   c_j = x_j'x_j + σ²e/σ²_j,  r_j = x_j'e + x_j'x_j β_j,
 * then b_j | δ_j=1 ~ N(r_j/c_j, σ²e/c_j) and b_j | δ_j=0 ~ N(0, σ²_j) (its prior, which keeps the
 * variance updates well mixed). σ²_j = priorVar[0] when `common` (BayesC), else priorVar[j] (BayesB).
 * Mutates: beta, b, delta, e.
 */
export function mixtureSweep(
  md: MarkerDesign,
  e: Float64Array,
  beta: Float64Array,
  b: Float64Array,
  delta: Float64Array,
  priorVar: Float64Array,
  common: boolean,
  varE: number,
  pi: number,
  rng: UniformSource,
  updates: ResidualUpdates,
): void {
  const { x, xx, n, p } = md;
  const logPriorOdds = Math.log((1 - pi) / pi);
  for (let j = 0; j < p; j++) {
    const off = j * n;
    const vj = priorVar[common ? 0 : j];
    const c = xx[j] + varE / vj;
    const r = updates.dot(x, off, e, n) + xx[j] * beta[j];
    const logOdds = logPriorOdds + (r * r) / (2 * varE * c) - 0.5 * Math.log((c * vj) / varE);
    const pIn = 1 / (1 + Math.exp(-logOdds));
    const old = beta[j];
    if (rng.uniform() < pIn) {
      delta[j] = 1;
      b[j] = r / c + Math.sqrt(varE / c) * normal(rng);
      beta[j] = b[j];
    } else {
      delta[j] = 0;
      b[j] = Math.sqrt(vj) * normal(rng);
      beta[j] = 0;
    }
    updates.add(off, old - beta[j], x, e, n);
  }
  updates.flush(x, e, n);
}

/** π | δ ~ Beta(a + #out, b + #in), π the probability of a zero effect. */
export function drawPi(delta: Float64Array, a: number, bPrior: number, rng: UniformSource): number {
  let nIn = 0;
  for (let j = 0; j < delta.length; j++) nIn += delta[j];
  return beta(rng, a + delta.length - nIn, bPrior + nIn);
}

/** π (probability of a zero effect), whether it is estimated, and its Beta prior, as reported. */
export interface PiSetting {
  pi: number;
  estimate: boolean;
  a: number;
  b: number;
  rules: string[];
}

/**
 * Resolve π: the spec's value or BGLR's default 0.5; when estimated, Beta(a, b) with BGLR's default
 * of 10 prior counts centred on the starting π (a = 10·π, b = 10·(1 − π)).
 */
export function resolvePi(spec: MarkerSpec, estimateByDefault: boolean): PiSetting {
  const rules: string[] = [];
  const pi = spec.pi ?? 0.5;
  if (spec.pi === undefined) rules.push('pi: default 0.5 (BGLR probIn = 0.5)');
  const estimate = spec.estimatePi ?? estimateByDefault;
  let a = spec.piPrior?.a ?? 10 * pi;
  let b = spec.piPrior?.b ?? 10 * (1 - pi);
  if (estimate && !spec.piPrior) rules.push(`pi ~ Beta(${fmt(a)}, ${fmt(b)}): 10 prior counts centred on pi = ${pi} (BGLR counts = 10)`);
  if (!(a > 0 && b > 0)) {
    a = 1;
    b = 1;
  }
  return { pi, estimate, a, b, rules };
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/**
 * A common marker variance σ²β ~ Scaled-Inv-χ²(ν, s²) (BRR, BayesC), or held fixed:
 *   σ²β | b ~ (ν s² + b'b)/χ²(ν + p).
 */
export class CommonVariance {
  private readonly df: number;
  private readonly scale: number;
  private readonly fixed: number | undefined;

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    this.df = hyper.report.df;
    this.scale = hyper.report.scale;
    this.fixed = ctx.fixedVariance;
  }

  /** The starting value: the prior scale, or the fixed value. */
  start(): number {
    return this.fixed ?? this.scale;
  }

  /**
   * A draw of σ²β ~ (ν s² + Σ β_j²)/χ²(ν + m) given the m effects in the model, or the fixed value.
   * In a mixture, `beta` is zero for the markers out and `m` counts those in: their effects, prior
   * draws that carry no information, are integrated out (as JWAS does) rather than drawn and then
   * conditioned on (BGLR), which would tie σ²β to p − m prior draws and slow its chain.
   */
  draw(beta: Float64Array, current: number, rng: UniformSource, m = beta.length): number {
    if (this.fixed !== undefined) return current;
    let ss = 0;
    for (let j = 0; j < beta.length; j++) ss += beta[j] * beta[j];
    return (this.df * this.scale + ss) / chiSquare(rng, this.df + m);
  }
}

/**
 * Marker-specific variances σ²_j ~ S·Inv-χ²(ν) with S ~ Gamma(shape, rate) (BayesA, BayesB; BGLR's
 * parameterisation), or S held fixed. (S, σ²) are drawn as one block given the m effects b_j in the
 * model (all p for BayesA; δ_j = 1 for BayesB, whose other b_j are prior draws and are integrated out):
 *   S | b     ∝ S^(shape − 1 + mν/2) · exp(−rate·S) · Π_{j in} (S + b_j²)^(−(ν+1)/2)   (σ² integrated
 *               out: b_j | S is Student-t), by slice sampling on log S (Neal 2003);
 *   σ²_j | b_j, S ~ (S + b_j²)/χ²(ν + 1) for the markers in, S/χ²(ν) (the prior) for those out.
 * BGLR draws S | σ² ~ Gamma(shape + pν/2, rate + Σ_j 1/(2σ²_j)) instead, which has the same stationary
 * distribution but moves S by about 1/sqrt(pν/2) of itself per iteration, because σ² and S pin each
 * other down; integrating σ² out removes that coupling (var[genetic] mixed at ESS ≈ 3 per 1,000
 * iterations on the wheat data with BGLR's update).
 */
export class SpecificVariances {
  readonly df: number;
  private readonly S0: number;
  private readonly shape: number;
  private readonly rate: number;
  private readonly fixedS: number | undefined;
  /** The effects and inclusion indicators the log density of log S is evaluated for (set by update). */
  private b: Float64Array = new Float64Array(0);
  private inModel: Float64Array | undefined;
  private m = 0;
  private readonly logDensity = (u: number): number => this.logScaleDensity(u);

  constructor(ctx: MarkerContext, hyper: MarkerHyper) {
    this.df = hyper.report.df;
    this.S0 = hyper.report.df * hyper.report.scale;
    this.shape = hyper.values.shape as number;
    this.rate = hyper.values.rate as number;
    this.fixedS = ctx.fixedVariance === undefined ? undefined : ctx.fixedVariance * hyper.report.df;
  }

  /** S at its prior value (or fixed), every σ²_j at the prior mode S/(ν + 2). Mutates: varJ, S. */
  init(varJ: Float64Array, S: Float64Array): void {
    S[0] = this.fixedS ?? this.S0;
    varJ.fill(S[0] / (this.df + 2));
  }

  /** `inModel` (δ, 0/1 per marker) when only some b_j are in the model. Mutates: varJ, S. */
  update(b: Float64Array, varJ: Float64Array, S: Float64Array, rng: UniformSource, inModel?: Float64Array): void {
    let m = b.length;
    if (inModel) {
      m = 0;
      for (let j = 0; j < inModel.length; j++) m += inModel[j];
    }
    if (this.fixedS === undefined) {
      this.b = b;
      this.inModel = inModel;
      this.m = m;
      // the posterior SD of log S is about 1/sqrt(shape + mν/2): the slice width starts at twice that
      const w = 2 / Math.sqrt(this.shape + (m * this.df) / 2);
      S[0] = Math.exp(sliceSample(rng, Math.log(S[0]), this.logDensity, w));
    }
    for (let j = 0; j < b.length; j++) {
      varJ[j] = !inModel || inModel[j] === 1 ? (S[0] + b[j] * b[j]) / chiSquare(rng, this.df + 1) : S[0] / chiSquare(rng, this.df);
    }
  }

  /** log p(log S = u | b) up to a constant (the Jacobian S included). */
  logScaleDensity(u: number): number {
    const S = Math.exp(u);
    const { b, inModel } = this;
    let sum = 0;
    for (let j = 0; j < b.length; j++) if (!inModel || inModel[j] === 1) sum += Math.log(S + b[j] * b[j]);
    return (this.shape + (this.m * this.df) / 2) * u - this.rate * S - ((this.df + 1) / 2) * sum;
  }
}
