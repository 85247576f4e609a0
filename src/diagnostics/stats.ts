/**
 * Basic statistics of draws, computed as R computes them (accurate sums, type-7 quantiles, coda's
 * HPD interval), for the diagnostics that must match the R packages posterior and coda.
 */
import { sortValues } from './sort.js';

/** One parameter's draws, as chains of equal length. */
export type Chains = readonly Float64Array[];

/** All draws, chain 1 first. */
export function pooled(chains: Chains): Float64Array {
  let n = 0;
  for (const c of chains) n += c.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const c of chains) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function mean(x: ArrayLike<number>): number {
  // As R's mean: an accurate sum (R accumulates in long double; Neumaier's compensated sum is as
  // accurate here), then one refinement pass over the deviations.
  const n = x.length;
  const m = compensatedSum(x, 0) / n;
  if (!Number.isFinite(m)) return m;
  return m + compensatedSum(x, m) / n;
}

/** Σ (x_i − shift) by Neumaier's compensated summation. */
export function compensatedSum(x: ArrayLike<number>, shift: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Sample variance, denominator n − 1 (R's var). */
export function variance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  // Σ(x − m)² by Neumaier's compensated summation (as accurate as R's long-double sum), no temporary
  const m = mean(x);
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = (x[i] - m) * (x[i] - m);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return (s + c) / (n - 1);
}

export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

/** A sorted copy. */
export function sorted(x: Float64Array): Float64Array {
  return sortValues(x);
}

/** Quantile of sorted draws, R type 7 (posterior::quantile2, stats::quantile default). */
export function quantileSorted(s: Float64Array, p: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median absolute deviation × 1.4826 (stats::mad). */
export function mad(s: Float64Array): number {
  const med = quantileSorted(s, 0.5);
  const dev = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) dev[i] = Math.abs(s[i] - med);
  dev.sort();
  return 1.4826 * quantileSorted(dev, 0.5);
}

/** R's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Highest posterior density interval: the shortest interval holding a fraction `prob` of the sorted
 * pooled draws, as coda::HPDinterval (gap = max(1, min(n − 1, round(n·prob))), first minimum).
 */
export function hpdSorted(s: Float64Array, prob: number): [number, number] {
  const n = s.length;
  if (n < 2) return [NaN, NaN];
  const gap = Math.max(1, Math.min(n - 1, roundHalfEven(n * prob)));
  let best = 0;
  let width = Infinity;
  for (let i = 0; i + gap < n; i++) {
    const w = s[i + gap] - s[i];
    if (w < width) {
      width = w;
      best = i;
    }
  }
  return [s[best], s[best + gap]];
}

/** Sample covariance, denominator n − 1 (R's cov). */
export function covariance(x: Float64Array, y: Float64Array): number {
  const mx = mean(x);
  const my = mean(y);
  const prod = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) prod[i] = (x[i] - mx) * (y[i] - my);
  return compensatedSum(prod, 0) / (x.length - 1);
}
