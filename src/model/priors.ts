/**
 * The marker priors' canonical names and the aliases a spec may use. Names only: what each prior
 * does is its module's, reached through the registry (src/blocks/registry.ts).
 */
import type { MarkerPriorName } from '../types.js';

export const MARKER_PRIORS: readonly MarkerPriorName[] = ['BRR', 'BayesA', 'BayesB', 'BayesC', 'BayesCpi', 'BL', 'BayesR'];

/** Other names a spec may give a prior (compared without case). */
export const PRIOR_ALIASES: Readonly<Partial<Record<MarkerPriorName, readonly string[]>>> = {
  BayesCpi: ['BayesCπ'],
  BL: ['LASSO', 'BayesianLasso'],
};

/** The canonical name of a prior (case-insensitive; BayesCπ = BayesCpi, BL = LASSO = BayesianLasso), or undefined. */
export function canonicalPrior(name: string): MarkerPriorName | undefined {
  const key = name.toLowerCase();
  return MARKER_PRIORS.find((p) => p.toLowerCase() === key || (PRIOR_ALIASES[p] ?? []).some((a) => a.toLowerCase() === key));
}

/** The spec keys every marker set may have. */
export const MARKER_SET_KEYS: readonly string[] = ['name', 'file', 'prior', 'center', 'dropUngenotyped', 'saveEffects'];

/** The further keys each prior takes. */
export const PRIOR_OPTIONS: Readonly<Record<MarkerPriorName, readonly string[]>> = {
  BRR: [],
  BayesA: ['shape'],
  BayesB: ['shape', 'pi', 'estimatePi', 'piPrior'],
  BayesC: ['pi', 'estimatePi', 'piPrior'],
  BayesCpi: ['pi', 'estimatePi', 'piPrior'],
  BL: ['lambda', 'lambdaPrior', 'shape'],
  BayesR: ['classes', 'dirichlet'],
};
