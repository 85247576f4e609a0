/**
 * Every public type of mixmc: the run spec a user writes (src/spec.ts, re-exported here), and the
 * shapes the API returns. A leaf (it imports only spec.ts), so every layer can use it.
 */

export type * from './spec.js';
import type { MarkerPriorName, ResolvedMcmc, RunSpec } from './spec.js';

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
  /**
   * For a variance with a conjugate prior Scaled-Inv-χ²(ν, s²): the posterior mean of the prior's
   * share of its full conditional's scale, ν s²/(ν s² + SS). Near 0 the data set the variance; above
   * 0.25 the prior does enough to move it (a warning says so).
   */
  priorShare?: number;
}

/** A warning about the data, the model or the chains, meant for the user. */
export interface RunWarning {
  /** What it is about: a parameter name, a file, or 'data'. */
  subject: string;
  message: string;
  /** Larger is worse; the CLI prints the worst first. */
  severity: number;
}

/** How a variance prior was chosen, so it can always be reported. */
export interface PriorReport {
  term: string;
  df: number;
  scale: number;
  source: 'user' | 'default';
  /** The rule behind a default, with the numbers it used. */
  rule?: string;
}

/** How a covariance prior was chosen, for run.json and summary.json. */
export interface MatrixPriorReport {
  term: string;
  components: string[];
  correlated: boolean;
  df: number;
  scale: number[][];
  source: 'user' | 'default';
  rule?: string;
  fixed?: number[][];
}

/** A marker set's prior as resolved: its hyper-parameters and the rule behind every default. */
export interface MarkerSetReport {
  /** The set's term: 'markers' or 'markers:NAME'. */
  term: string;
  prior: MarkerPriorName;
  /** The resolved hyper-parameters (plain numbers, by name). */
  hyper: object;
  rules: string[];
}

/** Draws of several parameters: chains[c][j] holds the draws of names[j] in chain c. */
export interface DrawSet {
  names: readonly string[];
  chains: readonly (readonly Float64Array[])[];
}

/** Posterior summaries with their warnings: what `fit` and `summarize` both return, and summary.json holds. */
export interface Summary {
  parameters: SummaryRow[];
  warnings: RunWarning[];
  meta: SummaryMeta;
  /** WAIC and DIC of a fit. */
  criteria?: ModelCriteria;
  /** The posterior predictive check of each trait (Gaussian, binary and ordinal; not censored). */
  ppc?: PredictiveCheck[];
}

/**
 * A posterior predictive check (blocks/replicates.ts): statistics T of the observed response beside
 * those of the data replicated at every kept draw, with ppp = P(T(yRep) ≥ T(y) | y), and the
 * response's histogram (or its categories' proportions) beside the replicates' mean and sd per bin.
 */
export interface PredictiveCheck {
  /** The trait, and its records with a value. */
  trait: string;
  records: number;
  /** Kept draws, over all chains, that replicated the data. */
  draws: number;
  statistics: { name: string; observed: number; replicatedMean: number; replicatedSd: number; ppp: number }[];
  histogram: {
    /** A Gaussian response's bin edges (one more than the bins). */
    edges?: number[];
    /** A threshold trait's categories. */
    categories?: string[];
    observed: number[];
    replicatedMean: number[];
    replicatedSd: number[];
  };
}

/** WAIC (with its SE) and DIC of a fit, over its records (diagnostics/criteria.ts). */
export interface ModelCriteria {
  records: number;
  waic: number;
  waicSe: number;
  /** Σ elpd_i = −WAIC/2. */
  elpdWaic: number;
  pWaic: number;
  lppd: number;
  dic: number;
  pD: number;
  /** D̄ = −2 Σ E[log p(y_i | θ)]. */
  meanDeviance: number;
}

/** A fit's per-record WAIC terms (pointwise.csv), for comparing fits of the same records. */
export interface PointwiseCriteria {
  ids: readonly string[];
  /** The record's response as the fit saw it (its category index for a threshold trait). */
  observed: Float64Array;
  lppd: Float64Array;
  pWaic: Float64Array;
  elpd: Float64Array;
  meanLogLik: Float64Array;
}

