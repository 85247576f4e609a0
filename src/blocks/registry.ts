/**
 * The registry of marker priors: the only place that maps a prior's name to what it does
 * (DESIGN.md). Adding a prior means one new file in blocks/markers, one entry in PriorMap and one
 * here (and its name in src/model/priors.ts).
 */
import type { MarkerDesign } from '../model/markers.js';
import type { UniformSource } from '../rng/rng.js';
import type { MarkerSetNames } from '../model/names.js';
import type { BayesASpec, BayesBSpec, BayesCpiSpec, BayesCSpec, BayesRSpec, BrrSpec, LassoSpec, MarkerPriorName, PriorReport } from '../types.js';
import { bayesA } from './markers/bayesA.js';
import { bayesB, type BayesBHyper } from './markers/bayesB.js';
import { bayesC, bayesCpi, type BayesCHyper } from './markers/bayesC.js';
import { bayesR, type BayesRHyper } from './markers/bayesR.js';
import type { ChainMemory, MarkerBlock, MarkerContext, MarkerParams, MarkerPriorModule, ResolvedPrior, SimulatedEffects } from './markers/base.js';
import { brr } from './markers/brr.js';
import { lasso, type LassoHyper } from './markers/lasso.js';
import type { CommonVarianceHyper, SpecificVarianceHyper } from './markers/variances.js';

/** Each prior's spec and resolved hyper-parameters. */
interface PriorMap {
  BRR: { spec: BrrSpec; hyper: CommonVarianceHyper };
  BayesA: { spec: BayesASpec; hyper: SpecificVarianceHyper };
  BayesB: { spec: BayesBSpec; hyper: BayesBHyper };
  BayesC: { spec: BayesCSpec; hyper: BayesCHyper };
  BayesCpi: { spec: BayesCpiSpec; hyper: BayesCHyper };
  BL: { spec: LassoSpec; hyper: LassoHyper };
  BayesR: { spec: BayesRSpec; hyper: BayesRHyper };
}

const PRIORS: { [K in MarkerPriorName]: MarkerPriorModule<PriorMap[K]['spec'], PriorMap[K]['hyper']> } = {
  BRR: brr,
  BayesA: bayesA,
  BayesB: bayesB,
  BayesC: bayesC,
  BayesCpi: bayesCpi,
  BL: lasso,
  BayesR: bayesR,
};

/** A marker set's prior with its resolved hyper-parameters: plain data, sent to workers and written to run.json. */
export interface MarkerPlan<K extends MarkerPriorName = MarkerPriorName> {
  prior: K;
  hyper: PriorMap[K]['hyper'];
}

/** Resolve the hyper-parameters of a set's prior (`prior` is its spec's canonical name). */
export function planMarkerSet<K extends MarkerPriorName>(
  prior: K,
  ctx: MarkerContext<PriorMap[K]['spec']>,
): { plan: MarkerPlan<K>; report: PriorReport; rules: string[] } {
  const r: ResolvedPrior<PriorMap[K]['hyper']> = PRIORS[prior].resolve(ctx);
  return { plan: { prior, hyper: r.hyper }, report: r.report, rules: r.rules };
}

/** The parameters a set's block traces. */
export function markerParams<K extends MarkerPriorName>(plan: MarkerPlan<K>, names: MarkerSetNames): MarkerParams {
  return PRIORS[plan.prior].params(plan.hyper, names);
}

/** A set's block for one chain, its state in the chain's shared memory. */
export function createMarkerBlock<K extends MarkerPriorName>(plan: MarkerPlan<K>, md: MarkerDesign, names: MarkerSetNames, mem: ChainMemory): MarkerBlock {
  return PRIORS[plan.prior].create(md, plan.hyper, names, mem);
}

/** A set's effects and hyper-parameters drawn from its prior (simulation-based calibration). */
export function simulateMarkerSet<K extends MarkerPriorName>(
  plan: MarkerPlan<K>,
  md: MarkerDesign,
  names: MarkerSetNames,
  varE: number,
  rng: UniformSource,
): SimulatedEffects {
  return PRIORS[plan.prior].simulate(md, plan.hyper, names, varE, rng);
}
