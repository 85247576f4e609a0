/**
 * The effects of a fit from its chains' trackers: pooled posterior means and SDs by role, the
 * reliabilities of random levels, and the pooled prior shares of the variances (priorShares.ts warns).
 */
import type { PreparedModel } from '../blocks/plan.js';
import type { ChainLayout } from '../blocks/sampler.js';
import { RunningMoments } from '../mcmc/moments.js';
import type { Design } from '../model/design.js';
import { covarianceName, fixedMatrixNames, varianceName } from '../model/names.js';
import type { ChainResult } from '../parallel/chainTask.js';
import type { CategoryProbabilities, EffectSummary, FitEffects, RandomEffects } from '../types.js';

/** Posterior means and SDs of every tracker, pooled over chains (Chan, Golub & LeVeque 1979). */
export function pooledEffects(layout: ChainLayout, labels: readonly (readonly string[])[], results: readonly ChainResult[]): EffectSummary[] {
  return labels.map((l, i) => {
    const parts = results.map((r) => RunningMoments.from(r.moments[i]));
    const pooled = parts.length > 0 ? RunningMoments.pool(parts) : new RunningMoments(layout.trackerSizes[i]);
    const sd = new Float64Array(l.length);
    for (let j = 0; j < sd.length; j++) sd[j] = pooled.sd(j);
    return { labels: l, mean: pooled.mean, sd };
  });
}

/** The effects of a fit by role, from the pooled trackers. */
export function fitEffects(model: PreparedModel, pooled: EffectSummary[]): FitEffects {
  const { roles } = model.layout;
  const { design } = model;
  return {
    random: roles.random.map((t, k) => ({
      term: design.random[k].term,
      levels: design.random[k].levels,
      components: model.settings.multi ? model.settings.multi.terms[k].components : [],
      ...pooled[t],
      reliability: new Float64Array(pooled[t].mean.length).fill(NaN),
    })),
    markerSets: roles.markerSets.map((r, s) => {
      const md = design.markers[s];
      return {
        term: md.term,
        name: md.name,
        file: md.file,
        markers: md.markers,
        means: md.means,
        center: md.center,
        effects: pooled[r.effects],
        ...(r.pip !== undefined ? { pip: pooled[r.pip] } : {}),
        ...(design.traits.t > 1 ? { traits: design.traits.names } : {}),
      };
    }),
    ...(roles.gebv !== undefined ? { gebv: { ...pooled[roles.gebv], ...traitsOf(design, pooled[roles.gebv].mean.length / design.traits.t) } } : {}),
    fitted: {
      ...pooled[roles.fitted],
      observed: design.y,
      ...traitsOf(design, design.n),
      ...observedOf(design),
      ...categoriesOf(design, pooled, roles.categories),
    },
    ...(roles.predicted !== undefined
      ? { predicted: { ...pooled[roles.predicted], ...traitsOf(design, design.predict.m), ...categoriesOf(design, pooled, roles.predictedCategories) } }
      : {}),
  };
}

/** How a non-Gaussian response was observed: the category labels, or the censoring bounds. */
function observedOf(design: Design): { observedCategory?: string[]; bounds?: { lower: Float64Array; upper: Float64Array } } {
  const family = design.traits.t === 1 ? design.traits.families[0] : undefined;
  if (family?.kind === 'threshold') return { observedCategory: Array.from(family.category, (c) => family.categories[c]) };
  if (family?.kind === 'censored') return { bounds: { lower: family.lower, upper: family.upper } };
  return {};
}

/** The pooled category probabilities of tracker `t`, if the model has them. */
function categoriesOf(design: Design, pooled: EffectSummary[], t: number | undefined): { categories?: CategoryProbabilities } {
  const family = design.traits.families[0];
  if (t === undefined || family?.kind !== 'threshold') return {};
  return { categories: { names: family.categories, mean: pooled[t].mean } };
}

/** The trait of every row of a trait-major tracker of `rows` records (multi-trait models only). */
function traitsOf(design: Design, rows: number): { traits?: string[] } {
  const { names, t } = design.traits;
  return t > 1 ? { traits: names.flatMap((trait) => new Array<string>(rows).fill(trait)) } : {};
}

/** The traced names of variances held fixed (no constant-draws warning for them), a liability's residual variance among them. */
export function heldFixedNames(model: PreparedModel): string[] {
  const multi = model.settings.multi;
  if (!multi) return Object.keys(model.settings.fixedVariances).map(varianceName);
  const fixed = [...multi.terms, ...multi.markers.map((m) => m.covariance), multi.residual]
    .filter((c) => c.fixed)
    .flatMap((c) => fixedMatrixNames(c.term, c.components, c.correlated));
  const unit = multi.unitResidual;
  return unit === undefined ? fixed : [...fixed, covarianceName(multi.residual.term, multi.residual.components, unit, unit)];
}

/** The prior shares' posterior means, by variable, pooled over the chains. */
export function pooledShares(layout: ChainLayout, labels: readonly (readonly string[])[], results: readonly ChainResult[]): Map<string, number> {
  const t = layout.roles.priorShare!;
  const pooled = RunningMoments.pool(results.map((r) => RunningMoments.from(r.moments[t])));
  return new Map(labels[t].map((l, j) => [l, pooled.mean[j]]));
}

/**
 * Reliabilities 1 − PEV/(σ²u·K_jj) of a term's levels (PEV = posterior variance), in [0, 1]; NaN
 * when σ²u is unknown (no draws). Mutates: e.reliability.
 */
export function reliabilities(e: RandomEffects, diagK: Float64Array | undefined, varU: (component: number) => number): void {
  const d = Math.max(1, e.components.length);
  const variances = Array.from({ length: d }, (_, c) => varU(c));
  for (let j = 0; j < e.sd.length; j++) {
    const l = Math.floor(j / d);
    const prior = variances[j % d] * (diagK ? diagK[l] : 1);
    e.reliability[j] = prior > 0 ? Math.max(0, 1 - (e.sd[j] * e.sd[j]) / prior) : Number.NaN;
  }
}
