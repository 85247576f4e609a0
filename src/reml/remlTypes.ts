/** What REML and BLUP return, and their options: shared by the single-trait and the multivariate engines. */
import type { Solver } from '../types.js';

export interface RemlOptions {
  method?: 'REML' | 'ML';
  maxIterations?: number;
  /** Converged when |Δℓ| < tol·max(1, |ℓ|) and every component changes by < sqrt(tol) relative (default 1e-9). */
  tol?: number;
  emIterations?: number;
  /** Starting variances by term ('residual' included); default var(y)/(K + 1) each. */
  start?: Record<string, number>;
  /** Include the marker sets as SNP-BLUP terms (K = I). */
  markers?: boolean;
  /**
   * true: the sparse factorisation; false: dense (only up to DENSE_REML_LIMIT unknowns). Default: dense
   * for small or dense systems (see {@link CFactorizer}), sparse otherwise.
   */
  sparse?: boolean;
}

export interface VarianceComponent {
  term: string;
  /** The posterior's name of the same quantity: var[TERM], or var[TERM](C) / cov[TERM](A,B) of a covariance matrix. */
  variable: string;
  estimate: number;
  se: number;
  /** The component went to the boundary (0) and was held there. */
  boundary: boolean;
}

export interface FixedEstimate {
  variable: string;
  estimate: number;
  se: number;
}

export interface RandomPrediction {
  variable: string;
  blup: number;
  pev: number;
  reliability: number;
}

export interface BlupResult {
  fixed: FixedEstimate[];
  random: RandomPrediction[];
  solver: Exclude<Solver, 'auto'>;
  /** Iterations of an iterative solver (0 for Cholesky). */
  solverIterations: number;
}

export interface RemlResult extends BlupResult {
  method: 'REML' | 'ML';
  varianceComponents: VarianceComponent[];
  /**
   * Sampling covariance of the variance components (the inverse average-information matrix), in the
   * order of varianceComponents; NaN in the rows and columns of a component held at the boundary.
   */
  covariance: number[][];
  logLik: number;
  iterations: number;
  converged: boolean;
  history: { iteration: number; logLik: number; change: number; step: number; kind: 'EM' | 'AI' }[];
}
