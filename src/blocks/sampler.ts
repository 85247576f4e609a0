/**
 * Assembly of a chain's Gibbs sampler: one block per parameter group in sweep order, the trackers of
 * the high-dimensional quantities, and the chain state they share; and the layout of what a chain
 * produces (traced names, tracker sizes and what each tracker is), computed without building blocks,
 * so that it travels with a chain task and the main thread never builds a sampler of its own.
 *
 * Tracker order: the random terms' levels (formula order), each marker set's effects then its
 * inclusion indicators, the GEBVs, the fitted values, the predictions of records with a missing
 * response, the prior shares of the variances, for a threshold trait the category probabilities
 * of the records, then of the predicted records, and last the records' log-likelihoods and
 * likelihoods (WAIC and DIC).
 */
import { Stage, priorShareTracker, sweepOrder, type Block, type Tracker } from '../mcmc/block.js';
import type { Sampler } from '../mcmc/runChain.js';
import { createState } from '../mcmc/state.js';
import { allocateF64 } from '../linalg/arena.js';
import { type KernelName, sweepKernel } from '../linalg/kernel.js';
import type { Design } from '../model/design.js';
import { H2, VAR_GENETIC, VAR_RESIDUAL, markerSetNames, varianceName } from '../model/names.js';
import type { VariancePrior } from '../types.js';
import { categoryTracker, fittedTracker, predictedTracker } from './fitted.js';
import { likelihoodTracker } from './likelihood.js';
import { replicateLabels, replicatePlan, replicateStream, replicateTracker } from './replicates.js';
import { LiabilityBlock, latentFamily, startLatent, type ThresholdSettings, thresholdParams } from './liability.js';
import { DerivedBlock, derivedParams } from './derived.js';
import { FixedBlock } from './fixed.js';
import { buildMultiSampler, type MultiSettings, multiParams, multiTrackers } from './multi/sampler.js';
import { GeneticBlock, gebvLabels } from './genetic.js';
import { effectLabels, pipLabels, type MarkerBlock } from './markers/base.js';
import { RandomIidBlock, levelLabels } from './random.js';
import { createMarkerBlock, markerParams, type MarkerPlan } from './registry.js';
import { StructuredRandomBlock } from './structured.js';
import { FixedVarianceBlock, RandomVarianceBlock, ResidualVarianceBlock } from './variance.js';

/** What a sampler needs besides the design: plain data, so that it can be sent to a worker. */
export interface SamplerSettings {
  /** Prior of every random term's variance and of the residual's, by term name. */
  priors: Record<string, VariancePrior>;
  /** Variances held fixed, by term name (random terms and 'residual'; marker sets hold theirs in their plan). */
  fixedVariances: Record<string, number>;
  /** Random terms with at most this many levels are traced per draw. */
  traceLevels: number;
  /** One plan per marker set, in the order of design.markers. */
  markers: MarkerPlan[];
  /** The marker sweep kernel (resolved from the spec's `kernel` on the main thread). */
  kernel: KernelName;
  /** The covariance matrices of a multivariate model (several traits, or slopes): its sampler is multi/sampler.ts. */
  multi?: MultiSettings;
  /** An ordinal trait's threshold updates (default: Cowles' step, not tuned). */
  thresholds?: ThresholdSettings;
}

/** Which tracker (by index) holds what. */
export interface TrackerRoles {
  /** One per random term, in formula order. */
  random: number[];
  /** One per marker set: its effects, and its inclusion indicators for a mixture prior. */
  markerSets: { effects: number; pip?: number }[];
  gebv?: number;
  fitted: number;
  predicted?: number;
  /** The prior share of every variance with a conjugate prior (PriorShare), by variable. */
  priorShare?: number;
  /** Threshold traits: the probability of every category, record-major, for the records and for the predicted records. */
  categories?: number;
  predictedCategories?: number;
  /** log p(y_i | θ) and p(y_i | θ) of every record (entries 0 … n − 1, then n … 2n − 1). */
  pointwise?: number;
  /** The posterior predictive check (replicates.ts), when the response has one. */
  replicates?: number;
}

