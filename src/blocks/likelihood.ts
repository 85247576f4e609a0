/**
 * The log-likelihood of every record at a draw, for WAIC and DIC (single-trait models):
 *   Gaussian        log N(y_i | μ_i, σ²e) = −½ log(2π σ²e) − e_i²/(2σ²e);
 *   binary/ordinal  log P(c_i | μ_i) = log[Φ(γ_{c+1} − μ_i) − Φ(γ_c − μ_i)] (the liability integrated out);
 *   censored        exact records as Gaussian; the others log P(lower_i < y < upper_i | μ_i, σ²e),
 * μ_i the linear predictor (y − e, y the latent response for threshold and censored traits). The
 * tracker keeps running moments of (log p_i, p_i) per record over the kept draws: O(n) memory,
 * from which WAIC's lppd and p_WAIC and DIC's mean deviance come (run/criteria.ts).
 */
import type { Tracker } from '../mcmc/block.js';
import { type ChainState, responseOf } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { logNormalInterval } from '../rng/truncated.js';
import { latentFamily } from './liability.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * out[i] ← log p(y_i | θ) given each record's linear predictor mu[i], the residual variance and the
 * thresholds (γ_0 = −∞ … γ_K = +∞; unused for Gaussian and censored traits). Mutates: out.
 */
export function recordLogLikelihoods(design: Design, mu: Float64Array, varE: number, thresholds: Float64Array, out: Float64Array): void {
  const family = latentFamily(design);
  const y = design.y;
  if (family?.kind === 'threshold') {
    const category = family.category;
    for (let i = 0; i < mu.length; i++) {
      const c = category[i];
      out[i] = logNormalInterval(thresholds[c] - mu[i], thresholds[c + 1] - mu[i]);
    }
    return;
  }
  const sd = Math.sqrt(varE);
  const constant = -0.5 * (LOG_2PI + Math.log(varE));
  for (let i = 0; i < mu.length; i++) {
    if (family?.kind === 'censored' && family.lower[i] !== family.upper[i]) {
      out[i] = logNormalInterval((family.lower[i] - mu[i]) / sd, (family.upper[i] - mu[i]) / sd);
      continue;
    }
    const e = y[i] - mu[i];
    out[i] = constant - (e * e) / (2 * varE);
  }
}

/** The likelihood trackers' labels: log p(ID) of every record, then p(ID). */
export function pointwiseLabels(design: Design): string[] {
  return [...design.ids.map((id) => `log p(${id})`), ...design.ids.map((id) => `p(${id})`)];
}

/** Running moments of log p_i (entries 0 … n − 1) and p_i (n … 2n − 1) of every record. */
export function likelihoodTracker(design: Design): Tracker {
  const n = design.n;
  const mu = new Float64Array(n);
  const ll = new Float64Array(n);
  return {
    labels: pointwiseLabels(design),
    read: (state: ChainState, out) => {
      const y = responseOf(state, design);
      for (let i = 0; i < n; i++) mu[i] = y[i] - state.e[i];
      recordLogLikelihoods(design, mu, state.varE[0], state.latent?.thresholds ?? EMPTY, ll);
      for (let i = 0; i < n; i++) {
        out[i] = ll[i];
        out[n + i] = Math.exp(ll[i]);
      }
    },
  };
}

const EMPTY = new Float64Array(0);
