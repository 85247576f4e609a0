/**
 * Trackers of fitted values: the records in the likelihood (y − e, which includes every term; y the
 * latent response of a threshold or censored trait), the records whose response is missing
 * (x'b + Σ_k u_k + Σ_s m_s'β_s), and for threshold traits the probability of every category given
 * the fitted liability μ, P(c | μ) = Φ(γ_{c+1} − μ) − Φ(γ_c − μ) (Sorensen & Gianola 2002, §14.2),
 * whose posterior mean is the posterior predictive probability.
 */
import type { Tracker } from '../mcmc/block.js';
import { type ChainState, responseOf } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { normalCdf } from '../rng/truncated.js';

/** Fitted values of the observed records, y − e. */
export function fittedTracker(design: Design): Tracker {
  return {
    labels: design.ids,
    read: (state, out) => {
      const y = responseOf(state, design);
      const e = state.e;
      for (let i = 0; i < y.length; i++) out[i] = y[i] - e[i];
    },
  };
}

/**
 * The probability of each of a threshold trait's categories for every record of `fitted` (its
 * tracker of fitted liabilities), record-major: out[i·K + c] = P(category c | μ_i). The labels are
 * `ID:CATEGORY`.
 */
export function categoryTracker(fitted: Tracker, categories: readonly string[]): Tracker {
  const K = categories.length;
  const mu = new Float64Array(fitted.labels.length);
  return {
    labels: fitted.labels.flatMap((id) => categories.map((c) => `${id}:${c}`)),
    read: (state, out) => {
      fitted.read(state, mu);
      const gamma = state.latent!.thresholds;
      for (let i = 0; i < mu.length; i++) {
        let below = 0;
        for (let c = 0; c < K - 1; c++) {
          const cdf = normalCdf(gamma[c + 1] - mu[i]);
          out[i * K + c] = cdf - below;
          below = cdf;
        }
        out[i * K + K - 1] = 1 - below;
      }
    },
  };
}

/** The GEBVs of individuals by id, in the current state (the genetic block's, for marker models). */
export interface GeneticValues {
  readonly gebv: Tracker;
  gebvValues(state: ChainState): Float64Array;
}

/**
 * Predicted values x_i'b + Σ_k u_k[level_ik] (+ g_i, the GEBV of record i's individual, Σ_s m_is'β_s,
 * in marker models) of the records whose response is missing: the same linear predictor as the
 * fitted values of the observed records, so that masking responses (cross-validation) predicts them.
 */
export function predictedTracker(design: Design, genetic?: GeneticValues): Tracker {
  const { m, x, level } = design.predict;
  const p = design.fixed.p;
  let individual: Int32Array | undefined;
  if (genetic) {
    const index = new Map(genetic.gebv.labels.map((id, k) => [id, k]));
    individual = Int32Array.from(design.predict.ids, (id) => {
      const k = index.get(id);
      if (k === undefined) throw new Error(`record '${id}' with a missing response has no genotypes in every marker set`);
      return k;
    });
  }
  return {
    labels: design.predict.ids,
    read: (state, out) => {
      const b = state.b;
      const g = genetic?.gebvValues(state);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += x[i * p + j] * b[j];
        for (let k = 0; k < level.length; k++) s += state.u[k][level[k][i]];
        if (g && individual) s += g[individual[i]];
        out[i] = s;
      }
    },
  };
}
