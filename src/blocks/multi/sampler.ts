/**
 * The Gibbs sampler of a multivariate model (several traits, or random terms with several
 * coefficients): missing traits by data augmentation, B jointly, each random term level by level,
 * the covariance matrices from their inverse-Wishart full conditionals, and the derived correlations
 * and heritabilities. Its layout (traced names, trackers) is computed without building blocks, as for
 * the single-trait sampler (../sampler.ts), which hands multivariate designs to this module.
 *
 * Tracker order: each random term's levels (level-major, every component), the fitted values of the
 * records (trait-major), the predictions of records with every trait missing (trait-major).
 */
import { Stage, sweepOrder, type Block, type Tracker } from '../../mcmc/block.js';
import type { Sampler } from '../../mcmc/runChain.js';
import { createMultiState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { componentLabels, covarianceElements, covarianceName, levelComponentName, ofTrait } from '../../model/names.js';
import { ResidualCovarianceBlock, TermCovarianceBlock } from './covariance.js';
import { MultiDerivedBlock, multiDerivedParams } from './derived.js';
import { MultiFixedBlock } from './fixed.js';
import { MissingTraitBlock } from './impute.js';
import { MultiRandomBlock } from './random.js';

/** The covariance settings of a multivariate model (model/matrixPriors.ts). */
export interface MultiSettings {
  /** One per random term, in design order. */
  terms: CovarianceSetting[];
  residual: CovarianceSetting;
}

/** Trait-major names of the fixed effects: b[LABEL](TRAIT) (the plain names with one trait). */
export function multiFixedNames(design: Design): string[] {
  const { names, t } = design.traits;
  return names.flatMap((trait) => design.fixed.names.map((b) => ofTrait(b, trait, t)));
}

/** The names of random term k's levels, level-major: u[TERM:LEVEL](COMPONENT). */
export function multiLevelLabels(design: Design, k: number): string[] {
  const r = design.random[k];
  const components = componentLabels(design.traits.names, r.coefs);
  return r.levels.flatMap((level) => components.map((c) => levelComponentName(r.term, level, c, components.length)));
}

function covarianceNames(s: CovarianceSetting): string[] {
  return covarianceElements(s.components.length, s.correlated).map(([a, b]) => covarianceName(s.term, s.components, a, b));
}

/** Every traced name in sweep order, without building the blocks. */
export function multiParams(design: Design, multi: MultiSettings, traceLevels: number): string[] {
  const slots: { stage: Stage; params: readonly string[] }[] = [{ stage: Stage.Fixed, params: multiFixedNames(design) }];
  design.random.forEach((r, k) => {
    slots.push({ stage: Stage.Random, params: r.q <= traceLevels ? multiLevelLabels(design, k) : [] });
    slots.push({ stage: Stage.Variance, params: covarianceNames(multi.terms[k]) });
  });
  slots.push({ stage: Stage.Residual, params: covarianceNames(multi.residual) });
  slots.push({ stage: Stage.Derived, params: multiDerivedParams(design, multi.terms, multi.residual) });
  return sweepOrder(slots).flatMap((s) => s.params);
}

/** The trackers' labels in tracker order (the fitted values and predictions: the record ids, once per trait). */
export function multiTrackerLabels(design: Design): (readonly string[])[] {
  const { t } = design.traits;
  const out: (readonly string[])[] = design.random.map((_, k) => multiLevelLabels(design, k));
  out.push(Array.from({ length: t }, () => design.ids).flat());
  if (design.predict.m > 0) out.push(Array.from({ length: t }, () => design.predict.ids).flat());
  return out;
}

/** Fitted values y − e of every record and trait (y with the missing traits imputed: their predictions). */
function fittedTracker(design: Design, labels: readonly string[]): Tracker {
  const { n } = design;
  const t = design.traits.t;
  return {
    labels,
    read: (state, out) => {
      const { y, pitch } = state.multi!;
      for (let s = 0; s < t; s++) for (let i = 0; i < n; i++) out[s * n + i] = y[s * n + i] - state.e[s * pitch + i];
    },
  };
}

/** Predictions x_i'b_s + Σ_k Σ_c z_ic u_k[l·d + s·nc + c] of the records with every trait missing. */
function predictedTracker(design: Design, labels: readonly string[]): Tracker {
  const { m, x, level, z } = design.predict;
  const p = design.fixed.p;
  const t = design.traits.t;
  return {
    labels,
    read: (state, out) => {
      for (let s = 0; s < t; s++) {
        for (let i = 0; i < m; i++) {
          let v = 0;
          for (let j = 0; j < p; j++) v += x[i * p + j] * state.b[s * p + j];
          design.random.forEach((r, k) => {
            const nc = r.coefs.length;
            const d = t * nc;
            const base = level[k][i] * d + s * nc;
            const zk = z[k];
            for (let c = 0; c < nc; c++) v += (zk ? zk[i * nc + c] : 1) * state.u[k][base + c];
          });
          out[s * m + i] = v;
        }
      }
    },
  };
}

/** A chain's multivariate sampler: its blocks in sweep order, its trackers in layout order, and its state. */
export function buildMultiSampler(design: Design, multi: MultiSettings, traceLevels: number): Sampler {
  const t = design.traits.t;
  const labels = multiTrackerLabels(design);
  const blocks: Block[] = [new MissingTraitBlock(design), new MultiFixedBlock(design, multiFixedNames(design))];
  const trackers: Tracker[] = [];
  const dims = design.random.map((r) => t * r.coefs.length);
  design.random.forEach((r, k) => {
    const random = new MultiRandomBlock(design, k, labels[k], r.q <= traceLevels);
    blocks.push(random, new TermCovarianceBlock(design, k, multi.terms[k], covarianceNames(multi.terms[k])));
    trackers.push(random.tracker);
  });
  blocks.push(new ResidualCovarianceBlock(design.n, multi.residual, covarianceNames(multi.residual)));
  blocks.push(new MultiDerivedBlock(design, multi.terms, multi.residual));
  trackers.push(fittedTracker(design, labels[design.random.length]));
  if (design.predict.m > 0) trackers.push(predictedTracker(design, labels[design.random.length + 1]));
  const ordered = sweepOrder(blocks);
  return { blocks: ordered, params: ordered.flatMap((b) => b.params), trackers, state: createMultiState(design, dims) };
}
