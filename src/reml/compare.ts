/**
 * compare(): REML/BLUP and the Gibbs posterior of the same spec, side by side.
 * - variance components: REML ± SE beside the posterior mean, median, mode and 95% interval, like
 *   with like: a marker set's var[TERM] only under BRR (other priors give it another meaning), and
 *   var[genetic] and h2 against their REML counterparts;
 * - fixed effects: BLUE ± SE beside the posterior mean ± SD;
 * - random effects (and GEBVs of marker models): the correlation and regression slope of the
 *   posterior means on the BLUPs, the largest |difference|, and the rank correlation among the top
 *   10% by BLUP.
 */
import { crossMoments, pearson } from '../diagnostics/prediction.js';
import { argsort, averageRanks } from '../diagnostics/sort.js';
import { quantileSorted, sorted } from '../diagnostics/stats.js';
import { isMultivariate, type Design } from '../model/design.js';
import { axpyColumn } from '../model/markers.js';
import {
  correlationName,
  covarianceName,
  GENETIC,
  H2,
  isMarkerTerm,
  markerSetNames,
  ofTrait,
  RESIDUAL,
  VAR_GENETIC,
  VAR_RESIDUAL,
  varianceName,
} from '../model/names.js';
import { INTERCEPT } from '../model/formula.js';
import type { EffectSummary, FitResult, RunWarning, SummaryRow } from '../types.js';
import type { RemlResult } from './reml.js';

/** One variance (or a function of variances) by REML and by the posterior. */
export interface VarianceComparison {
  /** The posterior's variable: var[TERM], var[genetic] or h2. */
  variable: string;
  /** REML's estimate (a function of the components for var[genetic] and h2, its SE by the delta method). */
  reml: { estimate: number; se: number; boundary: boolean };
  posterior: { mean: number; median: number; mode: number; lower: number; upper: number };
}

export interface CompareResult {
  varianceComponents: VarianceComparison[];
  /** Variances of the two fits that are not the same quantity, and why. */
  notCompared: { variable: string; reason: string }[];
  /** The Gibbs run's warnings (R-hat, ESS, prior sensitivity, …): read them before the comparison. */
  warnings: RunWarning[];
  fixed: { variable: string; blue: number; se: number; posteriorMean: number; posteriorSd: number }[];
  random: { term: string; n: number; correlation: number; slope: number; maxAbsDiff: number; topRankCorrelation: number }[];
  reml: { method: string; logLik: number; iterations: number; converged: boolean };
  interpretation: { varianceComponents: string; fixed: string; random: string };
}

/** The posterior mode of draws: the maximum of a Gaussian kernel density (Silverman's bandwidth) on a 512-point grid. */
export function posteriorMode(x: Float64Array): number {
  const s = sorted(x);
  const n = s.length;
  if (n === 0) return NaN;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const iqr = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
  const h = 0.9 * Math.min(sd, iqr / 1.34 || sd) * n ** -0.2;
  if (!(h > 0)) return s[0];
  const lo = s[0];
  const hi = s[n - 1];
  let best = lo;
  let bestDensity = -Infinity;
  for (let g = 0; g < 512; g++) {
    const t = lo + ((hi - lo) * g) / 511;
    // only draws within 5 bandwidths matter
    let d = 0;
    for (let i = lowerIndex(s, t - 5 * h); i < n && s[i] <= t + 5 * h; i++) d += Math.exp(-0.5 * ((s[i] - t) / h) ** 2);
    if (d > bestDensity) {
      bestDensity = d;
      best = t;
    }
  }
  return best;
}

