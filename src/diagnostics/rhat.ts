/**
 * R-hat: the basic (split) potential scale reduction factor, and the rank-normalised split R-hat of
 * Vehtari et al. (2021), as the R package posterior 1.4 computes them. NaN for undefined cases.
 */
import { anyNonFinite, checkChains, isConstant, prepare, splitChains, type Prepared } from './ranks.js';
import { mean, variance, type Chains } from './stats.js';

/**
 * Basic R-hat of chains as given (posterior's rhat_basic with split already applied, or
 * not): sqrt(((n − 1)/n · W + B/n)/W). NaN for non-finite or constant draws.
 */
export function rhatBasic(chains: Chains, split = true): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains) || isConstant(chains)) return NaN;
  return rhatOfValid(split ? splitChains(chains) : chains);
}

/** {@link rhatBasic} of chains already split, checked, finite and not constant. */
export function rhatOfValid(x: Chains): number {
  const n = x[0].length;
  if (n < 2 || x.length < 2) return NaN;
  const means = new Float64Array(x.length);
  let w = 0;
  for (let k = 0; k < x.length; k++) {
    means[k] = mean(x[k]);
    w += variance(x[k]);
  }
  w /= x.length;
  const between = n * variance(means);
  return Math.sqrt((between / w + n - 1) / n);
}

/**
 * Rank-normalised split R-hat: the larger of bulk R-hat (on rank-normalised draws) and tail R-hat
 * (on rank-normalised folded draws), as posterior::rhat.
 */
export function rhat(chains: Chains, prepared?: Prepared): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains) || isConstant(chains)) return NaN;
  const p = prepared ?? prepare(chains);
  return Math.max(rhatOfValid(p.zBulk), rhatOfValid(p.zFold));
}
