/** What a response must be to be fitted: enough records, some variation, sums that stay finite. */
import { MixmcError } from '../errors.js';
import { isConstantRange } from '../numbers.js';

/** The response's variance must lie within these bounds: beyond them sums of squares lose precision or overflow. */
const VAR_Y_RANGE = [1e-200, 1e200] as const;

/**
 * The response can be fitted: at least p + 1 records (p fixed effects and a residual variance), not
 * constant (scale-free: its range is more than a few ulps of its magnitude), and a variance whose sums
 * stay finite and precise. Returns var(y) (denominator n − 1).
 * @throws MixmcError naming the response and what to do.
 */
export function checkResponse(y: Float64Array, p: number, response: string, file: string): number {
  const n = y.length;
  const where = { file, column: response };
  if (n < p + 1 || n < 2) {
    throw new MixmcError(
      `only ${n} record(s) have a response '${response}': a model with ${p} fixed effect(s) and a residual variance needs at least ${Math.max(2, p + 1)}`,
      where,
    );
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    if (y[i] < lo) lo = y[i];
    if (y[i] > hi) hi = y[i];
  }
  if (isConstantRange(lo, hi)) {
    throw new MixmcError(`the response '${response}' is constant (all ${n} records are ${lo}): there is no variation to fit`, where);
  }
  // var(y) from values scaled by a power of two (exact), so that it is computed even where y² overflows
  const scale = 2 ** Math.floor(Math.log2(Math.max(Math.abs(lo), Math.abs(hi))));
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] / scale;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] / scale - mean) * (y[i] / scale - mean);
  const varY = (ss / (n - 1)) * scale * scale;
  if (!(varY >= VAR_Y_RANGE[0] && varY <= VAR_Y_RANGE[1])) {
    throw new MixmcError(
      `the response '${response}' has variance ${varY.toPrecision(3)}, outside ${VAR_Y_RANGE[0]}–${VAR_Y_RANGE[1]} where sums of squares overflow or lose precision; rescale it (e.g. to other units)`,
      where,
    );
  }
  return varY;
}
