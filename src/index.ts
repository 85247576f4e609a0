/** The public API of mixmc: everything a caller uses, and every type a caller sees. */
export { compare, type CompareOptions } from './api/compare.js';
export { cv, type CvFold, type CvOptions, type CvPrediction, type CvResult } from './api/cv.js';
export { sbc, type SbcOptions, type SbcParameter, type SbcResult } from './api/sbc.js';
export { readPlan, type BatchJob, type JobKind, type JobOptions } from './batch/plan.js';
export { batchStatus, runBatchLocally, runJob, type JobOutcome, type JobRecord, type JobState } from './batch/jobs.js';
export { enqueue, parseQueueUrl, work, type WorkOptions } from './batch/queue.js';
export { fit, resumeFit, type ResumeOptions } from './api/fit.js';
export { predict, type NewGenotypes } from './api/predict.js';
export { models, type ModelRanking, type RankedModel } from './api/models.js';
export { windows, type WindowOptions, type WindowResult, type WindowRow } from './api/windows.js';
export { report, type ReportOptions } from './api/report.js';
export { summarize, summarizeParallel, type ArrayDraws, type DrawsInput, type SummarizeOptions } from './api/summarize.js';
export { prepare, type PreparedModel, type PrepareOptions } from './blocks/plan.js';
export type { MarkerPlan } from './blocks/registry.js';
export type { ChainLayout, SamplerSettings, TrackerRoles } from './blocks/sampler.js';
export { summarizeChains, summarizeDrawSet } from './diagnostics/summary.js';
/** The diagnostic kernels (R-hat, ESS, MCSE, HPD, Gelman–Rubin, Geweke, coda's effectiveSize, …) over chain × draw arrays. */
export * as diagnostics from './diagnostics/kernels.js';
export { isUserError, MixmcError, type ErrorLocation } from './errors.js';
export { readTable, type Table } from './io/csv.js';
export { readGenotypes, type GenotypeTable } from './io/genotypes.js';
export { readJsonFile } from './io/json.js';
export type { Covariance } from './model/covariance.js';
export type { Design, FixedDesign, PredictDesign, RandomDesign } from './model/design.js';
export { parseFormula, type FixedTerm, type Formula, type RandomTerm } from './model/formula.js';
export type { MarkerDesign } from './model/markers.js';
export { DEFAULT_MCMC } from './model/defaults.js';
export { runSpecSchema } from './model/schema.js';
export type { ResolvedSpec } from './model/spec.js';
export { csvField, csvNumber, csvValue, writeFileAtomic } from './output/files.js';
export { toJson } from './output/runDir.js';
export { ChainPool, defaultWorkers } from './parallel/pool.js';
export type { CompareResult } from './reml/compare.js';
export {
  blup,
  multiBlupAt,
  reml,
  requireGaussian,
  type BlupResult,
  type FixedEstimate,
  type RandomPrediction,
  type RemlOptions,
  type RemlResult,
  type VarianceComponent,
} from './reml/reml.js';
export { chainKey, chainRng, Rng, type UniformSource } from './rng/rng.js';
export type { FitOptions } from './run/fitModel.js';
export type * from './types.js';
export { VERSION } from './version.js';
