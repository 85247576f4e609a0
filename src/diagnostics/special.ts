/**
 * Special functions the diagnostics need to match R exactly: beta/F quantiles through jstat (the
 * normal quantile, R's qnorm, is in numbers.ts, which the sampler shares).
 */
import jstatModule from 'jstat';

const jStat = jstatModule.jStat ?? jstatModule;

/** Beta(a, b) quantile. */
export function qbeta(p: number, a: number, b: number): number {
  return jStat.ibetainv(p, a, b);
}

/** F(df1, df2) quantile. */
export function qf(p: number, df1: number, df2: number): number {
  return jStat.centralF.inv(p, df1, df2);
}
