/**
 * The prior share of a variance (mcmc/block.ts, PriorShare): recorded in its summary row and warned
 * about where the prior, not the data, sets the variance; from a fit's trackers, or from a run
 * directory's summary.json when its draws are summarised again.
 */
import { diagonalNames, varianceName } from '../model/names.js';
import type { MarkerSetReport, MatrixPriorReport, PriorReport, RunWarning, SummaryRow } from '../types.js';

/**
 * A prior share above this is warned about. Calibrated on sire models with the default prior (df 5,
 * mode var(y)/2 split over the terms): 40 sires × 12 progeny with σ²s = 0.1 give a share of 0.34 and
 * a posterior mean of 0.23 against REML's 0.09 (the prior sets the variance); 400 sires give 0.07 and
 * 0.12 (the data do); 40 sires with σ²s = 0.4 give 0.17 and 0.47.
 */
export const PRIOR_SHARE_WARNING = 0.25;

/** A prior as the prior-share warning describes it: df, the variance's scale, and the spec's "priors" key and the shape of its value. */
interface SharePrior {
  df: number;
  scale: number;
  term: string;
  /** The smallest df the prior takes (a proper prior): 1 for a scalar or uncorrelated prior, d for a d × d inverse-Wishart (ν > d − 1). */
  minDf: number;
  matrix: boolean;
}

/** Where the priors of a fit are recorded: a prepared model, or a run directory's run.json. */
export interface PriorSource {
  priors: readonly PriorReport[];
  markerSets: readonly MarkerSetReport[];
  covariancePriors?: readonly MatrixPriorReport[];
}

/** The prior of every variance whose prior share may be tracked, by its variable name. */
function sharePriors(model: PriorSource): Map<string, SharePrior> {
  const out = new Map<string, SharePrior>();
  for (const p of model.priors) out.set(varianceName(p.term), { df: p.df, scale: p.scale, term: p.term, minDf: 1, matrix: false });
  for (const m of model.markerSets) {
    const h = m.hyper as { df?: number; scale?: number };
    if (typeof h.df === 'number' && typeof h.scale === 'number')
      out.set(varianceName(m.term), { df: h.df, scale: h.scale, term: m.term, minDf: 1, matrix: false });
  }
  for (const c of model.covariancePriors ?? []) {
    const d = c.components.length;
    diagonalNames(c.term, c.components).forEach((name, k) =>
      out.set(name, { df: c.df, scale: c.scale[k][k], term: c.term, minDf: c.correlated ? d : 1, matrix: d > 1 }),
    );
  }
  return out;
}

/**
 * Record each variance's prior share in its summary row, and warn where the prior sets the variance.
 * Mutates: the rows' priorShare.
 */
export function priorShares(rows: SummaryRow[], shares: ReadonlyMap<string, number>, model: PriorSource): RunWarning[] {
  const out: RunWarning[] = [];
  const priors = sharePriors(model);
  for (const row of rows) {
    const share = shares.get(row.variable);
    if (share === undefined) continue;
    row.priorShare = share;
    if (share <= PRIOR_SHARE_WARNING) continue;
    const p = priors.get(row.variable);
    const given = p ? ` (df ${p.df}, scale ${Number(p.scale.toPrecision(3))})` : '';
    const example = p ? `"priors": {"${p.term}": {"df": ${p.minDf}, "scale": ${p.matrix ? '[[...]]' : '...'}}}` : '"priors"';
    out.push({
      subject: row.variable,
      severity: 5 + share,
      message: `the prior${given} supplies ${Math.round(100 * share)}% of its posterior scale (prior share ${share.toFixed(2)}): the data say little about it and the estimate follows the prior; refit with a weaker prior (a smaller df, e.g. ${example}) and compare`,
    });
  }
  return out;
}
