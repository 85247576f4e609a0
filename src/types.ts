import type { MarkerSpec } from './blocks/markers/kernel.js';
import type { CovarianceSpec } from './reml/relationship.js';

export type { MarkerSpec, CovarianceSpec };

/**
 * Public types shared by the API, the CLI and the tests. A run is described by one JSON-serialisable
 * {@link RunSpec} (DESIGN.md "Conventions").
 */

/**
 * A scaled-inverse-χ² prior: σ² ~ Scaled-Inv-χ²(df, scale), density ∝ (σ²)^-(df/2+1) exp(−df·scale/(2σ²)).
 * BGLR's df0 = df and S0 = df·scale.
 */
export interface VariancePrior {
  df: number;
  scale: number;
}

/** Chain settings. Every field has a default (see DEFAULT_MCMC in src/model/spec.ts). */
export interface McmcConfig {
  chains?: number;
  /** Total iterations per chain, burn-in included (as BGLR's nIter). */
  iterations?: number;
  burnin?: number;
  thin?: number;
  seed?: number;
  /** Worker threads; 0 runs the chains in-process. */
  workers?: number;
  /** Random terms with at most this many levels have every level traced per draw; larger ones keep running moments only. */
  traceLevels?: number;
}

/** One phenotype row given in memory: column name -> value (null/undefined/NaN = missing). */
export type DataRow = Record<string, string | number | null | undefined>;

/** The run object (DESIGN.md). Paths are relative to `baseDir` (the config file's folder in the CLI). */
export interface RunSpec {
  /** Phenotype CSV path, or the rows themselves. */
  data: string | DataRow[];
  /** The id column linking records to genotypes/pedigree; optional for plain mixed models. */
  id?: string;
  formula: string;
  /** Columns to treat as factors even when every value is a number. */
  factors?: string[];
  /** Variance priors by term name ('residual', a random term's grouping variable, 'markers'). */
  priors?: Record<string, VariancePrior>;
  /** Variances held fixed at the given values, by term name. */
  fixedVariances?: Record<string, number>;
  mcmc?: McmcConfig;
  /** A marker regression term Mβ. */
  markers?: MarkerSpec;
  /** Known covariances of random terms, by term: {pedigree | relationship | genomic: file, blend?}. */
  covariance?: Record<string, CovarianceSpec>;
  /** Shorthand: the pedigree (id, sire, dam) of the term 'animal' (or of the only random term). */
  pedigree?: string;
  /** Shorthand: a relationship matrix CSV for the term 'animal' (or the only random term). */
  relationship?: string;
  /**
   * MME solver for `mixmc reml`: 'auto' (default: dense Cholesky up to 3,000 unknowns, sparse beyond),
   * 'cholesky', or an iterative one ('pcg', 'gauss-seidel'), which gives BLUE/BLUP when every variance
   * is fixed (fixedVariances) and no SE/PEV.
   */
  solver?: 'auto' | 'cholesky' | 'pcg' | 'gauss-seidel';
}

/** One row of a posterior summary (DESIGN.md). Undefined statistics are NaN. */
export interface SummaryRow {
  variable: string;
  mean: number;
  sd: number;
  median: number;
  lower: number;
  upper: number;
  hpdLower: number;
  hpdUpper: number;
  rhat: number;
  essBulk: number;
  essTail: number;
  mcseMean: number;
}

/** A warning about the data, the model or the chains, meant for the user. */
export interface RunWarning {
  /** What it is about: a parameter name, a file, or 'data'. */
  subject: string;
  message: string;
  /** Larger is worse; the CLI prints the worst first. */
  severity: number;
}

/** How a hyper-parameter was chosen, so it can always be reported. */
export interface PriorReport {
  term: string;
  df: number;
  scale: number;
  source: 'user' | 'default';
  /** The rule behind a default, with the numbers it used. */
  rule?: string;
}
