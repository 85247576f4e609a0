/**
 * The Gibbs sampler of a multivariate model (several traits, or random terms with several
 * coefficients): missing traits by data augmentation, B jointly, each random term level by level,
 * the covariance matrices from their inverse-Wishart full conditionals, and the derived correlations
 * and heritabilities. Its layout (traced names, trackers) is computed without building blocks, as for
 * the single-trait sampler (../sampler.ts), which hands multivariate designs to this module.
 *
 * Tracker order: each random term's levels (level-major, every component), each marker set's effects
 * (and PIPs), the GEBVs, the fitted values of the records (trait-major), the predictions of records
 * with every trait missing (trait-major), the prior shares, the pointwise likelihood, the replicates.
 */
import { priorShareTracker, Stage, sweepOrder, type Block, type Tracker } from '../../mcmc/block.js';
import type { Sampler } from '../../mcmc/runChain.js';
import { createMultiState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { componentLabels, covarianceElements, covarianceName, diagonalNames, levelComponentName, ofTrait } from '../../model/names.js';
import { ResidualCovarianceBlock, TermCovarianceBlock } from './covariance.js';
import { MultiDerivedBlock, multiDerivedParams } from './derived.js';
import { MultiFixedBlock } from './fixed.js';
import { MissingTraitBlock } from './impute.js';
import { multiLikelihoodTracker } from './likelihood.js';
import { pointwiseLabels } from '../likelihood.js';
import { replicateLabels, replicatePlan, replicateStream, replicateTracker } from '../replicates.js';
import { latentTrait, MultiLiabilityBlock, multiThresholdParams } from './liability.js';
import { startLatent, type ThresholdSettings } from '../liability.js';
import { MultiRandomBlock } from './random.js';
import { MultiGeneticBlock, multiGebvLabels, multiGeneticParams } from './genetic.js';
import { MultiMarkerBlock, type MultiMarkerPlan, multiEffectLabels, multiMarkerParams } from './markers.js';
import { allocateF64 } from '../../linalg/arena.js';
import { type KernelName, sweepKernel } from '../../linalg/kernel.js';

/** The covariance settings of a multivariate model (model/matrixPriors.ts), and its marker sets' plans. */
export interface MultiSettings {
  /** One per random term, in design order. */
  terms: CovarianceSetting[];
  residual: CovarianceSetting;
  /** One per marker set, in design order. */
  markers: MultiMarkerPlan[];
  /** The binary or ordinal trait whose residual variance is fixed at 1 (its liability's), by index. */
  unitResidual?: number;
}

/** Which tracker holds what (multi/sampler's tracker order). */
export interface MultiRoles {
  random: number[];
  markerSets: { effects: number; pip?: number }[];
  gebv?: number;
  fitted: number;
  predicted?: number;
  /** The prior share of every covariance matrix's diagonal element (mcmc/block.ts, DiagonalShares), by variable. */
  priorShare?: number;
  /** log p(y_i | θ) and p(y_i | θ) of every record (likelihood.ts). */
  pointwise: number;
  /** The posterior predictive check (../replicates.ts), when a trait has one. */
  replicates?: number;
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
  const slots: { stage: Stage; params: readonly string[] }[] = [
    { stage: Stage.Augment, params: multiThresholdParams(design) },
    { stage: Stage.Fixed, params: multiFixedNames(design) },
  ];
  design.random.forEach((r, k) => {
    slots.push({ stage: Stage.Random, params: r.q <= traceLevels ? multiLevelLabels(design, k) : [] });
    slots.push({ stage: Stage.Variance, params: covarianceNames(multi.terms[k]) });
  });
  design.markers.forEach((md, s) => slots.push({ stage: Stage.Markers, params: multiMarkerParams(multi.markers[s], md, design.traits.names) }));
  if (design.markers.length > 0) slots.push({ stage: Stage.Markers, params: multiGeneticParams(design.traits.names) });
  slots.push({ stage: Stage.Residual, params: covarianceNames(multi.residual) });
  slots.push({ stage: Stage.Derived, params: multiDerivedParams(design, multi.terms, multi.residual) });
  return sweepOrder(slots).flatMap((s) => s.params);
}

/**
 * The diagonal elements whose prior share is tracked, in tracker order: random terms, marker sets, the
 * residual (those not held fixed; not the residual with a liability's unit variance).
 */
function shareLabels(multi: MultiSettings): string[] {
  const tracked = [...multi.terms, ...multi.markers.map((m) => m.covariance)];
  if (multi.unitResidual === undefined) tracked.push(multi.residual);
  return tracked.filter((s) => !s.fixed).flatMap((s) => diagonalNames(s.term, s.components));
}

/**
 * The trackers' labels in tracker order — each term's levels, each marker set's effects (and PIPs),
 * the GEBVs, the fitted values, the predictions, the prior shares — and their roles. The GEBVs, fitted values and
 * predictions are labelled by id, once per trait (trait-major).
 */
export function multiTrackers(design: Design, multi: MultiSettings): { labels: (readonly string[])[]; roles: MultiRoles } {
  const { t, names } = design.traits;
  const labels: (readonly string[])[] = design.random.map((_, k) => multiLevelLabels(design, k));
  const roles: MultiRoles = { random: design.random.map((_, k) => k), markerSets: [], fitted: 0, pointwise: 0 };
  design.markers.forEach((md, s) => {
    const set: { effects: number; pip?: number } = { effects: labels.length };
    labels.push(multiEffectLabels(md, names, 'snp'));
    if (multi.markers[s].prior === 'BayesC') {
      set.pip = labels.length;
      labels.push(multiEffectLabels(md, names, 'pip'));
    }
    roles.markerSets.push(set);
  });
  if (design.markers.length > 0) {
    roles.gebv = labels.length;
    labels.push(multiGebvLabels(design));
  }
  roles.fitted = labels.length;
  labels.push(Array.from({ length: t }, () => design.ids).flat());
  if (design.predict.m > 0) {
    roles.predicted = labels.length;
    labels.push(Array.from({ length: t }, () => design.predict.ids).flat());
  }
  const shares = shareLabels(multi);
  if (shares.length > 0) {
    roles.priorShare = labels.length;
    labels.push(shares);
  }
  roles.pointwise = labels.length;
  labels.push(pointwiseLabels(design));
  const plan = replicatePlan(design);
  if (plan) {
    roles.replicates = labels.length;
    labels.push(replicateLabels(design, plan));
  }
  return { labels, roles };
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

/**
 * Predictions x_i'b_s + Σ_k Σ_c z_ic u_k[l·d + s·nc + c] (+ the GEBV of the record's individual in
 * marker models) of the records with every trait missing.
 */
function predictedTracker(design: Design, labels: readonly string[], genetic?: MultiGeneticBlock): Tracker {
  const { m, x, level, z } = design.predict;
  const p = design.fixed.p;
  const t = design.traits.t;
  let individual: Int32Array | undefined;
  let per = 0;
  if (genetic) {
    const ids = genetic.gebv.labels;
    per = ids.length / t;
    const index = new Map(ids.slice(0, per).map((id, k) => [id, k]));
    individual = Int32Array.from(design.predict.ids, (id) => index.get(id) ?? -1);
  }
  return {
    labels,
    read: (state, out) => {
      const g = genetic?.gebvValues(state);
      for (let s = 0; s < t; s++) {
        for (let i = 0; i < m; i++) {
          let v = g && individual && individual[i] >= 0 ? g[s * per + individual[i]] : 0;
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
export function buildMultiSampler(design: Design, multi: MultiSettings, traceLevels: number, kernel: KernelName, thresholds: ThresholdSettings): Sampler {
  const t = design.traits.t;
  const { labels, roles } = multiTrackers(design, multi);
  const latent = latentTrait(design);
  const blocks: Block[] = [new MissingTraitBlock(design), new MultiFixedBlock(design, multiFixedNames(design))];
  if (latent) blocks.push(new MultiLiabilityBlock(design, thresholds));
  const trackers: Tracker[] = new Array(labels.length);
  const dims = design.random.map((r) => t * r.coefs.length);
  design.random.forEach((r, k) => {
    const random = new MultiRandomBlock(design, k, labels[k], r.q <= traceLevels);
    blocks.push(random, new TermCovarianceBlock(design, k, multi.terms[k], covarianceNames(multi.terms[k])));
    trackers[roles.random[k]] = random.tracker;
  });
  const arena = design.arena;
  const mem = arena && { arena, kernel: sweepKernel(arena.memory, kernel) };
  const sets = mem ? design.markers.map((md, s) => new MultiMarkerBlock(md, multi.markers[s], design.traits.names, mem)) : [];
  sets.forEach((set, s) => {
    blocks.push(set);
    trackers[roles.markerSets[s].effects] = set.effects;
    if (set.pip) trackers[roles.markerSets[s].pip!] = set.pip;
  });
  const genetic = sets.length > 0 ? new MultiGeneticBlock(design) : undefined;
  if (genetic) {
    blocks.push(genetic);
    trackers[roles.gebv!] = genetic.gebv;
  }
  blocks.push(new ResidualCovarianceBlock(design.n, multi.residual, covarianceNames(multi.residual), multi.unitResidual));
  blocks.push(new MultiDerivedBlock(design, multi.terms, multi.residual));
  trackers[roles.fitted] = fittedTracker(design, labels[roles.fitted]);
  if (roles.predicted !== undefined) trackers[roles.predicted] = predictedTracker(design, labels[roles.predicted], genetic);
  if (roles.priorShare !== undefined) trackers[roles.priorShare] = priorShareTracker(labels[roles.priorShare], blocks);
  trackers[roles.pointwise] = multiLikelihoodTracker(design, labels[roles.pointwise]);
  const plan = replicatePlan(design);
  if (plan) trackers[roles.replicates!] = replicateTracker(design, plan);
  const ordered = sweepOrder(blocks);
  // with markers the residual columns live in shared memory, each padded to the kernels' blocks of 16 records
  const pitch = arena ? design.markers[0].records.stride * 4 : design.n;
  const e = arena ? allocateF64(arena, pitch * t).view : undefined;
  const state = createMultiState(
    design,
    dims,
    sets.map((m) => m.state),
    e,
    pitch,
    latent && { trait: latent.trait, start: startLatent(design.y.subarray(latent.trait * design.n, (latent.trait + 1) * design.n), latent.family) },
    plan && replicateStream(),
  );
  return { blocks: ordered, params: ordered.flatMap((b) => b.params), trackers, state };
}
