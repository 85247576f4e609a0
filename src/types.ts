/**
 * Every public type of mixmc: the run spec a user writes (DESIGN.md "Conventions"), and the shapes
 * the API returns. A leaf: it imports nothing, so every layer can use it.
 */

/**
 * A scaled-inverse-χ² prior: σ² ~ Scaled-Inv-χ²(df, scale), density ∝ (σ²)^-(df/2+1) exp(−df·scale/(2σ²)).
 * BGLR's df0 = df and S0 = df·scale.
 */
export interface VariancePrior {
  df: number;
  scale: number;
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

/** The run object (DESIGN.md). Paths are relative to `baseDir` (the config file's folder in the CLI). */
export interface RunSpec {
  /** Phenotype CSV path, or the rows themselves. */
  data: string | DataRow[];
  /** The id column linking records to genotypes/pedigree; optional for plain mixed models. */
  id?: string;
  formula: string;
  /** Columns to treat as factors even when every value is a number. */
  factors?: string[];
  /** Variance priors by term name ('residual', a random term's grouping variable, 'markers' or 'markers:NAME'). */
  priors?: Record<string, VariancePrior>;
  /** Variances held fixed at the given values, by term name. */
  fixedVariances?: Record<string, number>;
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
  description?: string;
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

/** How a variance prior was chosen, so it can always be reported. */
export interface PriorReport {
  term: string;
  df: number;
  scale: number;
  source: 'user' | 'default';
  /** The rule behind a default, with the numbers it used. */
  rule?: string;
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
    fixedVariances: Record<string, number>;
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
  /** The levels as they appear in the data (labels are u[TERM:LEVEL]). */
  levels: readonly string[];
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
}

/** The high-dimensional results of a fit, by role. */
export interface FitEffects {
  /** One per random term, in formula order: the levels u[TERM:LEVEL]. */
  random: RandomEffects[];
  markerSets: MarkerSetEffects[];
  /** Genomic values Σ_s M_s β_s of the genotyped individuals (records first, then the others). */
  gebv?: EffectSummary;
  /** Fitted values of the records in the likelihood, beside their observed response. */
  fitted: EffectSummary & { observed: Float64Array };
  /** Predictions of the records whose response is missing. */
  predicted?: EffectSummary;
}

/** What a fit was: the spec and everything resolved from it. */
export interface RunInfo {
  spec: RunSpec;
  mcmc: ResolvedMcmc;
  /** Every variance prior, with its rule. */
  priors: PriorReport[];
  markerSets: MarkerSetReport[];
  fixedVariances: Record<string, number>;
  /** Random terms with a pedigree or genomic covariance (h2 is derived for one such term). */
  geneticTerms: string[];
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
  mean: Float64Array;
  sd: Float64Array;
  /** Number of posterior draws of β used (0: means only, from the posterior mean of β). */
  draws: number;
  /** How each marker set's alleles were matched, by set term. */
  alleles: ({ term: string } & AlleleReport)[];
}
