/**
 * The R package coda's diagnostics (Plummer, Best, Cowles & Vines 2006, R News 6:7): Gelman–Rubin's
 * PSRF with its upper limit, the AR spectral density at 0, effectiveSize and Geweke's z-score.
 */
import { anyNonFinite, checkChains } from './ranks.js';
import { qf } from './special.js';
import { covariance, mean, variance, type Chains } from './stats.js';

/**
 * coda::gelman.diag with autoburnin = FALSE for one variable: the classic potential scale reduction
 * factor with Brooks & Gelman's (1998) degrees-of-freedom correction (d + 3)/(d + 1), and its upper
 * confidence limit. Needs ≥ 2 chains.
 */
export function gelmanRubin(chains: Chains, confidence = 0.95): { psrf: number; upper: number } {
  checkChains(chains);
  const m = chains.length;
  if (m < 2 || anyNonFinite(chains)) return { psrf: NaN, upper: NaN };
  const n = chains[0].length;
  if (n < 2) return { psrf: NaN, upper: NaN };
  const s2 = Float64Array.from(chains, (c) => variance(c));
  const xbar = Float64Array.from(chains, (c) => mean(c));
  const w = mean(s2);
  const b = n * variance(xbar);
  if (!(w > 0)) return { psrf: NaN, upper: NaN };
  const muhat = mean(xbar);
  const varW = variance(s2) / m;
  const varB = (2 * b * b) / (m - 1);
  const xbar2 = xbar.map((v) => v * v);
  const covWB = (n / m) * (covariance(s2, xbar2) - 2 * muhat * covariance(s2, xbar));
  const V = ((n - 1) * w) / n + ((1 + 1 / m) * b) / n;
  const varV = ((n - 1) ** 2 * varW + (1 + 1 / m) ** 2 * varB + 2 * (n - 1) * (1 + 1 / m) * covWB) / (n * n);
  const dfV = (2 * V * V) / varV;
  const dfAdj = (dfV + 3) / (dfV + 1);
  const bDf = m - 1;
  const wDf = (2 * w * w) / varW;
  const r2Fixed = (n - 1) / n;
  const r2Random = (1 + 1 / m) * (1 / n) * (b / w);
  const psrf = Math.sqrt(dfAdj * (r2Fixed + r2Random));
  const upper = Math.sqrt(dfAdj * (r2Fixed + qf((1 + confidence) / 2, bDf, wDf) * r2Random));
  return { psrf, upper };
}

/**
 * coda's spectrum0.ar: the spectral density at 0 of an AR(p) model fitted by Yule–Walker, the order
 * chosen by AIC up to min(n − 1, floor(10·log10 n)) (stats::ar defaults). 0 when the linearly
 * detrended series is constant.
 */
export function spectrum0Ar(x: Float64Array): number {
  const n = x.length;
  if (n < 2) return NaN;
  if (detrendedIsConstant(x)) return 0;
  const m = mean(x);
  const orderMax = Math.min(n - 1, Math.floor(10 * Math.log10(n)));
  const r = new Float64Array(orderMax + 1);
  for (let k = 0; k <= orderMax; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (x[t] - m) * (x[t + k] - m);
    r[k] = s / n;
  }
  // Levinson–Durbin: phi[p] holds the AR(p) coefficients, vars[p] the innovation variance.
  const vars = new Float64Array(orderMax + 1);
  vars[0] = r[0];
  const phis: Float64Array[] = [new Float64Array(0)];
  let prev = new Float64Array(0);
  for (let p = 1; p <= orderMax; p++) {
    let num = r[p];
    for (let j = 1; j < p; j++) num -= prev[j - 1] * r[p - j];
    const k = num / vars[p - 1];
    const cur = new Float64Array(p);
    for (let j = 1; j < p; j++) cur[j - 1] = prev[j - 1] - k * prev[p - j - 1];
    cur[p - 1] = k;
    vars[p] = vars[p - 1] * (1 - k * k);
    phis.push(cur);
    prev = cur;
  }
  let order = 0;
  let best = Infinity;
  for (let p = 0; p <= orderMax; p++) {
    const aic = n * Math.log(vars[p]) + 2 * p + 2;
    if (aic < best) {
      best = aic;
      order = p;
    }
  }
  const varPred = (vars[order] * n) / (n - (order + 1));
  let sumAr = 0;
  for (let j = 0; j < order; j++) sumAr += phis[order][j];
  return varPred / (1 - sumAr) ** 2;
}

/**
 * coda's test `identical(all.equal(sd(residuals(lm(x ~ t))), 0), TRUE)`: all.equal compares a positive
 * target with 0 on the relative scale (difference 1) unless the target is at most its tolerance
 * 1.5e-8, so the series counts as constant exactly when the detrended SD is ≤ 1.5e-8.
 */
function detrendedIsConstant(x: Float64Array): boolean {
  const n = x.length;
  const tm = (n + 1) / 2;
  const xm = mean(x);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i + 1 - tm) * (x[i] - xm);
    sxx += (i + 1 - tm) ** 2;
  }
  const slope = sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const res = x[i] - xm - slope * (i + 1 - tm);
    ss += res * res;
  }
  return Math.sqrt(ss / (n - 1)) <= 1.5e-8;
}

/** coda::effectiveSize of an mcmc.list: the sum over chains of n·var(x)/spectrum0.ar(x). */
export function effectiveSizeCoda(chains: Chains): number {
  let total = 0;
  for (const c of chains) {
    const spec = spectrum0Ar(c);
    total += spec === 0 ? 0 : (c.length * variance(c)) / spec;
  }
  return total;
}

/**
 * Geweke's (1992) z-score for one chain, as coda::geweke.diag(frac1 = 0.1, frac2 = 0.5): the
 * difference of the means of the first 10% and last 50%, over its spectral standard error.
 */
export function geweke(chain: Float64Array, frac1 = 0.1, frac2 = 0.5): number {
  const n = chain.length;
  if (n < 4 || !chain.every(Number.isFinite)) return NaN;
  // coda: window(x, end = ceiling(start + frac1·(end − start))) and window(x, start = floor(end − frac2·(end − start)))
  const end1 = Math.ceil(1 + frac1 * (n - 1));
  const start2 = Math.floor(n - frac2 * (n - 1));
  const a = chain.subarray(0, end1);
  const b = chain.subarray(start2 - 1);
  const sa = spectrum0Ar(a);
  const sb = spectrum0Ar(b);
  return (mean(a) - mean(b)) / Math.sqrt(sa / a.length + sb / b.length);
}
