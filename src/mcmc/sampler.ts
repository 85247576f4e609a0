/**
 * Assemble the Gibbs sampler of a model: one block per parameter group, in sweep order, and the
 * trackers of the high-dimensional quantities.
 */
import { FixedBlock } from '../blocks/fixed.js';
import { RandomIidBlock } from '../blocks/random.js';
import { FixedVarianceBlock, RandomVarianceBlock, ResidualVarianceBlock } from '../blocks/variance.js';
import type { Design } from '../model/design.js';
import type { VariancePrior } from '../types.js';
import type { Sampler } from './runChain.js';
import { sweepOrder, type Block, type Tracker } from './updater.js';

export interface SamplerSettings {
  /** Prior of every variance term by name (random terms and 'residual'). */
  priors: Record<string, VariancePrior>;
  /** Variances held fixed, by term name. */
  fixedVariances: Record<string, number>;
  /** Random terms with at most this many levels are traced per draw. */
  traceLevels: number;
}

export function buildSampler(design: Design, settings: SamplerSettings): Sampler {
  const blocks: Block[] = [new FixedBlock(design)];
  const trackers: Tracker[] = [];
  design.random.forEach((r, k) => {
    const block = new RandomIidBlock(design, k, r.q <= settings.traceLevels);
    blocks.push(block);
    trackers.push(block.tracker());
    const fixed = settings.fixedVariances[r.term];
    blocks.push(
      fixed !== undefined
        ? new FixedVarianceBlock(r.term, fixed, (s) => s.varU, k)
        : new RandomVarianceBlock(design, k, settings.priors[r.term]),
    );
  });
  const fixedE = settings.fixedVariances.residual;
  blocks.push(fixedE !== undefined ? new FixedVarianceBlock('residual', fixedE, (s) => s.varE, 0) : new ResidualVarianceBlock(settings.priors.residual));
  trackers.push(fittedTracker(design));
  if (design.predict.m > 0) trackers.push(predictedTracker(design));
  const ordered = sweepOrder(blocks);
  return { blocks: ordered, params: ordered.flatMap((b) => b.params), trackers };
}

/** Fitted values of the observed records, y − e. */
function fittedTracker(design: Design): Tracker {
  const y = design.y;
  return {
    name: 'fitted',
    labels: design.ids,
    read: (state, out) => {
      const e = state.e;
      for (let i = 0; i < y.length; i++) out[i] = y[i] - e[i];
    },
  };
}

/** Predicted values x_i'b + Σ_k u_k[level] of the records whose response is missing. */
function predictedTracker(design: Design): Tracker {
  const { m, x, level } = design.predict;
  const p = design.fixed.p;
  return {
    name: 'predicted',
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
