/** The public API of mixmc. */
export { fit, resumeFit, prepare, type FitOptions, type FitResult, type ChainDraws, type EffectSummary } from './fit.js';
export { ChainPool, defaultWorkers } from './parallel/pool.js';
export { MixmcError, isUserError } from './errors.js';
export { chainRng, chainKey, Rng } from './rng/rng.js';
export { summarizeChains, summarizeDrawSet, type DrawSet } from './diagnostics/summary.js';
export { readTable } from './io/csv.js';
export { parseFormula } from './model/formula.js';
export type * from './types.js';
export { predict, type Prediction } from './predict.js';
export { readGenotypes, type GenotypeTable } from './io/genotypes.js';
export { summarize, summarizeParallel, type Summary, type SummarizeOptions, type DrawsInput } from './summarize.js';
export { reml, blup, type RemlResult, type BlupResult, type RemlOptions, type Solver } from './reml/reml.js';
export { compare, type CompareResult } from './reml/compare.js';
/** The diagnostic kernels (R-hat, ESS, MCSE, HPD, Gelman–Rubin, Geweke, coda's effectiveSize, …) over chain × draw arrays. */
export * as diagnostics from './diagnostics/kernels.js';