/** What a chain of a model produces: the traced names in order, each tracker's size, and the trackers' roles. */
export interface ChainLayout {
  params: readonly string[];
  trackerSizes: readonly number[];
  roles: TrackerRoles;
}

/** One group of parameters in sweep order: its stage and traced names. */
interface Slot {
  stage: Stage;
  params: readonly string[];
}

function slots(design: Design, settings: SamplerSettings): Slot[] {
  const out: Slot[] = [
    { stage: Stage.Augment, params: thresholdParams(latentFamily(design)) },
    { stage: Stage.Fixed, params: design.fixed.names },
  ];
  design.random.forEach((r) => {
    out.push({ stage: Stage.Random, params: r.q <= settings.traceLevels ? levelLabels(r) : [] });
    out.push({ stage: Stage.Variance, params: [varianceName(r.term)] });
  });
  design.markers.forEach((md, s) => {
    const names = markerSetNames(md.name);
    const p = markerParams(settings.markers[s], names);
    out.push({ stage: Stage.Markers, params: [...p.own, ...(p.mixture ? [names.markersIn] : [])] });
  });
  if (design.markers.length > 0) out.push({ stage: Stage.Markers, params: [VAR_GENETIC, H2] });
  out.push({ stage: Stage.Residual, params: [VAR_RESIDUAL] });
  out.push({ stage: Stage.Derived, params: derivedParams(design) });
  return out;
}

/** The labels of every tracker, in tracker order (for the results; a chain needs only their sizes). */
export function trackerLabels(design: Design, settings: SamplerSettings): (readonly string[])[] {
  if (settings.multi) return multiTrackers(design, settings.multi).labels;
  const out: (readonly string[])[] = design.random.map(levelLabels);
  design.markers.forEach((md, s) => {
    const names = markerSetNames(md.name);
    out.push(effectLabels(md, names));
    if (markerParams(settings.markers[s], names).mixture) out.push(pipLabels(md, names));
  });
  if (design.markers.length > 0) out.push(gebvLabels(design));
  out.push(design.ids);
  if (design.predict.m > 0) out.push(design.predict.ids);
  const shares = shareLabels(design, settings);
  if (shares.length > 0) out.push(shares);
  const categories = categoriesOf(design);
  if (categories) {
    out.push(design.ids.flatMap((id) => categories.map((c) => `${id}:${c}`)));
    if (design.predict.m > 0) out.push(design.predict.ids.flatMap((id) => categories.map((c) => `${id}:${c}`)));
  }
  out.push(likelihoodTracker(design).labels);
  const plan = replicatePlan(design);
  if (plan) out.push(replicateLabels(design, plan));
  return out;
}

/** The categories of a single threshold trait. */
function categoriesOf(design: Design): readonly string[] | undefined {
  const family = latentFamily(design);
  return family?.kind === 'threshold' ? family.categories : undefined;
}

/** The variances whose prior share is tracked, in tracker order: random terms, marker sets, the residual (those not held fixed). */
function shareLabels(design: Design, settings: SamplerSettings): string[] {
  const out = design.random.filter((r) => settings.fixedVariances[r.term] === undefined).map((r) => varianceName(r.term));
  design.markers.forEach((md, s) => out.push(...(markerParams(settings.markers[s], markerSetNames(md.name)).shares ?? [])));
  if (settings.fixedVariances.residual === undefined) out.push(VAR_RESIDUAL);
  return out;
}

