import type { Design } from '../../src/model/design.js';
import { markerColumn } from './markers.js';
import type { ChainState } from '../../src/mcmc/state.js';
import { fitWithHooks } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import type { FitResult } from '../../src/types.js';
import type { RunSpec } from '../../src/types.js';

/** y − Xb − Σ Z_k u_k − Mβ computed from scratch (y the latent response of a threshold or censored trait), for checking the residual the blocks maintain. */
export function recomputeResidual(design: Design, state: ChainState): Float64Array {
  const e = Float64Array.from(state.latent?.y ?? design.y);
  const { p, colPtr, rowIdx, vals } = design.fixed;
  for (let j = 0; j < p; j++) for (let k = colPtr[j]; k < colPtr[j + 1]; k++) e[rowIdx[k]] -= vals[k] * state.b[j];
  design.random.forEach((r, k) => {
    for (let i = 0; i < design.n; i++) e[i] -= state.u[k][r.level[i]];
  });
  design.markers.forEach((md, s) => {
    const beta = state.markers[s].beta;
    for (let j = 0; j < md.p; j++) {
      const x = markerColumn(md, j);
      for (let i = 0; i < md.n; i++) e[i] -= x[i] * beta[j];
    }
  });
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

/**
 * Fit `spec` in-process and check the residual after every sweep of every chain: returns the largest
 * relative deviation of e from y − fitted, the number of sweeps, and the fit.
 */
export async function residualInvariant(
  spec: RunSpec,
  mcmc: { chains: number; iterations: number; burnin: number },
): Promise<{ worst: number; sweeps: number; res: FitResult }> {
  const model = prepare(spec);
  let worst = 0;
  let sweeps = 0;
  const res = await fitWithHooks(
    spec,
    { ...mcmc, thin: 1 },
    {
      afterSweep: (state) => {
        worst = Math.max(worst, maxRelDiff(state.e, recomputeResidual(model.design, state)));
        sweeps++;
      },
    },
  );
  return { worst, sweeps, res };
}
