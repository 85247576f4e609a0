/**
 * The run spec a user writes (DESIGN.md "Conventions"): its types, re-exported by src/types.ts. A
 * leaf: it imports nothing.
 */

/**
 * A scaled-inverse-χ² prior: σ² ~ Scaled-Inv-χ²(df, scale), density ∝ (σ²)^-(df/2+1) exp(−df·scale/(2σ²)).
 * BGLR's df0 = df and S0 = df·scale.
 */
export interface VariancePrior {
  df: number;
  scale: number;
}

/**
 * The prior of a d × d covariance matrix: Σ ~ Inverse-Wishart(df, df·scale), density ∝
 * |Σ|^-(df+d+1)/2 exp(−tr(df·scale·Σ⁻¹)/2), so that d = 1 is Scaled-Inv-χ²(df, scale); df > d − 1.
 * For an uncorrelated term (`||`) each component's variance has Scaled-Inv-χ²(df, scale_c): give
 * `scale` as the d variances (or a diagonal matrix).
 */
export interface MatrixPrior {
  df: number;
  scale: number[][] | number[];
}

/** Chain settings. Every field has a default (DEFAULT_MCMC in src/model/defaults.ts). */
export interface McmcConfig {
  chains?: number;
  /** Total iterations per chain, burn-in included (as BGLR's nIter). */
  iterations?: number;
  burnin?: number;
  thin?: number;
  seed?: number;
  /** Worker threads; 0 runs the chains in-process; by default one per chain, up to the cores. */
  workers?: number;
  /** Random terms with at most this many levels have every level traced per draw; larger ones keep running moments only. */
  traceLevels?: number;
}

/** Chain settings with every default filled in (`workers` stays undefined for "one per chain, up to the cores"). */
export interface ResolvedMcmc {
  chains: number;
  iterations: number;
  burnin: number;
  thin: number;
  seed: number;
  workers?: number;
  traceLevels: number;
}

/** One phenotype row given in memory: column name -> value (null/undefined/NaN = missing). */
export type DataRow = Record<string, string | number | null | undefined>;

/** The canonical names of the marker priors (aliases such as BayesCπ, LASSO are accepted in a spec). */
export type MarkerPriorName = 'BRR' | 'BayesA' | 'BayesB' | 'BayesC' | 'BayesCpi' | 'BL' | 'BayesR';

/** What every marker set has, whatever its prior. */
export interface MarkerSetOptions {
  /**
   * The set's name. A set with a name is the term `markers:NAME` (`var[markers:NAME]`,
   * `snp[NAME:ID]`, …); the one unnamed set of a model is the term `markers` (`var[markers]`, `snp[ID]`).
   */
  name?: string;
  /** Genotypes: a PLINK .bed (with .bim/.fam beside it) or a CSV matrix. */
  file: string;
  /** Subtract column means (default true). */
  center?: boolean;
  /** Drop records whose id has no genotype instead of failing. */
  dropUngenotyped?: boolean;
  /** Keep every k-th kept draw of the effects (default 0: none; posterior means and SDs are always kept). */
  saveEffects?: number;
}

/** Options of the mixture priors: π is the prior probability that a marker has no effect. */
export interface PiOptions {
  pi?: number;
  /** Estimate π with a Beta prior. */
  estimatePi?: boolean;
  /** Beta(a, b) prior on π when estimated. */
  piPrior?: { a: number; b: number };
}

/** β_j ~ N(0, σ²β): Bayesian ridge regression. */
export interface BrrSpec extends MarkerSetOptions {
  prior: 'BRR';
}

/** β_j ~ N(0, σ²_j), σ²_j ~ S·Inv-χ²(ν), S ~ Gamma(shape, rate). */
export interface BayesASpec extends MarkerSetOptions {
  prior: 'BayesA';
  /** Gamma shape of the prior on S. */
  shape?: number;
}

/** BayesA's slab with a point mass at 0 of probability π. */
export interface BayesBSpec extends MarkerSetOptions, PiOptions {
  prior: 'BayesB';
  shape?: number;
}

/** β_j = δ_j b_j, b_j ~ N(0, σ²β), P(δ_j = 0) = π. */
export interface BayesCSpec extends MarkerSetOptions, PiOptions {
  prior: 'BayesC';
}

/** BayesC with π estimated by default. */
export interface BayesCpiSpec extends MarkerSetOptions, PiOptions {
  prior: 'BayesCpi';
}