/** The layout of a chain of `design` under `settings`. */
export function chainLayout(design: Design, settings: SamplerSettings): ChainLayout {
  if (settings.multi) {
    const { labels, roles } = multiTrackers(design, settings.multi);
    return { params: multiParams(design, settings.multi, settings.traceLevels), trackerSizes: labels.map((l) => l.length), roles };
  }
  const params = sweepOrder(slots(design, settings)).flatMap((s) => s.params);
  const labels = trackerLabels(design, settings);
  const roles: TrackerRoles = { random: design.random.map((_, k) => k), markerSets: [], fitted: 0 };
  let t = design.random.length;
  design.markers.forEach((md, s) => {
    const mixture = markerParams(settings.markers[s], markerSetNames(md.name)).mixture;
    roles.markerSets.push({ effects: t++, ...(mixture ? { pip: t++ } : {}) });
  });
  if (design.markers.length > 0) roles.gebv = t++;
  roles.fitted = t++;
  if (design.predict.m > 0) roles.predicted = t++;
  if (shareLabels(design, settings).length > 0) roles.priorShare = t++;
  if (categoriesOf(design)) {
    roles.categories = t++;
    if (design.predict.m > 0) roles.predictedCategories = t++;
  }
  roles.pointwise = t++;
  if (replicatePlan(design)) roles.replicates = t++;
  return { params, trackerSizes: labels.map((l) => l.length), roles };
}

/** A chain's sampler: its blocks in sweep order, its trackers in layout order, and its state. */
export function buildSampler(design: Design, settings: SamplerSettings): Sampler {
  const thresholds = settings.thresholds ?? { method: 'cowles', adaptUntil: 0 };
  if (settings.multi) return buildMultiSampler(design, settings.multi, settings.traceLevels, settings.kernel, thresholds);
  const family = latentFamily(design);
  const blocks: Block[] = [new FixedBlock(design)];
  if (family) blocks.push(new LiabilityBlock(design, family, thresholds));
  const trackers: Tracker[] = [];
  design.random.forEach((r, k) => {
    const traced = r.q <= settings.traceLevels;
    const block = r.cov ? new StructuredRandomBlock(design, k, traced) : new RandomIidBlock(design, k, traced);
    blocks.push(block);
    trackers.push(block.tracker);
    const fixed = settings.fixedVariances[r.term];
    blocks.push(fixed !== undefined ? new FixedVarianceBlock(r.term, fixed, (s) => s.varU, k) : new RandomVarianceBlock(design, k, settings.priors[r.term]));
  });
  const arena = design.arena;
  const mem = arena && { arena, kernel: sweepKernel(arena.memory, settings.kernel) };
  const sets: MarkerBlock[] = mem ? design.markers.map((md, s) => createMarkerBlock(settings.markers[s], md, markerSetNames(md.name), mem)) : [];
  for (const m of sets) {
    blocks.push(m);
    trackers.push(m.effects);
    if (m.pip) trackers.push(m.pip);
  }
  const genetic = sets.length > 0 ? new GeneticBlock(design) : undefined;
  if (genetic) {
    blocks.push(genetic);
    trackers.push(genetic.gebv);
  }
  const fixedE = settings.fixedVariances.residual;
  const contributors = sets.filter((m): m is MarkerBlock & { residualContribution(): { ss: number; df: number } } => m.residualContribution !== undefined);
  blocks.push(
    fixedE !== undefined ? new FixedVarianceBlock('residual', fixedE, (s) => s.varE, 0) : new ResidualVarianceBlock(settings.priors.residual, contributors),
  );
  blocks.push(new DerivedBlock(design, genetic));
  const fitted = fittedTracker(design);
  trackers.push(fitted);
  const predicted = design.predict.m > 0 ? predictedTracker(design, genetic) : undefined;
  if (predicted) trackers.push(predicted);
  const shares = shareLabels(design, settings);
  if (shares.length > 0) trackers.push(priorShareTracker(shares, blocks));
  const categories = categoriesOf(design);
  if (categories) {
    trackers.push(categoryTracker(fitted, categories));
    if (predicted) trackers.push(categoryTracker(predicted, categories));
  }
  trackers.push(likelihoodTracker(design));
  const plan = replicatePlan(design);
  if (plan) trackers.push(replicateTracker(design, plan));
  const ordered = sweepOrder(blocks);
  // with markers the residual lives in shared memory, padded to the kernels' blocks of 16 records
  const e = arena && allocateF64(arena, design.markers[0].records.stride * 4).view.subarray(0, design.n);
  const state = createState(
    design,
    sets.map((m) => m.state),
    e,
    family && startLatent(design.y, family),
    plan && replicateStream(),
  );
  return { blocks: ordered, params: ordered.flatMap((b) => b.params), trackers, state };
}