export interface SummaryMeta {
  chains: number;
  /** Kept draws of every chain, as read. */
  drawsPerChain: number[];
  /** Draws per chain that were summarised (the shortest chain's). */
  usedDraws: number;
  /** The run's settings, for a fit. */
  run?: {
    version: string;
    iterations: number;
    burnin: number;
    thin: number;
    seed: number;
    priors: PriorReport[];
    covariancePriors?: MatrixPriorReport[];
    fixedVariances: Record<string, number | number[][]>;
    records: number;
  };
}

/** A marker of a genotype file. */
export interface MarkerInfo {
  id: string;
  chr: string;
  pos: string;
  /** The counted allele (a .bim's A1; the genotype code is its count); absent for a CSV matrix. */
  a1?: string;
  /** The other allele (a .bim's A2). */
  a2?: string;
}

/** How the alleles of new genotypes were matched to a fitted marker set's (model/alleles.ts). */
export interface AlleleReport {
  /** Markers with alleles on both sides, checked. */
  checked: number;
  /** Markers matched by id only (one side has no alleles, e.g. a CSV matrix). */
  unchecked: number;
  /** Markers whose new file counts the other allele: their codes were flipped (c → 2 − c). */
  flipped: number;
  /** Markers given on the other strand (complementary alleles). */
  otherStrand: number;
  /** The first flipped markers (at most 10). */
  flippedMarkers: string[];
}

/** Saved draws of a marker set's effects: every `every`-th kept draw, `rows` of `size` Float32 values. */
export interface SavedEffects {
  every: number;
  size: number;
  rows: number;
  values: Float32Array;
}

/** The draws of one chain. */
export interface ChainDraws {
  /** 0-based chain index; its stream is chainRng(seed, chain). */
  chain: number;
  seed: number;
  /** The iteration number (1-based, burn-in included) of every kept draw. */
  iterations: number[];
  /** draws[j] holds the kept draws of the fit's params[j]. */
  draws: Float64Array[];
  /** Iterations completed. */
  completed: number;
  interrupted: boolean;
  /** Saved effect draws of each marker set (in the order of FitEffects.markerSets), where kept. */
  effects: (SavedEffects | undefined)[];
}

/** Posterior mean and SD of a high-dimensional quantity, pooled over chains. */
export interface EffectSummary {
  labels: readonly string[];
  mean: Float64Array;
  sd: Float64Array;
}

/** A random term's levels: posterior means and SDs, and reliabilities. */
export interface RandomEffects extends EffectSummary {
  term: string;
  /** The levels as they appear in the data (labels are u[TERM:LEVEL], or u[TERM:LEVEL](COMPONENT) level-major). */
  levels: readonly string[];
  /** The components of every level in a multivariate model (traits, coefficients, or TRAIT:COEF); empty otherwise. */
  components: readonly string[];
  /**
   * 1 − PEV/(σ²u·K_jj) per level, PEV the posterior variance of u_j, σ²u the posterior mean of
   * var[TERM] (or its fixed value) and K_jj the level's diagonal of its covariance (1 for iid), as
   * BLUPF90 and BGLR report them; 0 where the PEV exceeds σ²u·K_jj.
   */
  reliability: Float64Array;
}

/** A marker set of a fit: its markers, the centring used, and the posterior of its effects. */
export interface MarkerSetEffects {
  /** 'markers' or 'markers:NAME'. */
  term: string;
  /** The set's name ('' for the one unnamed set). */
  name: string;
  file: string;
  markers: readonly MarkerInfo[];
  /** Column means of the genotype codes (the value that imputes a missing genotype). */
  means: Float64Array;
  /** What was subtracted from each column (the means, or 0 with `center: false`). */
  center: Float64Array;
  effects: EffectSummary;
  /** Posterior inclusion probabilities (mixture priors). */
  pip?: EffectSummary;
  /** Several traits: effects (and PIPs) are marker-major, one per trait in this order. */
  traits?: readonly string[];
}

