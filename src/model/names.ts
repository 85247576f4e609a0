/**
 * Every parameter name mixmc writes (DESIGN.md "Parameter names"), built here and nowhere else:
 *   b[(Intercept)], b[COVARIATE], b[FACTOR:LEVEL]      fixed effects
 *   u[TERM:LEVEL]                                     random effects
 *   var[TERM], var[residual]                          variances
 *   var[genetic], h2                                  the marker sets' genetic variance and heritability
 *   prop[TERM], ratio[TERM]                           derived shares
 *   threshold[k], h2[observed]                        an ordinal trait's thresholds (k = 2 … K − 1; the
 *                                                     first is 0), a binary trait's observed-scale h²
 * A marker set is the term `markers` when it is the model's one unnamed set, and `markers:NAME`
 * otherwise; its parameters are named by {@link markerSetNames}.
 */

export const RESIDUAL = 'residual';
/** The genetic values' pseudo-term: var[genetic], and cov[genetic](a,b)/cor[genetic](a,b) with several traits. */
export const GENETIC = 'genetic';
export const VAR_RESIDUAL = 'var[residual]';
export const VAR_GENETIC = 'var[genetic]';
export const H2 = 'h2';
export const H2_OBSERVED = 'h2[observed]';

/** Threshold γ_k of an ordinal trait, between categories k and k + 1 (1-based). */
export function thresholdName(k: number): string {
  return `threshold[${k}]`;
}

export function fixedName(label: string): string {
  return `b[${label}]`;
}

export function levelName(term: string, level: string): string {
  return `u[${term}:${level}]`;
}

export function varianceName(term: string): string {
  return `var[${term}]`;
}

export function propName(term: string): string {
  return `prop[${term}]`;
}

export function ratioName(term: string): string {
  return `ratio[${term}]`;
}

/** The term of a variance parameter `var[TERM]`, or undefined. */
export function varianceTerm(name: string): string | undefined {
  return /^var\[(.+)\]$/.exec(name)?.[1];
}

/** Terms whose variance is not a random term's: the residual, the genetic variance and the marker sets. */
export function isRandomTerm(term: string): boolean {
  return term !== RESIDUAL && term !== GENETIC && !isMarkerTerm(term);
}

export function isMarkerTerm(term: string): boolean {
  return term === 'markers' || term.startsWith('markers:');
}

/** The term of a marker set: `markers` for the unnamed set, `markers:NAME` otherwise. */
export function markerTerm(name: string): string {
  return name === '' ? 'markers' : `markers:${name}`;
}

/** The names of one marker set's parameters and effects. */
export interface MarkerSetNames {
  /** '' for the model's one unnamed set. */
  readonly name: string;
  /** `markers` or `markers:NAME`. */
  readonly term: string;
  /** var[TERM]: the common marker variance (BRR, BayesC, BayesCπ) or BayesR's σ²g. */
  readonly variance: string;
  /** scale[TERM]: the scale S/ν of marker-specific variances (BayesA, BayesB). */
  readonly scale: string;
  /** π, the probability of a zero effect: `pi` or `pi[TERM]`. */
  readonly pi: string;
  /** The LASSO's λ: `lambda` or `lambda[TERM]`. */
  readonly lambda: string;
  /** The number of markers in the model: `markersIn` or `markersIn[TERM]`. */
  readonly markersIn: string;
  /** BayesR's class probability of class γ: `pi[γ]` or `pi[TERM:γ]`. */
  classPi(gamma: number): string;
  /** A marker's effect: `snp[ID]` or `snp[NAME:ID]`. */
  effect(id: string): string;
  /** A marker's inclusion probability: `pip[ID]` or `pip[NAME:ID]`. */
  pip(id: string): string;
}

export function markerSetNames(name: string): MarkerSetNames {
  const term = markerTerm(name);
  const single = name === '';
  const own = (base: string): string => (single ? base : `${base}[${term}]`);
  const prefix = single ? '' : `${name}:`;
  return {
    name,
    term,
    variance: varianceName(term),
    scale: `scale[${term}]`,
    pi: own('pi'),
    lambda: own('lambda'),
    markersIn: own('markersIn'),
    classPi: (gamma) => (single ? `pi[${gamma}]` : `pi[${term}:${gamma}]`),
    effect: (id) => `snp[${prefix}${id}]`,
    pip: (id) => `pip[${prefix}${id}]`,
  };
}

