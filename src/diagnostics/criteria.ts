/**
 * Information criteria from per-record moments over the posterior draws θ_s:
 * - WAIC (Watanabe 2010; Vehtari, Gelman & Gabry 2017, "Practical Bayesian model evaluation using
 *   leave-one-out cross-validation and WAIC", Statistics and Computing 27:1413, eqs. 3–5, 22–23):
 *   lppd_i = log E_s[p(y_i | θ_s)], p_i = Var_s[log p(y_i | θ_s)] (sample variance over the draws),
 *   elpd_i = lppd_i − p_i, WAIC = −2 Σ elpd_i, SE(WAIC) = 2 √(n · var_i(elpd_i));
 *   a difference between two fits of the same records, Σ (elpd_A,i − elpd_B,i), has the SE
 *   √(n · var_i(elpd_A,i − elpd_B,i)) (eq. 24);
 * - DIC (Spiegelhalter et al. 2002): D̄ = −2 Σ_i E_s[log p(y_i | θ_s)], D(θ̄) the deviance at the
 *   posterior means, pD = D̄ − D(θ̄), DIC = D̄ + pD (as BGLR reports it).
 */
import type { ModelCriteria } from '../types.js';

/** Per-record WAIC terms from E_s[log p], Var_s[log p] and E_s[p]. */
export function pointwiseElpd(
  meanLogLik: ArrayLike<number>,
  varLogLik: ArrayLike<number>,
  meanLik: ArrayLike<number>,
): { lppd: Float64Array; pWaic: Float64Array; elpd: Float64Array } {
  const n = meanLogLik.length;
  const lppd = Float64Array.from({ length: n }, (_, i) => Math.log(meanLik[i]));
  const pWaic = Float64Array.from(varLogLik);
  const elpd = Float64Array.from({ length: n }, (_, i) => lppd[i] - pWaic[i]);
  return { lppd, pWaic, elpd };
}

/** The sum and the SE of a sum, √(n · var(x)) (sample variance). */
export function sumWithSe(x: ArrayLike<number>): { sum: number; se: number } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
  return { sum, se: n > 1 ? Math.sqrt((n * ss) / (n - 1)) : Number.NaN };
}

/** WAIC and DIC of a fit from its pointwise terms, its mean log-likelihoods and the log-likelihoods at the posterior means. */
export function modelCriteria(
  terms: { lppd: Float64Array; pWaic: Float64Array; elpd: Float64Array },
  meanLogLik: ArrayLike<number>,
  plugInLogLik: ArrayLike<number>,
): ModelCriteria {
  const elpd = sumWithSe(terms.elpd);
  let lppd = 0;
  let pWaic = 0;
  let meanDeviance = 0;
  let plugIn = 0;
  for (let i = 0; i < terms.elpd.length; i++) {
    lppd += terms.lppd[i];
    pWaic += terms.pWaic[i];
    meanDeviance -= 2 * meanLogLik[i];
    plugIn -= 2 * plugInLogLik[i];
  }
  const pD = meanDeviance - plugIn;
  return {
    records: terms.elpd.length,
    waic: -2 * elpd.sum,
    waicSe: 2 * elpd.se,
    elpdWaic: elpd.sum,
    pWaic,
    lppd,
    dic: meanDeviance + pD,
    pD,
    meanDeviance,
  };
}
