/** The incidence of random terms with slopes: coefficient values per record, and the MSx of each coefficient. */

/** The coefficient values z[i·nc + c] of `rows` (1 for the intercept; `slopes` by table row), or undefined for a random intercept alone. */
export function coefficientValues(slopes: readonly (Float64Array | undefined)[], rows: readonly number[]): Float64Array | undefined {
  if (slopes.length === 1 && slopes[0] === undefined) return undefined;
  const nc = slopes.length;
  const z = new Float64Array(rows.length * nc);
  rows.forEach((r, i) => slopes.forEach((v, c) => (z[i * nc + c] = v ? v[r] : 1)));
  return z;
}

/**
 * MSx of coefficient c of a term: the sum over levels of the variance (n − 1 denominator) of the
 * incidence column z_c·1(level = l): var = (Q_l − S_l²/n)/(n − 1), S_l and Q_l the sum and sum of
 * squares of z_c over the level's records (z_c = 1 for the intercept: (n_l − n_l²/n)/(n − 1)).
 */
export function incidenceMsx(level: Int32Array, q: number, z: Float64Array | undefined, nc: number, c: number): number {
  const n = level.length;
  const sum = new Float64Array(q);
  const sq = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    const v = z ? z[i * nc + c] : 1;
    sum[level[i]] += v;
    sq[level[i]] += v * v;
  }
  let msx = 0;
  for (let j = 0; j < q; j++) msx += (sq[j] - (sum[j] * sum[j]) / n) / Math.max(1, n - 1);
  return msx;
}

/** Mean of z_c² over the records (1 for the intercept). */
export function meanSquare(z: Float64Array | undefined, nc: number, c: number, n: number): number {
  if (!z) return 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += z[i * nc + c] * z[i * nc + c];
  return s / n;
}
