/** Number facts every layer shares. */

/**
 * Whether values between `lo` and `hi` are one value up to rounding: their range is at most a few
 * ulps of their magnitude. Scale-free (a response in units of 1e-10 varies; 1e6 ± 1e-12 does not),
 * unlike an absolute tolerance.
 */
export function isConstantRange(lo: number, hi: number): boolean {
  return hi - lo <= 4 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi));
}
