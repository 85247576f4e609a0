/**
 * Trackers of fitted values: the records in the likelihood (y − e, which includes every term), and
 * the records whose response is missing (x'b + Σ_k u_k).
 */
import type { Tracker } from '../mcmc/block.js';
import type { Design } from '../model/design.js';

/** Fitted values of the observed records, y − e. */
export function fittedTracker(design: Design): Tracker {
  const y = design.y;
  return {
    labels: design.ids,
    read: (state, out) => {
      const e = state.e;
      for (let i = 0; i < y.length; i++) out[i] = y[i] - e[i];
    },
  };
}

/** Predicted values x_i'b + Σ_k u_k[level] of the records whose response is missing. */
export function predictedTracker(design: Design): Tracker {
  const { m, x, level } = design.predict;
  const p = design.fixed.p;
  return {
    labels: design.predict.ids,
    read: (state, out) => {
      const b = state.b;
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += x[i * p + j] * b[j];
        for (let k = 0; k < level.length; k++) s += state.u[k][level[k][i]];
        out[i] = s;
      }
    },
  };
}
