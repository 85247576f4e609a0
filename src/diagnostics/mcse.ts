/**
 * Monte Carlo standard errors (posterior 1.4), and the summary table's convergence figures computed
 * together from one preparation.
 */
import { essBasic, essBulk, essOfValid, essQuantile, essQuantileOfValid, essTail } from './ess.js';
import { isConstant, splitChains, type Prepared } from './ranks.js';
import { rhat, rhatOfValid } from './rhat.js';
import { qbeta } from './special.js';
import { mean, pooled, quantileSorted, sd, sorted, type Chains } from './stats.js';

/**
 * R-hat, bulk and tail ESS and the MCSE of the mean of one parameter, for the summary table: the
 * same values as {@link rhat}, {@link essBulk}, {@link essTail} and {@link mcseMean}, with the
 * checks done once. The chains must be checked, finite and of equal length; `sd` is sd(pooled draws).
 */
export function convergence(chains: Chains, prepared: Prepared, sd: number): { rhat: number; essBulk: number; essTail: number; mcseMean: number } {
  if (chains.length === 0 || isConstant(chains)) {
    return { rhat: rhat(chains, prepared), essBulk: essBulk(chains, prepared), essTail: essTail(chains, prepared.sorted), mcseMean: mcseMean(chains) };
  }
  const split = splitChains(chains);
  const n = split[0].length;
  const s = prepared.sorted;
  return {
    rhat: Math.max(rhatOfValid(prepared.zBulk), rhatOfValid(prepared.zFold)),
    essBulk: n < 3 ? NaN : essOfValid(prepared.zBulk),
    essTail: Math.min(essQuantileOfValid(split, quantileSorted(s, 0.05)), essQuantileOfValid(split, quantileSorted(s, 0.95))),
    mcseMean: n < 3 ? NaN : sd / Math.sqrt(isConstant(split) ? split.length * n : essOfValid(split)),
  };
}

/** posterior::mcse_mean: sd(x)/sqrt(ess_mean(x)). */
export function mcseMean(chains: Chains): number {
  return sd(pooled(chains)) / Math.sqrt(essBasic(chains));
}

/**
 * posterior 1.4 mcse_sd: the variance of the variance estimate by Kenney & Keeping (1951, p. 141),
 * which does not assume normality, with the ESS of the squared centred draws, carried to the SD by a
 * first-order Taylor expansion:
 *   c = x − mean(x), ess = ess_mean(c²), Evar = mean(c²), varvar = (mean(c⁴) − Evar²)/ess,
 *   mcse_sd = sqrt(varvar/Evar/4).
 */
export function mcseSd(chains: Chains): number {
  const m = mean(pooled(chains));
  const sq = chains.map((c) => c.map((v) => (v - m) * (v - m)));
  const ess = essBasic(sq);
  const all = pooled(sq);
  const evar = mean(all);
  let m4 = 0;
  for (let i = 0; i < all.length; i++) m4 += all[i] * all[i];
  m4 /= all.length;
  const varvar = (m4 - evar * evar) / ess;
  return Math.sqrt(varvar / evar / 4);
}

/**
 * posterior 1.4 mcse_quantile for one probability: half the distance between the order statistics
 * floor(a₁S) and ceiling(a₂S), where a₁, a₂ are the 15.9% and 84.1% quantiles of
 * Beta(ess·p + 1, ess·(1 − p) + 1) and S the number of draws.
 */
export function mcseQuantile(chains: Chains, prob: number, sortedDraws?: Float64Array): number {
  const s = sortedDraws ?? sorted(pooled(chains));
  const ess = essQuantile(chains, prob, s);
  if (Number.isNaN(ess)) return NaN;
  const S = s.length;
  const a1 = qbeta(0.1586553, ess * prob + 1, ess * (1 - prob) + 1);
  const a2 = qbeta(0.8413447, ess * prob + 1, ess * (1 - prob) + 1);
  const th1 = s[Math.max(Math.floor(a1 * S), 1) - 1];
  const th2 = s[Math.min(Math.ceil(a2 * S), S) - 1];
  return (th2 - th1) / 2;
}
