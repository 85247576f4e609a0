/**
 * Special functions the diagnostics, the report and calibration need to match R exactly, through
 * jstat (the normal quantile, R's qnorm, is in numbers.ts, which the sampler shares). jstat is loaded
 * on first use: a fit's chains run before any summary, and the module costs each process ~4 MB.
 */
import { createRequire } from 'node:module';
import type jstatModule from 'jstat';

type JStat = typeof jstatModule;
let loaded: JStat | undefined;

function jStat(): JStat {
  if (!loaded) {
    const m = createRequire(import.meta.url)('jstat') as JStat;
    loaded = m.jStat ?? m;
  }
  return loaded;
}

/** Beta(a, b) quantile. */
export function qbeta(p: number, a: number, b: number): number {
  return jStat().ibetainv(p, a, b);
}

/** F(df1, df2) quantile. */
export function qf(p: number, df1: number, df2: number): number {
  return jStat().centralF.inv(p, df1, df2);
}

/** log Γ(x). */
export function lgamma(x: number): number {
  return jStat().gammaln(x);
}

/** The χ²(df) distribution function. */
export function pchisq(x: number, df: number): number {
  return jStat().chisquare.cdf(x, df);
}
