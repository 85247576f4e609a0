/**
 * Aliased fixed effects: X'X factored column by column, and every column in the span of the earlier
 * ones reported with the combination that reproduces it.
 */
import { MixmcError } from '../errors.js';
import { choleskyInPlace, cholSolve } from '../linalg/dense.js';

/**
 * Cholesky of X'X column by column. A column whose pivot is (relatively) zero lies in the span of
 * the columns before it: report it with the combination that reproduces it.
 */
export function checkAliasing(xtx: Float64Array, chol: Float64Array, p: number, names: readonly string[], file: string): void {
  const bad = choleskyInPlace(chol, p);
  if (bad < 0) {
    let minRatio = Infinity;
    for (let j = 0; j < p; j++) minRatio = Math.min(minRatio, (chol[j * p + j] * chol[j * p + j]) / xtx[j * p + j]);
    if (minRatio > 1e-10) return;
  }
  // Find every aliased column: pivots relative to the column's own norm below 1e-10.
  const aliased: string[] = [];
  const kept: number[] = [];
  for (let j = 0; j < p; j++) {
    const idx = kept.concat(j);
    const k = idx.length;
    const sub = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) sub[a * k + b] = xtx[idx[a] * p + idx[b]];
    const f = choleskyInPlace(sub, k);
    const pivot = f < 0 ? sub[(k - 1) * k + (k - 1)] ** 2 : 0;
    if (xtx[j * p + j] === 0) {
      aliased.push(`${names[j]} (the column is all zero)`);
    } else if (f >= 0 || pivot / xtx[j * p + j] < 1e-10) {
      // Express column j through the kept columns: solve X_k'X_k c = X_k'x_j.
      const kk = kept.length;
      const a = new Float64Array(kk * kk);
      const rhs = new Float64Array(kk);
      for (let r = 0; r < kk; r++) {
        rhs[r] = xtx[kept[r] * p + j];
        for (let c = 0; c < kk; c++) a[r * kk + c] = xtx[kept[r] * p + kept[c]];
      }
      choleskyInPlace(a, kk);
      const coef = Float64Array.from(rhs);
      cholSolve(a, kk, coef);
      const combo = kept
        .map((c, r) => ({ name: names[c], w: coef[r] }))
        .filter((t) => Math.abs(t.w) > 1e-8)
        .map((t) => `${fmt(t.w)}·${t.name}`)
        .join(' + ');
      aliased.push(`${names[j]} = ${combo || '0'}`);
    } else {
      kept.push(j);
    }
  }
  throw new MixmcError(
    `the fixed effects are aliased (X is rank deficient): ${aliased.join('; ')}. Remove a term or merge levels so that every column is estimable`,
    { file, term: 'formula' },
  );
}

function fmt(x: number): string {
  const r = Math.round(x * 1e6) / 1e6;
  return String(r);
}
