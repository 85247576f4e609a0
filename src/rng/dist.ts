/**
 * Random variates. Every function takes the uniform source first (DESIGN.md principle 5) and draws
 * only from it, so a chain's draws depend on its stream alone.
 */
import type { RandomSource, UniformSource } from './rng.js';

/**
 * Standard normal by Marsaglia's polar method. The second variate of each pair is discarded, so that
 * the generator state alone determines the next draw (no hidden cache to checkpoint).
 */
export function normal(rng: UniformSource): number {
  for (;;) {
    const v1 = 2 * rng.uniform() - 1;
    const v2 = 2 * rng.uniform() - 1;
    const s = v1 * v1 + v2 * v2;
    if (s > 0 && s < 1) return v1 * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * Gamma(shape, rate 1) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
 * For shape < 1 it uses Gamma(shape + 1) · U^(1/shape).
 */
export function gamma(rng: UniformSource, shape: number): number {
  if (!(shape > 0)) throw new Error(`gamma shape must be > 0, got ${shape}`);
  if (shape < 1) {
    const g = gamma(rng, shape + 1);
    return g * rng.uniform() ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** χ²(df) = 2 · Gamma(df/2). */
export function chiSquare(rng: UniformSource, df: number): number {
  return 2 * gamma(rng, df / 2);
}

/** Beta(a, b) = X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function beta(rng: UniformSource, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/**
 * Scaled-Inv-χ²(df, scale): density ∝ σ²^-(df/2+1) exp(−df·scale/(2σ²)), drawn as df·scale/χ²(df).
 * This is the conjugate full conditional of every variance (DESIGN.md conventions).
 */
export function scaledInvChiSquare(rng: UniformSource, df: number, scale: number): number {
  return (df * scale) / chiSquare(rng, df);
}

/**
 * Inverse Gaussian(mu, lambda) by Michael, Schucany & Haas (1976). Used by the Bayesian LASSO
 * (Park & Casella 2008) for 1/τ², where mu = sqrt(λ²σ²e/β²) is huge for β near 0.
 *
 * Their smaller root x = mu + mu²y/(2λ) − (mu/(2λ))·sqrt(4muλy + mu²y²), y ~ χ²₁, cancels
 * catastrophically when mu·y ≫ λ (it can come out 0 or negative, and a negative 1/τ² makes the next
 * β draw NaN). It is computed here as x = 4mu²λy/(s + mu·y)², s = sqrt(mu²y² + 4muλy), the same
 * number without the subtraction; for mu = ∞ this is the Lévy limit λ/y.
 */
export function inverseGaussian(rng: UniformSource, mu: number, lambda: number): number {
  const z = normal(rng);
  return inverseGaussianFrom(mu, lambda, z, rng.uniform());
}

/** Dirichlet(alpha) written into `out` (same length as alpha). */
export function dirichlet(rng: UniformSource, alpha: ArrayLike<number>, out: Float64Array): void {
  let sum = 0;
  for (let k = 0; k < alpha.length; k++) {
    out[k] = gamma(rng, alpha[k]);
    sum += out[k];
  }
  for (let k = 0; k < alpha.length; k++) out[k] /= sum;
}

/**
 * One slice-sampling update of a scalar x with log density logf (Neal 2003, "Slice sampling", Ann.
 * Statist. 31:705, figs. 3 and 5: stepping out with width w and at most maxSteps steps, then
 * shrinkage). It leaves the distribution invariant, so it can stand in for an exact draw in a Gibbs
 * sampler. logf must be finite at x0.
 */
export function sliceSample(rng: UniformSource, x0: number, logf: (x: number) => number, w: number, maxSteps = 32): number {
  const y = logf(x0) + Math.log(rng.uniform());
  let left = x0 - w * rng.uniform();
  let right = left + w;
  let j = Math.floor(maxSteps * rng.uniform());
  let k = maxSteps - 1 - j;
  while (j-- > 0 && logf(left) > y) left -= w;
  while (k-- > 0 && logf(right) > y) right += w;
  for (;;) {
    const x1 = left + rng.uniform() * (right - left);
    if (logf(x1) > y) return x1;
    if (x1 < x0) left = x1;
    else right = x1;
  }
}

/**
 * One attempt of Marsaglia & Tsang's (2000) Gamma(shape ≥ 1, rate 1) draw from a given standard normal
 * x and uniform u: the draw, or NaN when the attempt is rejected.
 */
export function gammaAttempt(shape: number, x: number, u: number): number {
  const d = shape - 1 / 3;
  return attemptWith(d, 1 / Math.sqrt(9 * d), x, u);
}

/** gammaAttempt with its constants d = shape − 1/3 and c = 1/sqrt(9d) given. */
function attemptWith(d: number, c: number, x: number, u: number): number {
  let v = 1 + c * x;
  if (v <= 0) return NaN;
  v = v * v * v;
  const x2 = x * x;
  if (u < 1 - 0.0331 * x2 * x2) return d * v;
  if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  return NaN;
}

/**
 * out[j] ~ χ²(df_j), df_j = base + extra[j] (base without extra), for j < out.length, drawn in bulk:
 * one Marsaglia–Tsang attempt (of Gamma(df_j/2), doubled) per value from bulk normals and uniforms
 * (scratch z and u, at least out.length long), then a scalar draw for each rejected attempt and each
 * df_j < 2, in order. The attempt's constants are computed for every value: a spike-and-slab prior's
 * marker variances take ν + 1 or ν degrees of freedom as δ_j is 1 or 0, as good as at random, and
 * remembering the constants of the last shapes cost more in mispredicted branches than a square root.
 * Mutates: out, z, u.
 */
export function chiSquares(rng: RandomSource, base: number, extra: Float64Array | undefined, out: Float64Array, z: Float64Array, u: Float64Array): void {
  const m = out.length;
  rng.normals(z, m);
  rng.uniforms(u, m);
  for (let j = 0; j < m; j++) {
    const shape = (extra ? base + extra[j] : base) / 2;
    out[j] = shape >= 1 ? 2 * gammaAttempt(shape, z[j], u[j]) : Number.NaN;
  }
  for (let j = 0; j < m; j++) if (Number.isNaN(out[j])) out[j] = 2 * gamma(rng, (extra ? base + extra[j] : base) / 2);
}

/**
 * Inverse Gaussian(mu, lambda) by Michael, Schucany & Haas (1976) from a given standard normal z and
 * uniform u (see inverseGaussian for the cancellation-free form).
 */
export function inverseGaussianFrom(mu: number, lambda: number, z: number, u: number): number {
  const y = z * z;
  if (!Number.isFinite(mu)) return lambda / y;
  if (y === 0) return mu;
  const my = mu * y;
  const s = Math.sqrt(my * my + 4 * mu * lambda * y);
  const x = (4 * mu * mu * lambda * y) / ((s + my) * (s + my));
  return u <= mu / (mu + x) ? x : (mu * mu) / x;
}

/**
 * Σ_{j<m} log(a + b_j²) through running products renormalised before they overflow: one log per
 * block of factors instead of one per factor. Each factor a + b² is at least a > 0.
 */
export function sumLogShifted(a: number, b: Float64Array, m = b.length): number {
  // factors are scaled by 1/a (so each is ≥ 1): Σ log(a + b²) = m·log a + Σ log(1 + b²/a)
  let total = 0;
  let prod = 1;
  const inv = 1 / a;
  for (let j = 0; j < m; j++) {
    const f = 1 + b[j] * b[j] * inv;
    if (f > 1e150) {
      total += Math.log(f);
      continue;
    }
    prod *= f;
    if (prod > 1e150) {
      total += Math.log(prod);
      prod = 1;
    }
  }
  return m * Math.log(a) + total + Math.log(prod);
}
