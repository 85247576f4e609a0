/**
 * The registry of marker priors: the only place that switches on a prior's name (DESIGN.md).
 * Adding a prior means one new file in blocks/markers and one line here.
 */
import { MixmcError } from '../errors.js';
import { bayesA } from './markers/bayesA.js';
import { bayesB } from './markers/bayesB.js';
import { bayesC, bayesCpi } from './markers/bayesC.js';
import { brr } from './markers/brr.js';
import { lasso } from './markers/lasso.js';
import { bayesR } from './markers/bayesR.js';
import type { MarkerPriorModule } from './markers/kernel.js';

const PRIORS: Record<string, MarkerPriorModule> = {
  brr,
  bayesa: bayesA,
  bayesb: bayesB,
  bayesc: bayesC,
  bayescpi: bayesCpi,
  'bayescπ': bayesCpi,
  bl: lasso,
  lasso,
  bayesianlasso: lasso,
  bayesr: bayesR,
};

/** The module of a prior name (case-insensitive; BayesCπ = BayesCpi, BL = LASSO = BayesianLasso). */
export function markerPrior(name: string): MarkerPriorModule {
  const m = PRIORS[String(name).toLowerCase()];
  if (!m) throw new MixmcError(`unknown marker prior '${name}'; expected one of BRR, BayesA, BayesB, BayesC, BayesCpi, BL, BayesR`, { term: 'markers.prior' });
  return m;
}
