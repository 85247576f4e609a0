/**
 * Every default of mixmc and the rule behind it: the one place they are set (DESIGN.md principle 10).
 * Each data-derived default is reported with the rule and numbers behind it, and every one can be
 * overridden in the spec.
 *
 * Variance priors follow BGLR's rule (Pérez & de los Campos 2014, "Genome-wide regression and
 * prediction with the BGLR statistical package", Genetics 198:483, "Default rules for
 * hyper-parameters"): with df = 5 and a prior R² = 0.5 split evenly over the K variance terms other
 * than the residual, the prior mode of each variance equals its share of var(y):
 *   residual:      mode = var(y)·(1 − R²)
 *   term k:        mode = var(y)·(R²/K)/MSx_k
 * where MSx_k is the sum of the column variances of the term's incidence/covariate matrix; in mixmc's
 * parameterisation scale = mode·(df + 2)/df (BGLR's S0 = df·scale).
 */
import type { PriorReport, ResolvedMcmc, VariancePrior } from '../types.js';

/** Chain defaults, applied where the spec's `mcmc` block is silent (workers: one per chain, up to the cores). */
export const DEFAULT_MCMC: Readonly<Omit<ResolvedMcmc, 'workers'>> = {
  chains: 4,
  iterations: 6000,
  burnin: 1000,
  thin: 5,
  seed: 1,
  traceLevels: 100,
};

/** Degrees of freedom of every default variance prior. */
export const DEFAULT_DF = 5;
/** The prior share of var(y) explained by all non-residual terms together. */
export const DEFAULT_R2 = 0.5;
/** Prior probability of a zero marker effect in the mixture priors (BGLR's probIn = 0.5). */
export const DEFAULT_PI = 0.5;
/** Prior counts of the default Beta prior on π, centred on the starting π (BGLR's counts = 10). */
export const PI_PRIOR_COUNTS = 10;
/** Gamma shape of the default prior on BayesA/B's scale S and on the LASSO's λ² (BGLR). */
export const DEFAULT_SHAPE = 1.1;
/** BayesR's variance classes as multiples of σ²g (Erbe et al. 2012). */
export const BAYESR_CLASSES: readonly number[] = [0, 1e-4, 1e-3, 1e-2];
/** BayesR's Dirichlet prior count of every class. */
export const BAYESR_DIRICHLET = 1;

