/**
 * Assemble the Gibbs sampler of a model: one block per parameter group, in sweep order, and the
 * trackers of the high-dimensional quantities.
 */
import { FixedBlock } from '../blocks/fixed.js';
import { RandomIidBlock } from '../blocks/random.js';
import { StructuredRandomBlock } from '../blocks/structured.js';
import { FixedVarianceBlock, RandomVarianceBlock, ResidualVarianceBlock } from '../blocks/variance.js';
import type { MarkerBlock, MarkerHyper, MarkerSpec } from '../blocks/markers/kernel.js';
import { markerPrior } from '../blocks/registry.js';
import type { Design } from '../model/design.js';
import type { VariancePrior } from '../types.js';
import type { Sampler } from './runChain.js';
import { createState } from './state.js';
import { sweepOrder, type Block, type Tracker } from './updater.js';
import { fittedTracker, predictedTracker } from './fitted.js';

export interface SamplerSettings {
  /** Prior of every variance term by name (random terms and 'residual'). */
  priors: Record<string, VariancePrior>;
  /** Variances held fixed, by term name. */
  fixedVariances: Record<string, number>;
  /** Random terms with at most this many levels are traced per draw. */
  traceLevels: number;
  /** The marker term: its spec, R² share, user prior or fixed variance, and resolved hyper-parameters. */
  markers?: MarkerPlan;
}

/** Everything a marker block needs besides the design; plain data, so it can be sent to a worker. */
export interface MarkerPlan {
  spec: MarkerSpec;
  r2: number;
  userPrior?: VariancePrior;
  fixedVariance?: number;
  hyper: MarkerHyper;
}

export function buildSampler(design: Design, settings: SamplerSettings): Sampler {
  const blocks: Block[] = [new FixedBlock(design)];
  const trackers: Tracker[] = [];
  design.random.forEach((r, k) => {
    const traced = r.q <= settings.traceLevels;
    const block = r.cov ? new StructuredRandomBlock(design, k, traced) : new RandomIidBlock(design, k, traced);
    blocks.push(block);
    trackers.push(block.tracker());
    const fixed = settings.fixedVariances[r.term];
    blocks.push(
      fixed !== undefined
        ? new FixedVarianceBlock(r.term, fixed, (s) => s.varU, k)
        : new RandomVarianceBlock(design, k, settings.priors[r.term]),
    );
  });
  let marker: MarkerBlock | undefined;
  const mp = settings.markers;
  if (mp && design.markers) {
    const ctx = { design, md: design.markers, spec: mp.spec, varY: design.varY, r2: mp.r2, userPrior: mp.userPrior, fixedVariance: mp.fixedVariance };
    marker = markerPrior(mp.spec.prior).create(ctx, mp.hyper);
    blocks.push(marker);
    trackers.push(...marker.trackers());
  }
  const fixedE = settings.fixedVariances.residual;
  const contributors = marker?.residualContribution ? [marker] : [];
  blocks.push(fixedE !== undefined ? new FixedVarianceBlock('residual', fixedE, (s) => s.varE, 0) : new ResidualVarianceBlock(settings.priors.residual, contributors));
  trackers.push(fittedTracker(design));
  if (design.predict.m > 0) trackers.push(predictedTracker(design));
  const ordered = sweepOrder(blocks);
  const m = marker;
  return {
    blocks: ordered,
    params: ordered.flatMap((b) => b.params),
    trackers,
    createState: () => createState(design, m?.allocate()),
  };
}
