/**
 * Trackers of fitted values: the records in the likelihood (y − e, which includes every term), and
 * the records whose response is missing (x'b + Σ_k u_k + Σ_s m_s'β_s).
 */
import type { Tracker } from '../mcmc/block.js';
import type { ChainState } from '../mcmc/state.js';
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

/** The GEBVs of individuals by id, in the current state (the genetic block's, for marker models). */
export interface GeneticValues {
  readonly gebv: Tracker;
  gebvValues(state: ChainState): Float64Array;
}

/**
 * Predicted values x_i'b + Σ_k u_k[level_ik] (+ g_i, the GEBV of record i's individual, Σ_s m_is'β_s,
 * in marker models) of the records whose response is missing: the same linear predictor as the
 * fitted values of the observed records, so that masking responses (cross-validation) predicts them.
 */
export function predictedTracker(design: Design, genetic?: GeneticValues): Tracker {
  const { m, x, level } = design.predict;
  const p = design.fixed.p;
  let individual: Int32Array | undefined;
  if (genetic) {
    const index = new Map(genetic.gebv.labels.map((id, k) => [id, k]));
    individual = Int32Array.from(design.predict.ids, (id) => {
      const k = index.get(id);
      if (k === undefined) throw new Error(`record '${id}' with a missing response has no genotypes in every marker set`);
      return k;
    });
  }
  return {
    labels: design.predict.ids,
    read: (state, out) => {
      const b = state.b;
      const g = genetic?.gebvValues(state);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += x[i * p + j] * b[j];
        for (let k = 0; k < level.length; k++) s += state.u[k][level[k][i]];
        if (g && individual) s += g[individual[i]];
        out[i] = s;
      }
    },
  };
}
