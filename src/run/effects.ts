/**
 * The effects of a fit from its chains' trackers: pooled posterior means and SDs by role, the
 * reliabilities of random levels, and the prior shares of the variances with their warnings.
 */
import type { PreparedModel } from '../blocks/plan.js';
import type { ChainLayout } from '../blocks/sampler.js';
import { RunningMoments } from '../mcmc/moments.js';
import type { Design } from '../model/design.js';
import { covarianceElements, covarianceName, diagonalNames, varianceName } from '../model/names.js';
import type { ChainResult } from '../parallel/chainTask.js';
import type { CategoryProbabilities, EffectSummary, FitEffects, RandomEffects, RunWarning, SummaryRow } from '../types.js';

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
  const fixed = [...multi.terms, multi.residual]
    .filter((c) => c.fixed)
    .flatMap((c) => covarianceElements(c.components.length, c.correlated).map(([a, b]) => covarianceName(c.term, c.components, a, b)));
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

/** The prior of every variance whose prior share may be tracked, by its variable name. */
function sharePriors(model: PreparedModel): Map<string, SharePrior> {
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
export function priorShares(rows: SummaryRow[], shares: ReadonlyMap<string, number>, model: PreparedModel): RunWarning[] {
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