/** The Bayesian LASSO: β_j ~ N(0, σ²e τ²_j), τ²_j ~ Exp(λ²/2), λ² ~ Gamma. */
export interface LassoSpec extends MarkerSetOptions {
  prior: 'BL';
  /** λ; with `lambdaPrior` it is the starting value. */
  lambda?: number;
  /** λ² ~ Gamma(shape, rate); `fixed` keeps λ at its value. */
  lambdaPrior?: { shape: number; rate: number } | 'fixed';
  /** Gamma shape of the default prior on λ². */
  shape?: number;
}

/** β_j ~ Σ_k π_k N(0, γ_k σ²g/v̄). */
export interface BayesRSpec extends MarkerSetOptions {
  prior: 'BayesR';
  /** The variance classes as multiples of σ²g (default [0, 1e-4, 1e-3, 1e-2]). */
  classes?: number[];
  /** Dirichlet prior counts of the classes (default all 1). */
  dirichlet?: number[];
}

/** A marker set Mβ with its prior: a discriminated union on `prior`. */
export type MarkerSpec = BrrSpec | BayesASpec | BayesBSpec | BayesCSpec | BayesCpiSpec | LassoSpec | BayesRSpec;

/** The covariance of a random term: a pedigree (A), a relationship matrix CSV, or VanRaden's G from genotypes. */
export type CovarianceSpec = { pedigree: string } | { relationship: string; blend?: number } | { genomic: string; blend?: number };

/** The MME solver of `mixmc reml`. */
export type Solver = 'auto' | 'cholesky' | 'pcg' | 'gauss-seidel';

/** The distribution of a response: Gaussian, or a threshold trait on a latent normal liability (src/model/family.ts). */
export type FamilyName = 'gaussian' | 'binary' | 'ordinal' | 'censored';

/** The columns holding a censored response's bounds (an empty cell or NA for an open side). */
export interface CensoringBounds {
  lower: string;
  upper: string;
}

/** The run object (DESIGN.md). Paths are relative to `baseDir` (the config file's folder in the CLI). */
export interface RunSpec {
  /** Phenotype CSV path, or the rows themselves. */
  data: string | DataRow[];
  /** The id column linking records to genotypes/pedigree; optional for plain mixed models. */
  id?: string;
  formula: string;
  /** Columns to treat as factors even when every value is a number. */
  factors?: string[];
  /**
   * Variance priors by term name ('residual', a random term's grouping variable, 'markers' or
   * 'markers:NAME'); a term with several components (traits, or coefficients) takes a MatrixPrior.
   */
  priors?: Record<string, VariancePrior | MatrixPrior>;
  /** Variances held fixed at the given values, by term name (a matrix for a term with several components). */
  fixedVariances?: Record<string, number | number[][]>;
  mcmc?: McmcConfig;
  /** Marker regressions Mβ: one set, or a list of named sets, each with its own prior. */
  markers?: MarkerSpec | MarkerSpec[];
  /** Known covariances of random terms, by term. */
  covariance?: Record<string, CovarianceSpec>;
  /** Shorthand: the pedigree (id, sire, dam) of the term 'animal' (or of the only random term). */
  pedigree?: string;
  /** Shorthand: a relationship matrix CSV for the term 'animal' (or the only random term). */
  relationship?: string;
  /**
   * MME solver for `mixmc reml`: 'auto' (default), 'cholesky', or an iterative one ('pcg',
   * 'gauss-seidel'), which gives BLUE/BLUP when every variance is fixed (fixedVariances) and no SE/PEV.
   */
  solver?: Solver;
  /**
   * The marker sweep kernel: 'auto' (default: WebAssembly SIMD where the runtime has it, else JS),
   * 'wasm' or 'js'. Both give the same draws; the environment variable MIXMC_KERNEL overrides it.
   */
  kernel?: 'auto' | 'wasm' | 'js';
  /** The response's family (default 'gaussian'); with several responses, a map from response to family. */
  family?: FamilyName | Record<string, FamilyName>;
  /** Ordinal or binary traits: the categories from low to high (default: sorted numbers, or R's factor order); a map by response with several. */
  categories?: string[] | Record<string, string[]>;
  /** Censored traits: the bound columns (records with a value in the response are exact); a map by response with several. */
  bounds?: CensoringBounds | Record<string, CensoringBounds>;
  /**
   * The update of an ordinal trait's thresholds: 'cowles' (default: Metropolis–Hastings with the
   * liabilities integrated out, Cowles 1996) or 'gibbs' (uniform given the liabilities, Albert & Chib
   * 1993; mixes slowly with many records, kept for comparison).
   */
  thresholds?: 'cowles' | 'gibbs';
  description?: string;
}