/** The high-dimensional results of a fit, by role. */
export interface FitEffects {
  /** One per random term, in formula order: the levels u[TERM:LEVEL]. */
  random: RandomEffects[];
  markerSets: MarkerSetEffects[];
  /** Genomic values Σ_s M_s β_s of the genotyped individuals (records first, then the others; trait-major with several traits). */
  gebv?: EffectSummary & { traits?: readonly string[] };
  /**
   * Fitted values of the records in the likelihood, beside their observed response; with several
   * traits, trait-major (every record of the first trait, then the second, …), with the trait of each
   * row (a missing trait's fitted value is its prediction, and `observed` is NaN).
   */
  fitted: EffectSummary & {
    observed: Float64Array;
    traits?: readonly string[];
    /** A threshold trait: each record's category label (observed holds its index). */
    observedCategory?: readonly string[];
    /** A censored trait: each record's bounds (equal for an exact value; ±Infinity for an open side). */
    bounds?: { lower: Float64Array; upper: Float64Array };
    categories?: CategoryProbabilities;
  };
  /** Predictions of the records whose response (every trait) is missing; trait-major with several traits. */
  predicted?: EffectSummary & { traits?: readonly string[]; categories?: CategoryProbabilities };
  /** Per-record WAIC terms. */
  pointwise?: PointwiseCriteria;
}

/** A threshold trait's category probabilities: the posterior mean of P(category | μ) per record, record-major (mean[i·K + c]). */
export interface CategoryProbabilities {
  names: readonly string[];
  mean: Float64Array;
}

/** What a fit was: the spec and everything resolved from it. */
export interface RunInfo {
  spec: RunSpec;
  mcmc: ResolvedMcmc;
  /** Every variance prior, with its rule. */
  priors: PriorReport[];
  markerSets: MarkerSetReport[];
  fixedVariances: Record<string, number | number[][]>;
  /** The covariance-matrix priors of a multivariate model. */
  covariancePriors?: MatrixPriorReport[];
  /** Random terms with a pedigree or genomic covariance (h2 is derived for one such term). */
  geneticTerms: string[];
  /** The traced parameters held fixed (a fixed variance, a fixed matrix's elements and correlations, a liability's unit variance). */
  heldFixed: string[];
  response: string;
  /** Records in the likelihood. */
  records: number;
  /** The marker sweep kernel the chains used (both give the same draws). */
  kernel: 'wasm' | 'js';
}

/** A chain that failed: the others' results are kept. */
export interface ChainFailure {
  chain: number;
  seed: number;
  message: string;
  /** The cause was the user's or the machine's (a file it could not write or use), not a bug. */
  environment: boolean;
}

/** The result of `fit`. */
export interface FitResult {
  run: RunInfo;
  /** Names of the traced parameters, in the order of every chain's draws. */
  params: readonly string[];
  chains: ChainDraws[];
  summary: Summary;
  effects: FitEffects;
  failures: ChainFailure[];
  interrupted: boolean;
}

/** Progress of one chain, as `fit` reports it through `onProgress`. */
export interface ProgressEvent {
  /** 0-based chain index. */
  chain: number;
  /** Iterations completed (a chain reports its first iteration, 0 or a resumed chain's checkpoint, when it starts). */
  iteration: number;
  /** Iterations the chain will run. */
  iterations: number;
  /** Chains in the run. */
  chains: number;
}

/** What one chain reports (the run adds the number of chains). */
export type ChainProgress = Omit<ProgressEvent, 'chains'>;

/** GEBVs of new individuals. */
export interface Prediction {
  ids: string[];
  /** One per individual, or with `traits` one per individual and trait, trait-major (every individual of the first trait, then the second, …). */
  mean: Float64Array;
  sd: Float64Array;
  /** The traits of a multi-trait model. */
  traits?: readonly string[];
  /** Number of posterior draws of β used (0: means only, from the posterior mean of β). */
  draws: number;
  /** How each marker set's alleles were matched, by set term. */
  alleles: ({ term: string } & AlleleReport)[];
}
