import type { Design } from '../../src/model/design.js';
import type { ChainState } from '../../src/mcmc/state.js';

/** y − Xb − Σ Z_k u_k − Mβ computed from scratch, for checking the residual the blocks maintain. */
export function recomputeResidual(design: Design, state: ChainState): Float64Array {
  const e = Float64Array.from(design.y);
  const { p, colPtr, rowIdx, vals } = design.fixed;
  for (let j = 0; j < p; j++) for (let k = colPtr[j]; k < colPtr[j + 1]; k++) e[rowIdx[k]] -= vals[k] * state.b[j];
  design.random.forEach((r, k) => {
    for (let i = 0; i < design.n; i++) e[i] -= state.u[k][r.level[i]];
  });
  const md = design.markers;
  if (md && state.markers) {
    for (let j = 0; j < md.p; j++) for (let i = 0; i < md.n; i++) e[i] -= md.x[j * md.n + i] * state.markers.beta[j];
  }
  return e;
}

/** max |a − b| / max(1, max |b|). */
export function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}