function lowerIndex(s: Float64Array, v: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Agreement of posterior means with BLUPs. */
export function agreement(
  post: readonly number[],
  blup: readonly number[],
): { correlation: number; slope: number; maxAbsDiff: number; topRankCorrelation: number } {
  const n = blup.length;
  let maxAbsDiff = 0;
  for (let i = 0; i < n; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(post[i] - blup[i]));
  const m = crossMoments(blup, post);
  const top = blup
    .map((v, i) => ({ v, i }))
    .sort((a, b) => b.v - a.v)
    .slice(0, Math.max(2, Math.ceil(n / 10)));
  const ranks = (x: number[]): Float64Array => averageRanks(argsort(x));
  const topRankCorrelation = top.length >= 2 ? pearson(ranks(top.map((t) => post[t.i])), ranks(top.map((t) => t.v))) : NaN;
  return { correlation: m.sab / Math.sqrt(m.saa * m.sbb), slope: m.sab / m.saa, maxAbsDiff, topRankCorrelation };
}

/** One random-effect level, marker effect or GEBV by REML/BLUP and by the posterior mean (compare.csv, the report's figures). */
export interface ComparedEffect {
  /** u[TERM], a marker set's term, or gebv. */
  term: string;
  label: string;
  blup: number;
  posterior: number;
}

/**
 * Compare a finished fit with a REML result on the same design: the comparison (compare.json) and
 * every effect compared, BLUP beside posterior mean (compare.csv).
 */
export function compareResults(fitRes: FitResult, r: RemlResult, design: Design): { comparison: CompareResult; effects: ComparedEffect[] } {
  const row = (v: string): SummaryRow | undefined => fitRes.summary.parameters.find((s) => s.variable === v);
  const chainsOf = (v: string): Float64Array => {
    const j = fitRes.params.indexOf(v);
    const parts = fitRes.chains.map((c) => c.draws[j]);
    const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const posteriorOf = (name: string): VarianceComparison['posterior'] => {
    const s = row(name);
    return s
      ? { mean: s.mean, median: s.median, mode: posteriorMode(chainsOf(name)), lower: s.lower, upper: s.upper }
      : { mean: NaN, median: NaN, mode: NaN, lower: NaN, upper: NaN };
  };
  // a marker set's var[TERM] is REML's ridge variance only under BRR: other priors give it another meaning
  const priorOf = new Map(fitRes.run.markerSets.map((m) => [m.term, m.prior]));
  const notCompared = r.varianceComponents
    .filter((v) => isMarkerTerm(v.term) && priorOf.get(v.term) !== 'BRR')
    .map((v) => ({
      variable: v.variable,
      reason: `under ${priorOf.get(v.term)} it is not the common variance of every marker effect that SNP-BLUP REML estimates; compare var[genetic] and h2`,
    }));
  const skipped = new Set(notCompared.map((x) => x.variable));
  const varianceComponents: VarianceComparison[] = r.varianceComponents
    .filter((v) => !skipped.has(v.variable))
    .map((v) => ({
      variable: v.variable,
      reml: { estimate: v.estimate, se: v.se, boundary: v.boundary },
      posterior: posteriorOf(v.variable),
    }));
  for (const g of geneticFunctions(r, design, fitRes)) varianceComponents.push({ ...g, posterior: posteriorOf(g.variable) });
  const fixed = r.fixed.map((f) => {
    const s = row(f.variable);
    return { variable: f.variable, blue: f.estimate, se: f.se, posteriorMean: s?.mean ?? NaN, posteriorSd: s?.sd ?? NaN };
  });
  const random: CompareResult['random'] = [];
  const blupOf = new Map(r.random.map((u) => [u.variable, u.blup]));
  const groups: { term: string; effects: EffectSummary }[] = [
    ...fitRes.effects.random.map((e) => ({ term: `u[${e.term}]`, effects: e as EffectSummary })),
    ...fitRes.effects.markerSets.map((s) => ({ term: s.term, effects: s.effects })),
  ];
  const compared: ComparedEffect[] = [];
  for (const { term, effects } of groups) {
    const pairs = effects.labels.map((l, i) => ({ label: l, post: effects.mean[i], blup: blupOf.get(l) })).filter((x) => x.blup !== undefined);
    if (pairs.length === 0) continue;
    for (const x of pairs) compared.push({ term, label: x.label, blup: x.blup!, posterior: x.post });
    random.push({
      term,
      n: pairs.length,
      ...agreement(
        pairs.map((x) => x.post),
        pairs.map((x) => x.blup!),
      ),
    });
  }
  const gebv = fitRes.effects.gebv;
  if (design.markers.length > 0 && gebv) {
    // GEBVs of the BLUP (SNP-BLUP) fit: Σ_s M_s β̂_s for the genotyped individuals, in the posterior's order
    const first = new Map<string, number>();
    design.ids.forEach((id, i) => {
      if (!first.has(id)) first.set(id, i);
    });
    // per trait, Σ_s M_s β̂_s over the records and over the individuals without one, column by column
    const traits = design.traits.names;
    const byTrait = traits.map((trait) => {
      const records = new Float64Array(design.n);
      const predValues = new Map<string, number>();
      design.markers.forEach((md, s) => {
        const names = markerSetNames(md.name);
        const pred = new Float64Array(md.predIds.length);
        md.markers.forEach((m, j) => {
          const bj = blupOf.get(ofTrait(names.effect(m.id), trait, traits.length)) ?? 0;
          axpyColumn(md.records, md.means[j], md.center[j], j, bj, records);
          axpyColumn(md.pred, md.means[j], md.center[j], j, bj, pred);
        });
        md.predIds.forEach((id, i) => predValues.set(id, (s === 0 ? 0 : (predValues.get(id) ?? 0)) + pred[i]));
      });
      return { records, predValues };
    });
    // gebv's entries are trait-major with several traits, each with its trait
    const blupGebv = gebv.labels.map((id, x) => {
      const { records, predValues } = byTrait[gebv.traits ? traits.indexOf(gebv.traits[x]) : 0];
      const i = first.get(id);
      return i !== undefined ? records[i] : (predValues.get(id) ?? NaN);
    });
    random.push({ term: 'gebv', n: blupGebv.length, ...agreement(Array.from(gebv.mean), blupGebv) });
    gebv.labels.forEach((id, i) =>
      compared.push({ term: 'gebv', label: gebv.traits ? ofTrait(id, gebv.traits[i], traits.length) : id, blup: blupGebv[i], posterior: gebv.mean[i] }),
    );
  }
  const comparison: CompareResult = {
    varianceComponents,
    notCompared,
    warnings: fitRes.summary.warnings,
    fixed,
    random,
    reml: { method: r.method, logLik: r.logLik, iterations: r.iterations, converged: r.converged },
    interpretation: interpret(varianceComponents, fixed, random),
  };
  return { comparison, effects: compared };
}

/** a'Σa for a gradient `a` over the components and their covariance. */
function quadratic(a: readonly number[], cov: readonly (readonly number[])[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) for (let l = 0; l < a.length; l++) if (a[k] !== 0 && a[l] !== 0) s += a[k] * a[l] * cov[k][l];
  return s;
}

/**
 * The REML counterparts of the posterior's derived quantities, with delta-method SEs: the
 * correlations of a multivariate model's covariance matrices;
 * var[genetic] = Σ_s σ²β_s·MSx_s of the marker sets (MSx_s = Σ_j var(x_j) over the records, the
 * expected variance of M_s β_s), and h2 = σ²g/(σ²g + σ²e), σ²g being var[genetic] or, without markers,
 * the variance of the one pedigree or genomic term.
 */
function geneticFunctions(r: RemlResult, design: Design, fitRes: FitResult): Omit<VarianceComparison, 'posterior'>[] {
  const variables = r.varianceComponents.map((v) => v.variable);
  const theta = r.varianceComponents.map((v) => v.estimate);
  const boundary = r.varianceComponents.some((v) => v.boundary);
  const out: Omit<VarianceComparison, 'posterior'>[] = [];
  /** h² = a'θ/(a'θ + θ_e) with its delta-method SE: ∂h²/∂θ_k = a_k θ_e/(a'θ + θ_e)², ∂h²/∂θ_e = −a'θ/(a'θ + θ_e)². */
  const heritability = (variable: string, a: number[], e: number): void => {
    if (!fitRes.params.includes(variable) || e < 0) return;
    const g = a.reduce((sum, ak, k) => sum + ak * theta[k], 0);
    const total = g + theta[e];
    const grad = a.map((ak) => (ak * theta[e]) / total ** 2);
    grad[e] = -g / total ** 2;
    out.push({ variable, reml: { estimate: g / total, se: Math.sqrt(quadratic(grad, r.covariance)), boundary } });
  };
  const traits = design.traits.names;
  if (isMultivariate(design)) {
    // correlations ρ = c/sqrt(v_a v_b): ∂ρ/∂c = 1/sqrt(v_a v_b), ∂ρ/∂v_a = −ρ/(2v_a)
    for (const name of fitRes.params) {
      const m = /^cor\[(.+)\]\((.+),(.+)\)$/.exec(name);
      if (!m) continue;
      const [, term, ca, cb] = m;
      const c = variables.indexOf(`cov[${term}](${ca},${cb})`);
      const va = variables.indexOf(`var[${term}](${ca})`);
      const vb = variables.indexOf(`var[${term}](${cb})`);
      if (c < 0 || va < 0 || vb < 0) continue;
      const rho = theta[c] / Math.sqrt(theta[va] * theta[vb]);
      const grad = new Array<number>(theta.length).fill(0);
      grad[c] = 1 / Math.sqrt(theta[va] * theta[vb]);
      grad[va] = -rho / (2 * theta[va]);
      grad[vb] = -rho / (2 * theta[vb]);
      out.push({ variable: name, reml: { estimate: rho, se: Math.sqrt(quadratic(grad, r.covariance)), boundary } });
    }
    // with markers: the genetic covariance cov[genetic](a,b) = Σ_s Σβ_s,ab·MSx_s as a'θ (var[genetic] on
    // the diagonal), h2(TRAIT) and cor[genetic](a,b) = c/sqrt(v_a v_b), with delta-method SEs
    if (design.markers.length > 0) {
      const geneticCov = (x: number, y: number): number[] => {
        const a = new Array<number>(theta.length).fill(0);
        for (const md of design.markers) {
          const k = variables.indexOf(covarianceName(md.term, traits, x, y));
          if (k >= 0) a[k] = md.msx;
        }
        return a;
      };
      const value = (a: readonly number[]): number => a.reduce((sum, ak, k) => sum + ak * theta[k], 0);
      traits.forEach((trait, x) => {
        const a = geneticCov(x, x);
        const name = covarianceName(GENETIC, traits, x, x);
        if (fitRes.params.includes(name)) out.push({ variable: name, reml: { estimate: value(a), se: Math.sqrt(quadratic(a, r.covariance)), boundary } });
        heritability(ofTrait(H2, trait, traits.length), a, variables.indexOf(covarianceName(RESIDUAL, traits, x, x)));
      });
      traits.forEach((_, x) => {
        for (let y = x + 1; y < traits.length; y++) {
          const [ac, ax, ay] = [geneticCov(x, y), geneticCov(x, x), geneticCov(y, y)];
          const [c, vx, vy] = [value(ac), value(ax), value(ay)];
          const covName = covarianceName(GENETIC, traits, x, y);
          if (fitRes.params.includes(covName)) out.push({ variable: covName, reml: { estimate: c, se: Math.sqrt(quadratic(ac, r.covariance)), boundary } });
          const corName = correlationName(GENETIC, traits, x, y);
          if (!fitRes.params.includes(corName)) continue;
          const rho = c / Math.sqrt(vx * vy);
          const grad = ac.map((g, k) => g / Math.sqrt(vx * vy) - (rho / 2) * (ax[k] / vx + ay[k] / vy));
          out.push({ variable: corName, reml: { estimate: rho, se: Math.sqrt(quadratic(grad, r.covariance)), boundary } });
        }
      });
      return out;
    }
    // h2 per trait of the one pedigree or genomic term with random intercepts only
    const genetic = design.random.filter((t) => t.cov && t.coefs.length === 1 && t.coefs[0] === INTERCEPT);
    if (genetic.length !== 1 || design.random.filter((t) => t.cov).length !== 1) return out;
    traits.forEach((trait, s) => {
      const a = new Array<number>(theta.length).fill(0);
      const k = variables.indexOf(covarianceName(genetic[0].term, traits, s, s));
      if (k < 0) return;
      a[k] = 1;
      heritability(ofTrait(H2, trait, traits.length), a, variables.indexOf(covarianceName(RESIDUAL, traits, s, s)));
    });
    return out;
  }
  const e = variables.indexOf(VAR_RESIDUAL);
  // σ²g as a linear function a'θ of the components
  const a = new Array<number>(theta.length).fill(0);
  if (design.markers.length > 0) {
    for (const md of design.markers) {
      const k = variables.indexOf(varianceName(md.term));
      if (k >= 0) a[k] = md.msx;
    }
    const g = a.reduce((sum, ak, k) => sum + ak * theta[k], 0);
    out.push({ variable: VAR_GENETIC, reml: { estimate: g, se: Math.sqrt(quadratic(a, r.covariance)), boundary } });
  } else {
    const genetic = fitRes.run.geneticTerms;
    if (genetic.length !== 1) return out;
    a[variables.indexOf(varianceName(genetic[0]))] = 1;
  }
  heritability(H2, a, e);
  return out;
}

function interpret(vc: CompareResult['varianceComponents'], fixed: CompareResult['fixed'], random: CompareResult['random']): CompareResult['interpretation'] {
  const outside = vc.filter((v) => !(v.reml.estimate >= v.posterior.lower && v.reml.estimate <= v.posterior.upper)).map((v) => v.variable);
  const modeGap = vc.map((v) => Math.abs(v.posterior.mode - v.reml.estimate) / (v.reml.se || 1));
  const varianceComponents =
    outside.length === 0
      ? `every REML estimate lies inside its 95% posterior interval; posterior modes are within ${Math.max(...modeGap).toFixed(2)} REML SEs of the estimates (posterior means sit higher when the posterior is right-skewed)`
      : `REML estimates of ${outside.join(', ')} fall outside the 95% posterior interval: the prior or a short chain may dominate; check the priors and the R-hat/ESS warnings`;
  const worst = Math.max(...fixed.map((f) => Math.abs(f.posteriorMean - f.blue) / (f.se || 1)));
  const fixedText =
    worst < 1
      ? `posterior means are within ${worst.toFixed(2)} SE of the BLUEs`
      : `the largest gap between a posterior mean and its BLUE is ${worst.toFixed(2)} SE: the variance components differ enough to move the fixed effects`;
  const randomText =
    random.length === 0
      ? 'no random effects to compare'
      : random
          .map(
            (r) =>
              `${r.term}: r = ${r.correlation.toFixed(3)}, slope ${r.slope.toFixed(3)}${Math.abs(r.slope - 1) > 0.1 ? ' (different shrinkage: the posterior averages over the variance ratio, BLUP fixes it at REML)' : ''}`,
          )
          .join('; ');
  return { varianceComponents, fixed: fixedText, random: randomText };
}
