/** The part of jstat (a CommonJS module without type definitions) that special.ts uses (and the tests). */
declare module 'jstat' {
  interface JStat {
    ibetainv(p: number, a: number, b: number): number;
    centralF: { inv(p: number, df1: number, df2: number): number };
    /** log Γ(x). */
    gammaln(x: number): number;
    /** Used by the tests as an independent normal CDF. */
    normal: { cdf(x: number, mean: number, sd: number): number };
    /** The χ² distribution function. */
    chisquare: { cdf(x: number, df: number): number };
    /** The module object may also expose itself as `jStat`. */
    jStat?: JStat;
  }
  const jStat: JStat;
  export default jStat;
}
