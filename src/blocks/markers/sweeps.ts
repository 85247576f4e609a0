/**
 * The single-site sweeps over every marker of a set (Pérez & de los Campos 2014, BGLR's sample_beta;
 * Habier et al. 2011 for the spike-and-slab): one pass over the columns, each marker's residual update
 * fused with the next one's dot product (ResidualUpdates). No allocation.
 */
import type { MarkerDesign } from '../../model/markers.js';
import { beta, normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';
import type { ResidualUpdates } from './columns.js';

/**
 * One sweep with every marker in the model, β_j ~ N(0, σ²e·v_j/ridge):
 *   β_j | rest ~ N( r_j/c_j, σ²e/c_j ),  c_j = x_j'x_j + ridge/v_j,  r_j = x_j'e + x_j'x_j β_j
 * with v_j = prior[0] for all j when `common`, else prior[j]. BRR and BayesA pass the marker
 * variances and ridge = σ²e (c_j = x_j'x_j + σ²e/σ²_j); the Bayesian LASSO passes τ²_j and ridge = 1
 * (its prior β_j ~ N(0, σ²e τ²_j); Park & Casella 2008).
 * Mutates: beta, e (the pending update is flushed at the end).
 */
export function normalSweep(
  md: MarkerDesign,
  e: Float64Array,
  beta: Float64Array,
  prior: Float64Array,
  common: boolean,
  ridge: number,
  varE: number,
  rng: UniformSource,
  updates: ResidualUpdates,
): void {
  const { x, xx, n, p } = md;
  for (let j = 0; j < p; j++) {
    const off = j * n;
    const c = xx[j] + ridge / prior[common ? 0 : j];
    const r = updates.dot(x, off, e, n) + xx[j] * beta[j];
    const bNew = r / c + Math.sqrt(varE / c) * normal(rng);
    updates.add(off, beta[j] - bNew, x, e, n);
    beta[j] = bNew;
  }
  updates.flush(x, e, n);
}

/**
 * One sweep of a spike-and-slab prior, parameterised as BGLR does: β_j = δ_j·b_j with
 * b_j ~ N(0, σ²_j) and P(δ_j = 0) = π. The indicator is drawn with b_j integrated out:
 *   log[P(δ_j=1 | rest)/P(δ_j=0 | rest)] = log((1−π)/π) + r_j²/(2σ²e c_j) − ½ log(c_j σ²_j/σ²e),
 *   c_j = x_j'x_j + σ²e/σ²_j,  r_j = x_j'e + x_j'x_j β_j,
 * then b_j | δ_j=1 ~ N(r_j/c_j, σ²e/c_j) and b_j | δ_j=0 ~ N(0, σ²_j) (its prior, which keeps the
 * variance updates well mixed). σ²_j = priorVar[0] when `common` (BayesC), else priorVar[j] (BayesB).
 * Mutates: beta, b, delta, e.
 */
export function mixtureSweep(
  md: MarkerDesign,
  e: Float64Array,
  beta: Float64Array,
  b: Float64Array,
  delta: Float64Array,
  priorVar: Float64Array,
  common: boolean,
  varE: number,
  pi: number,
  rng: UniformSource,
  updates: ResidualUpdates,
): void {
  const { x, xx, n, p } = md;
  const logPriorOdds = Math.log((1 - pi) / pi);
  for (let j = 0; j < p; j++) {
    const off = j * n;
    const vj = priorVar[common ? 0 : j];
    const c = xx[j] + varE / vj;
    const r = updates.dot(x, off, e, n) + xx[j] * beta[j];
    const logOdds = logPriorOdds + (r * r) / (2 * varE * c) - 0.5 * Math.log((c * vj) / varE);
    const pIn = 1 / (1 + Math.exp(-logOdds));
    const old = beta[j];
    if (rng.uniform() < pIn) {
      delta[j] = 1;
      b[j] = r / c + Math.sqrt(varE / c) * normal(rng);
      beta[j] = b[j];
    } else {
      delta[j] = 0;
      b[j] = Math.sqrt(vj) * normal(rng);
      beta[j] = 0;
    }
    updates.add(off, old - beta[j], x, e, n);
  }
  updates.flush(x, e, n);
}

/** π | δ ~ Beta(a + #out, b + #in), π the probability of a zero effect. */
export function drawPi(delta: Float64Array, a: number, bPrior: number, rng: UniformSource): number {
  let nIn = 0;
  for (let j = 0; j < delta.length; j++) nIn += delta[j];
  return beta(rng, a + delta.length - nIn, bPrior + nIn);
}