/**
 * Which derived quantities a set of traced names has (src/diagnostics/derived.ts): prop[TERM] and
 * ratio[TERM] for every random term's variance; the phenotypic variance also counts var[genetic];
 * h2 of the one genetic random term (an animal or genomic term), when the draws do not trace h2.
 */
export function derivedSpec(
  names: readonly string[],
  geneticTerms: readonly string[] = [],
): {
  residual: string;
  terms: { variance: string; prop: string; ratio: string }[];
  extra: string[];
  h2?: { variance: string; name: string };
} {
  const terms = names
    .map(varianceTerm)
    .filter((t): t is string => t !== undefined && isRandomTerm(t))
    .map((t) => ({ variance: varianceName(t), prop: propName(t), ratio: ratioName(t) }));
  const genetic = geneticTerms.map(varianceName).filter((v) => names.includes(v));
  return {
    residual: VAR_RESIDUAL,
    terms,
    extra: names.includes(VAR_GENETIC) ? [VAR_GENETIC] : [],
    ...(genetic.length === 1 ? { h2: { variance: genetic[0], name: H2 } } : {}),
  };
}

/*
 * Multivariate models (several traits, or random terms with several coefficients). A term's
 * components are its traits (intercepts only), its coefficients (one trait), or TRAIT:COEF (both):
 *   b[LABEL](TRAIT)                          a fixed effect of one trait (several traits)
 *   u[TERM:LEVEL](COMPONENT)                 a level's effect on one component
 *   var[TERM](C), cov[TERM](C1,C2), cor[TERM](C1,C2)
 *   var[residual](TRAIT), cov[residual](T1,T2), cor[residual](T1,T2)
 *   var[genetic](TRAIT), cov[genetic](T1,T2), cor[genetic](T1,T2), h2(TRAIT)
 */

/** The components of a term with `traits` and coefficients `coefs`, trait-major (trait s, coefficient c at s·nc + c). */
export function componentLabels(traits: readonly string[], coefs: readonly string[]): string[] {
  if (traits.length === 1) return [...coefs];
  if (coefs.length === 1 && coefs[0] === '(Intercept)') return [...traits];
  return traits.flatMap((t) => coefs.map((c) => `${t}:${c}`));
}

/** A name for one trait of a multi-trait model: `NAME(TRAIT)`; the name itself with one trait. */
export function ofTrait(name: string, trait: string, traits: number): string {
  return traits > 1 ? `${name}(${trait})` : name;
}

/** u[TERM:LEVEL](COMPONENT) (u[TERM:LEVEL] when the term has one component). */
export function levelComponentName(term: string, level: string, component: string, components: number): string {
  return components > 1 ? `${levelName(term, level)}(${component})` : levelName(term, level);
}

/** var[TERM](C) on the diagonal, cov[TERM](C1,C2) off it (var[TERM] for a one-component term). */
export function covarianceName(term: string, components: readonly string[], a: number, b: number): string {
  if (components.length === 1) return varianceName(term);
  return a === b ? `var[${term}](${components[a]})` : `cov[${term}](${components[a]},${components[b]})`;
}

/** The names of a covariance matrix's diagonal, in component order. */
export function diagonalNames(term: string, components: readonly string[]): string[] {
  return components.map((_, c) => covarianceName(term, components, c, c));
}

export function correlationName(term: string, components: readonly string[], a: number, b: number): string {
  return `cor[${term}](${components[a]},${components[b]})`;
}

/** The traced names a covariance matrix held fixed keeps constant: its elements and, when correlated, its correlations. */
export function fixedMatrixNames(term: string, components: readonly string[], correlated: boolean): string[] {
  const elements = covarianceElements(components.length, correlated);
  const out = elements.map(([a, b]) => covarianceName(term, components, a, b));
  for (const [a, b] of elements) if (a !== b) out.push(correlationName(term, components, a, b));
  return out;
}

/** The elements of a d × d covariance that are traced: the upper triangle row by row (diagonal only when uncorrelated). */
export function covarianceElements(d: number, correlated: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) if (correlated || a === b) out.push([a, b]);
  return out;
}
