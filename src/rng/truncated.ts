/**
 * The normal distribution function and the truncated normal, accurate far in the tails, for the
 * liabilities of threshold traits (Albert & Chib 1993) and the probabilities of their categories.
 *
 * Φ(x) on [−8, 0] from a table at the points x_k = −8 + k/256 and the Taylor series
 * Φ(x_k + h) = Φ(x_k) + φ(x_k) Σ_{j≥0} (−1)^j He_j(x_k) h^{j+1}/(j+1)!  (|h| ≤ 1/512; φ^(j) = (−1)^j He_j φ,
 * He the Hermite polynomials, He_{j+1} = x He_j − j He_{j−1}), seven terms stored per point, which
 * leave a relative error below 1e-15 for a Horner polynomial's cost; the other half by Φ(x) = 1 − Φ(−x), and
 * the upper tail Q(t) = 1 − Φ(t) as Φ(−t), so that tail probabilities keep their relative accuracy. The
 * table is computed once from erf's Taylor series (|x| < 2) and, beyond, from the Mills ratio
 * M(t) = (1 − Φ(t))/φ(t) by Laplace's continued fraction M(t) = 1/(t + 1/(t + 2/(t + 3/(t + …))))
 * (modified Lentz; Press et al., Numerical Recipes, §5.2), which also serves |x| > 8 and the
 * logarithms of far tails without cancellation or underflow.
 *
 * N(0, 1) truncated to [a, b], by symmetry with a ≥ 0 or a < 0 < b:
 * - a ≤ 8: inversion, z = Q⁻¹(Q(a) − u·(Q(a) − Q(b))) (or Φ⁻¹ of the lower side's probability when
 *   the interval holds 0, from the side nearer to u's point), one uniform per draw; Q⁻¹ is R's
 *   qnorm (Wichura's AS 241), accurate to 1e-16 relative for probabilities down to 1e-300;
 * - a > 8 (Q(a) < 7e-16, where the inversion's probabilities lose their digits): Robert (1995,
 *   "Simulation of truncated normal variables", Statistics and Computing 5:121), z = a + Exp(λ),
 *   λ = (a + √(a² + 4))/2, accepted with probability exp(−(z − λ)²/2) and rejected beyond b when
 *   b − a ≥ 1/λ, else z ~ U(a, b) accepted with probability exp((a² − z²)/2) — exact rejection
 *   samplers, efficient however far out a is (a = 40 accepts about 99.9% of proposals).
 */
import { qnorm } from '../numbers.js';
import type { UniformSource } from './rng.js';

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erf(z) by its Taylor series Σ (−1)ⁿ z^(2n+1)/(n!(2n+1)) · 2/√π (used for |z| < √2). */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= -z2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** The Mills ratio M(t) = (1 − Φ(t))/φ(t) for t ≥ 2, by Laplace's continued fraction (modified Lentz; at most ~110 terms). */
function millsRatio(t: number): number {
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    d = t + k * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = t + k / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
}

