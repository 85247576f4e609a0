/**
 * The log-likelihood of every record of a multi-trait model at a draw, for WAIC and DIC: the joint
 * density of the record's observed traits given the linear predictors μ_i (t values) and R0, the
 * missing traits integrated out (they are simply left out: a normal's margin). With G the record's
 * Gaussian (or exactly known) traits and L the one non-Gaussian trait when it is observed but not
 * exactly (a category, or a censoring interval):
 *   log p(y_i | θ) = log N(y_G | μ_G, R_GG) + log P(lo_i < l ≤ hi_i | y_G),
 *   l | y_G ~ N(μ_L + w'(y_G − μ_G), R_LL − R_LG w), w = R_GG⁻¹ R_GL
 * (the liability's conditional normal, as the liability block draws it; Sorensen & Gianola 2002,
 * §14.3), lo and hi the category's thresholds or the censoring bounds. Records share a few patterns
 * of observed traits, so R_GG is factored once per pattern per draw.
 */
import type { Tracker } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import { choleskyInPlace, cholSolve, forwardSolve } from '../../linalg/dense.js';
import { logNormalInterval } from '../../rng/truncated.js';
import { latentTrait } from './liability.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** One pattern of observed traits: G, whether L enters by an interval, and per draw R_GG's factor, log det, w and the conditional sd. */
interface Pattern {
  readonly gaussian: Int32Array;
  readonly interval: boolean;
  readonly factor: Float64Array;
  logDet: number;
  readonly w: Float64Array;
  conditionalSd: number;
}

/** Evaluates every record's log-likelihood of a multi-trait design; no allocation per draw. */
export class MultiRecordLikelihood {
  private readonly n: number;
  private readonly t: number;
  private readonly patterns: Pattern[] = [];
  /** The pattern of each record. */
  private readonly patternOf: Int32Array;
  private readonly latent: ReturnType<typeof latentTrait>;
  private readonly residual: Float64Array;

  constructor(private readonly design: Design) {
    const { n } = design;
    const { t, observed } = design.traits;
    this.n = n;
    this.t = t;
    this.latent = latentTrait(design);
    const family = this.latent?.family;
    const a = this.latent?.trait ?? -1;
    const keys = new Map<string, number>();
    this.patternOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const gaussian: number[] = [];
      let interval = false;
      for (let s = 0; s < t; s++) {
        if (!observed[s * n + i]) continue;
        // the non-Gaussian trait is Gaussian-like where it is known exactly (an uncensored value)
        const exact = s !== a || (family?.kind === 'censored' && family.lower[i] === family.upper[i]);
        if (exact) gaussian.push(s);
        else interval = true;
      }
      const key = `${gaussian.join(',')}|${interval}`;
      let k = keys.get(key);
      if (k === undefined) {
        k = this.patterns.length;
        keys.set(key, k);
        const g = gaussian.length;
        this.patterns.push({
          gaussian: Int32Array.from(gaussian),
          interval,
          factor: new Float64Array(g * g),
          logDet: 0,
          w: new Float64Array(g),
          conditionalSd: 0,
        });
      }
      this.patternOf[i] = k;
    }
    this.residual = new Float64Array(t);
  }

  /**
   * out[i] ← log p(y_i | θ) from the linear predictors mu (trait-major, t × n), R0 (t × t row-major)
   * and the thresholds of an ordinal trait (γ_0 = −∞ … γ_K = +∞). Mutates: out.
   */
  evaluate(mu: Float64Array, r0: Float64Array, thresholds: Float64Array, out: Float64Array): void {
    const { n, t, design } = this;
    const a = this.latent?.trait ?? -1;
    const family = this.latent?.family;
    for (const p of this.patterns) {
      const g = p.gaussian.length;
      for (let x = 0; x < g; x++) for (let z = 0; z < g; z++) p.factor[x * g + z] = r0[p.gaussian[x] * t + p.gaussian[z]];
      if (choleskyInPlace(p.factor, g) >= 0) throw new Error('R0 is not positive definite on a pattern of observed traits');
      let logDet = 0;
      for (let x = 0; x < g; x++) logDet += 2 * Math.log(p.factor[x * g + x]);
      p.logDet = logDet;
      if (p.interval) {
        for (let x = 0; x < g; x++) p.w[x] = r0[p.gaussian[x] * t + a];
        cholSolve(p.factor, g, p.w);
        let explained = 0;
        for (let x = 0; x < g; x++) explained += r0[a * t + p.gaussian[x]] * p.w[x];
        p.conditionalSd = Math.sqrt(r0[a * t + a] - explained);
      }
    }
    const r = this.residual;
    const y = design.y;
    for (let i = 0; i < n; i++) {
      const p = this.patterns[this.patternOf[i]];
      const g = p.gaussian.length;
      for (let x = 0; x < g; x++) {
        const s = p.gaussian[x];
        r[x] = y[s * n + i] - mu[s * n + i];
      }
      let m = 0;
      if (p.interval) {
        m = mu[a * n + i];
        for (let x = 0; x < g; x++) m += p.w[x] * r[x];
      }
      forwardSolve(p.factor, g, r);
      let quad = 0;
      for (let x = 0; x < g; x++) quad += r[x] * r[x];
      let ll = g > 0 ? -0.5 * (g * LOG_2PI + p.logDet + quad) : 0;
      if (p.interval && family) {
        const sd = p.conditionalSd;
        if (family.kind === 'threshold') {
          const c = family.category[i];
          ll += logNormalInterval((thresholds[c] - m) / sd, (thresholds[c + 1] - m) / sd);
        } else if (family.kind === 'censored') {
          ll += logNormalInterval((family.lower[i] - m) / sd, (family.upper[i] - m) / sd);
        }
      }
      out[i] = ll;
    }
  }
}

/** The multi-trait tracker of log p_i (entries 0 … n − 1) and p_i (n … 2n − 1) under `labels`, as the single-trait one. */
export function multiLikelihoodTracker(design: Design, labels: readonly string[]): Tracker {
  const { n } = design;
  const t = design.traits.t;
  const likelihood = new MultiRecordLikelihood(design);
  const mu = new Float64Array(t * n);
  const ll = new Float64Array(n);
  const none = new Float64Array(0);
  return {
    labels,
    read: (state: ChainState, out) => {
      const { y, pitch, covE } = state.multi!;
      for (let s = 0; s < t; s++) for (let i = 0; i < n; i++) mu[s * n + i] = y[s * n + i] - state.e[s * pitch + i];
      likelihood.evaluate(mu, covE, state.latent?.thresholds ?? none, ll);
      for (let i = 0; i < n; i++) {
        out[i] = ll[i];
        out[n + i] = Math.exp(ll[i]);
      }
    },
  };
}