/** A number in a rule's text: six significant digits. */
export function fmtNum(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/** scale = mode·(df + 2)/df: the scale whose Scaled-Inv-χ²(df, scale) has the given mode. */
export function scaleFromMode(mode: number, df: number): number {
  return (mode * (df + 2)) / df;
}

/** A variance term other than the residual, as the default rule sees it. */
export interface VarianceTermInfo {
  term: string;
  /** Sum of column variances of the term's design (BGLR's MSx). */
  msx: number;
}

/**
 * Resolve the variance priors of the random terms and the residual: the user's where given, the
 * default rule otherwise.
 * @param varY sample variance of the response.
 * @param terms the random terms, in model order.
 * @param totalTerms K, the number of terms sharing R² (the marker sets count too).
 */
export function resolvePriors(
  varY: number,
  terms: readonly VarianceTermInfo[],
  user: Record<string, VariancePrior> = {},
  totalTerms = terms.length,
): PriorReport[] {
  const df = DEFAULT_DF;
  const k = Math.max(1, totalTerms);
  const out: PriorReport[] = [];
  for (const t of terms) {
    const given = user[t.term];
    if (given) {
      out.push({ term: t.term, df: given.df, scale: given.scale, source: 'user' });
      continue;
    }
    const mode = (varY * (DEFAULT_R2 / k)) / t.msx;
    out.push({
      term: t.term,
      df,
      scale: scaleFromMode(mode, df),
      source: 'default',
      rule: `df = ${df}; prior mode = var(y)·(R²/K)/MSx = ${fmtNum(varY)}·(${DEFAULT_R2}/${k})/${fmtNum(t.msx)} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
    });
  }
  out.push(residualPrior(varY, user.residual));
  return out;
}

/** The residual variance prior: the user's, or mode = var(y)·(1 − R²). */
function residualPrior(varY: number, given: VariancePrior | undefined): PriorReport {
  if (given) return { term: 'residual', df: given.df, scale: given.scale, source: 'user' };
  const df = DEFAULT_DF;
  const mode = varY * (1 - DEFAULT_R2);
  return {
    term: 'residual',
    df,
    scale: scaleFromMode(mode, df),
    source: 'default',
    rule: `df = ${df}; prior mode = var(y)·(1 − R²) = ${fmtNum(varY)}·${1 - DEFAULT_R2} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
  };
}

/** The R² share of each of `terms` non-residual terms. */
export function r2Share(terms: number): number {
  return DEFAULT_R2 / Math.max(1, terms);
}

/**
 * A marker variance prior: the user's, or BGLR's default with prior mode var(y)·R²/MSx/probIn
 * (probIn = 1 − π for the mixture priors, 1 otherwise).
 */
export function markerVariancePrior(term: string, user: VariancePrior | undefined, varY: number, r2: number, msx: number, probIn = 1): PriorReport {
  if (user) return { term, df: user.df, scale: user.scale, source: 'user' };
  const df = DEFAULT_DF;
  const mode = (varY * r2) / msx / probIn;
  const mixture = probIn !== 1;
  return {
    term,
    df,
    scale: scaleFromMode(mode, df),
    source: 'default',
    rule: `df = ${df}; prior mode = var(y)·R²/MSx${mixture ? '/(1 − π)' : ''} = ${fmtNum(varY)}·${fmtNum(r2)}/${fmtNum(msx)}${mixture ? `/${fmtNum(probIn)}` : ''} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
  };
}

/** BayesR's σ²g prior: the user's, or prior mode var(y)·R². */
export function genomicVariancePrior(term: string, user: VariancePrior | undefined, varY: number, r2: number): PriorReport {
  if (user) return { term, df: user.df, scale: user.scale, source: 'user' };
  const df = DEFAULT_DF;
  const mode = varY * r2;
  return {
    term,
    df,
    scale: scaleFromMode(mode, df),
    source: 'default',
    rule: `df = ${df}; prior mode of σ²g = var(y)·R² = ${fmtNum(varY)}·${fmtNum(r2)} = ${fmtNum(mode)}; scale = mode·(df+2)/df`,
  };
}

/** π (probability of a zero effect), whether it is estimated, and its Beta prior. */
export interface PiSetting {
  pi: number;
  estimate: boolean;
  a: number;
  b: number;
}

/**
 * π: the spec's value or the default 0.5; when estimated, Beta(a, b) with PI_PRIOR_COUNTS prior
 * counts centred on the starting π (a = 10·π, b = 10·(1 − π)), as BGLR.
 */
export function piSetting(
  spec: { pi?: number; estimatePi?: boolean; piPrior?: { a: number; b: number } },
  estimateByDefault: boolean,
  rules: string[],
): PiSetting {
  const pi = spec.pi ?? DEFAULT_PI;
  if (spec.pi === undefined) rules.push(`pi: default ${DEFAULT_PI} (BGLR probIn = ${1 - DEFAULT_PI})`);
  const estimate = spec.estimatePi ?? estimateByDefault;
  let a = spec.piPrior?.a ?? PI_PRIOR_COUNTS * pi;
  let b = spec.piPrior?.b ?? PI_PRIOR_COUNTS * (1 - pi);
  if (estimate && !spec.piPrior)
    rules.push(`pi ~ Beta(${fmtNum(a)}, ${fmtNum(b)}): ${PI_PRIOR_COUNTS} prior counts centred on pi = ${pi} (BGLR counts = ${PI_PRIOR_COUNTS})`);
  if (!(a > 0 && b > 0)) {
    a = 1;
    b = 1;
  }
  return { pi, estimate, a, b };
}

/** Gamma(shape, rate) on BayesA/B's scale S with rate (shape − 1)/S0, S0 = df·scale (BGLR). */
export function scaleGammaPrior(shape: number | undefined, prior: VariancePrior, rules: string[]): { shape: number; rate: number } {
  const s = shape ?? DEFAULT_SHAPE;
  const S0 = prior.df * prior.scale;
  const rate = (s - 1) / S0;
  rules.push(`S ~ Gamma(shape ${s}, rate (shape − 1)/S0 = ${fmtNum(rate)}), S0 = df·scale = ${fmtNum(S0)} (BGLR)`);
  return { shape: s, rate };
}

/** The LASSO's default λ = sqrt(2·(1 − R²)/R²·MSx) (BGLR). */
export function lassoLambda(r2: number, msx: number, rules: string[]): number {
  const lambda = Math.sqrt(((2 * (1 - r2)) / r2) * msx);
  rules.push(`lambda = sqrt(2·(1 − R²)/R²·MSx) = sqrt(2·${1 - r2}/${r2}·${fmtNum(msx)}) = ${fmtNum(lambda)} (BGLR)`);
  return lambda;
}

/** λ² ~ Gamma(shape, rate (shape − 1)/λ²) (BGLR). */
export function lassoLambdaPrior(shape: number | undefined, lambda: number, rules: string[]): { shape: number; rate: number } {
  const s = shape ?? DEFAULT_SHAPE;
  const rate = (s - 1) / (lambda * lambda);
  rules.push(`lambda² ~ Gamma(shape ${s}, rate (shape − 1)/lambda² = ${fmtNum(rate)}) (BGLR)`);
  return { shape: s, rate };
}