/** log φ(x). */
function logDensity(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/** 1 − Φ(t) from erf's series and the Mills ratio: the table's source, and the function beyond it. */
function referenceUpper(t: number): number {
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  if (t >= 2) return Math.exp(logDensity(t)) * millsRatio(t);
  if (t <= -2) return 1 - Math.exp(logDensity(t)) * millsRatio(-t);
  return 0.5 * (1 - erfSeries(t / SQRT2));
}

/** Table points per unit, the table's extent [−TABLE_END, 0], and the Taylor terms kept (|h| ≤ 1/512: the next is below 1e-16 relative). */
const PER_UNIT = 256;
const TABLE_END = 8;
const TERMS = 7;
const STRIDE = TERMS + 1;

/**
 * Per table point x_k: Φ(x_k), then the Taylor coefficients c_m = φ(x_k)(−1)^m He_m(x_k)/(m + 1)!, so
 * that Φ(x_k + h) = Φ(x_k) + h(c_0 + h(c_1 + … + h·c_6)).
 */
const TABLE = ((): Float64Array => {
  const points = TABLE_END * PER_UNIT + 1;
  const table = new Float64Array(points * STRIDE);
  for (let k = 0; k < points; k++) {
    const x = -TABLE_END + k / PER_UNIT;
    const density = Math.exp(logDensity(x));
    table[k * STRIDE] = referenceUpper(-x);
    let previous = 0;
    let he = 1;
    let factorial = 1;
    for (let m = 0; m < TERMS; m++) {
      factorial *= m + 1;
      table[k * STRIDE + 1 + m] = (density * (m % 2 === 0 ? he : -he)) / factorial;
      const next = x * he - m * previous;
      previous = he;
      he = next;
    }
  }
  return table;
})();

/** Φ(x) for −8 ≤ x ≤ 0 by the table and its Taylor polynomial (module comment). */
function lowerTail(x: number): number {
  const k = Math.round((x + TABLE_END) * PER_UNIT);
  const h = x - (-TABLE_END + k / PER_UNIT);
  const o = k * STRIDE;
  let poly = TABLE[o + TERMS];
  for (let m = TERMS - 1; m >= 1; m--) poly = TABLE[o + m] + h * poly;
  return TABLE[o] + h * poly;
}

/** 1 − Φ(t), the upper tail, without cancellation. */
export function normalUpper(t: number): number {
  if (t >= 0) return t <= TABLE_END ? lowerTail(-t) : referenceUpper(t);
  if (t >= -TABLE_END) return 1 - lowerTail(t);
  return referenceUpper(t);
}

/** Φ(x). */
export function normalCdf(x: number): number {
  return normalUpper(-x);
}

/** log Φ(x), finite however negative x is. */
export function logNormalCdf(x: number): number {
  if (x < -TABLE_END) return logDensity(x) + Math.log(millsRatio(-x));
  return Math.log(normalCdf(x));
}

/** P(a < Z < b) for Z ~ N(0, 1), computed on the side of the interval that avoids cancellation. */
export function normalInterval(a: number, b: number): number {
  if (a >= 0) return normalUpper(a) - normalUpper(b);
  if (b <= 0) return normalUpper(-b) - normalUpper(-a);
  return 1 - normalUpper(b) - normalUpper(-a);
}

/** log P(a < Z < b), finite however far in a tail the interval lies. */
export function logNormalInterval(a: number, b: number): number {
  if (a > 0) return logUpperDifference(a, b);
  if (b < 0) return logUpperDifference(-b, -a);
  return Math.log(normalInterval(a, b));
}

/** log(Q(a) − Q(b)) for 0 ≤ a < b, Q the upper tail: directly while Q(a) is in the table's range, beyond as log Q(a) + log(1 − Q(b)/Q(a)). */
function logUpperDifference(a: number, b: number): number {
  if (a <= TABLE_END) return Math.log(normalUpper(a) - normalUpper(b));
  const logQ = (t: number): number => (t === Infinity ? -Infinity : t > TABLE_END ? logDensity(t) + Math.log(millsRatio(t)) : Math.log(normalUpper(t)));
  const la = logQ(a);
  const lb = logQ(b);
  return la + Math.log1p(-Math.exp(lb - la));
}

/** A draw of N(0, 1) truncated to [a, b], a ≥ 0 (Robert 1995). */
function rightSide(rng: UniformSource, a: number, b: number): number {
  const lambda = (a + Math.sqrt(a * a + 4)) / 2;
  if (b - a >= 1 / lambda) {
    for (;;) {
      const z = a - Math.log(1 - rng.uniform()) / lambda;
      if (z > b) continue;
      if (Math.log(1 - rng.uniform()) <= -0.5 * (z - lambda) * (z - lambda)) return z;
    }
  }
  for (;;) {
    const z = a + (b - a) * rng.uniform();
    if (Math.log(1 - rng.uniform()) <= 0.5 * (a * a - z * z)) return z;
  }
}

/** A draw of N(0, 1) truncated to [a, b], a ≥ 0: inversion of the upper tail up to a = 8, Robert's samplers beyond. */
function upperSide(rng: UniformSource, a: number, b: number): number {
  if (a > TABLE_END) return rightSide(rng, a, b);
  const qa = normalUpper(a);
  const z = -qnorm(qa - rng.uniform() * (qa - normalUpper(b)));
  return Math.min(Math.max(z, a), b);
}

/** A draw of N(0, 1) truncated to [a, b] (a < b; either may be infinite). */
export function standardTruncatedNormal(rng: UniformSource, a: number, b: number): number {
  if (!(a < b)) throw new Error(`a truncated normal needs a < b (got [${a}, ${b}])`);
  if (a >= 0) return upperSide(rng, a, b);
  if (b <= 0) return -upperSide(rng, -b, -a);
  // a < 0 < b: the point u of the way through the interval's mass, found from the nearer tail
  const below = normalUpper(-a);
  const above = normalUpper(b);
  const mass = 1 - below - above;
  const u = rng.uniform();
  const left = below + u * mass;
  const z = left <= 0.5 ? qnorm(left) : -qnorm(above + (1 - u) * mass);
  return Math.min(Math.max(z, a), b);
}

/**
 * A draw of N(0, 1) truncated to [a, b] that first tries z, a standard normal drawn beforehand (in
 * bulk, which costs a fraction of a truncated draw): z is kept when it falls inside, and otherwise a
 * fresh draw is made. Exact: the kept z is N(0, 1) conditioned on [a, b], and so is the fresh draw.
 */
export function truncatedFromNormal(rng: UniformSource, z: number, a: number, b: number): number {
  return z >= a && z <= b && a < b ? z : standardTruncatedNormal(rng, a, b);
}

/** A draw of N(mean, sd²) truncated to [lower, upper]. */
export function truncatedNormal(rng: UniformSource, mean: number, sd: number, lower: number, upper: number): number {
  return mean + sd * standardTruncatedNormal(rng, (lower - mean) / sd, (upper - mean) / sd);
}
