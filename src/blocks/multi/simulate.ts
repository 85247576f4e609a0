/**
 * Data from the prior of a multivariate model, for simulation-based calibration (api/sbc.ts): each
 * covariance matrix Σ from its prior — Inverse-Wishart(ν, ν·S), or for an uncorrelated (`||`) term
 * each Σ_cc ~ Scaled-Inv-χ²(ν, S_cc), or held at its fixed value — then u_l ~ N(0, G_k) per level of
 * random term k (vec U ~ N(0, G_k ⊗ K) for a term with covariance K, as U = L_K W with W's rows
 * N(0, G_k) and K = L_K L_K'), β_j ~ N(0, Σβ) per marker of a BRR set — or for a BayesC set
 * (JWAS's multi-trait BayesC) Π over the 2ᵗ patterns from its Dirichlet prior when it is drawn (else
 * its fixed value), a pattern δ_j ~ Categorical(Π) and b_j ~ N(0, Σβ) per marker, β_j = δ_j ∘ b_j —
 * e_i ~ N(0, R0) per record, and
 *   y_is = Σ_k Σ_c z_ic u_{l(i),(s,c)} + Σ_j x_ij β_js + e_is
 * on the design's records (every trait; the sampler ignores the values of missing traits). The fixed
 * effects are 0 (see api/sbc.ts). The truth holds every drawn element and correlation under its
 * traced name, Π and the markers in per trait, and every random-effect level.
 */
import { MixmcError } from '../../errors.js';
import { choleskyInPlace, lowerTimes } from '../../linalg/dense.js';
import type { Design } from '../../model/design.js';
import type { CovarianceSetting } from '../../model/matrixPriors.js';
import { axpyColumn } from '../../model/markers.js';
import { componentLabels, correlationName, covarianceElements, covarianceName, levelComponentName } from '../../model/names.js';
import { dirichlet, normal, scaledInvChiSquare } from '../../rng/dist.js';
import type { RandomSource } from '../../rng/rng.js';
import { multiMarkerParams } from './markers.js';
import type { MultiSettings } from './sampler.js';
import { InverseWishart } from './wishart.js';

/** What a multivariate model needs to be simulated: Gaussian traits. @throws MixmcError otherwise. */
export function checkMultiSimulation(design: Design): void {
  const other = design.traits.families.findIndex((f) => f.kind !== 'gaussian');
  if (other >= 0)
    throw new MixmcError(`sbc simulates Gaussian responses; '${design.traits.names[other]}' is ${design.traits.families[other].kind}`, { term: 'family' });
}

/** One matrix from its prior (or fixed), row-major, its elements and correlations recorded in truth. */
function drawMatrix(setting: CovarianceSetting, rng: RandomSource, truth: Record<string, number>): Float64Array {
  const { term, components, correlated, df, scale, fixed } = setting;
  const d = components.length;
  if (fixed) return Float64Array.from(fixed);
  const out = new Float64Array(d * d);
  if (correlated) {
    new InverseWishart(d).draw(
      rng,
      df,
      Float64Array.from(scale, (v) => df * v),
      out,
    );
  } else {
    for (let c = 0; c < d; c++) out[c * d + c] = scaledInvChiSquare(rng, df, scale[c * d + c]);
  }
  for (const [a, b] of covarianceElements(d, correlated)) {
    truth[covarianceName(term, components, a, b)] = out[a * d + b];
    if (a !== b) truth[correlationName(term, components, a, b)] = out[a * d + b] / Math.sqrt(out[a * d + a] * out[b * d + b]);
  }
  return out;
}

/** out = L z, z standard normals, L the Cholesky factor of Σ (d × d). Mutates: z, out. */
function correlatedNormals(l: Float64Array, d: number, rng: RandomSource, z: Float64Array, out: Float64Array): void {
  for (let a = 0; a < d; a++) z[a] = normal(rng);
  lowerTimes(l, d, z, out);
}

/** k with probability p[k] (p sums to 1): by inverting one uniform over the categories in order. */
function categorical(p: Float64Array, rng: RandomSource): number {
  let left = rng.uniform();
  for (let k = 0; k < p.length - 1; k++) {
    left -= p[k];
    if (left < 0) return k;
  }
  return p.length - 1;
}

/** The lower Cholesky factor of a drawn matrix (positive definite by construction; lowerTimes reads only its lower triangle). */
function factor(sigma: Float64Array, d: number): Float64Array {
  const l = Float64Array.from(sigma);
  choleskyInPlace(l, d);
  return l;
}

/** A response (t·n, trait-major) and the truth, drawn from the model's priors (module comment). */
export function simulateMulti(
  design: Design,
  multi: MultiSettings,
  rng: RandomSource,
  factors: readonly (Float64Array | undefined)[],
): { y: Float64Array; truth: Record<string, number> } {
  const { n } = design;
  const { t, names: traits } = design.traits;
  const truth: Record<string, number> = {};
  const y = new Float64Array(t * n);
  design.random.forEach((r, k) => {
    const nc = r.coefs.length;
    const d = t * nc;
    const l = factor(drawMatrix(multi.terms[k], rng, truth), d);
    const components = componentLabels(traits, r.coefs);
    const u = new Float64Array(r.q * d);
    const z = new Float64Array(d);
    for (let level = 0; level < r.q; level++) correlatedNormals(l, d, rng, z, u.subarray(level * d, (level + 1) * d));
    // a term with covariance K: U = L_K W (rows the levels), so that Cov(u_l, u_m) = K_lm G
    const lk = factors[k];
    if (lk) {
      for (let a = r.q - 1; a >= 0; a--) {
        for (let x = 0; x < d; x++) {
          let v = 0;
          for (let b = 0; b <= a; b++) v += lk[a * r.q + b] * u[b * d + x];
          u[a * d + x] = v;
        }
      }
    }
    for (let level = 0; level < r.q; level++) {
      components.forEach((c, x) => {
        truth[levelComponentName(r.term, r.levels[level], c, d)] = u[level * d + x];
      });
    }
    for (let i = 0; i < n; i++) {
      for (let s = 0; s < t; s++) {
        for (let c = 0; c < nc; c++) y[s * n + i] += (r.z ? r.z[i * nc + c] : 1) * u[r.level[i] * d + s * nc + c];
      }
    }
  });
  const residual = factor(drawMatrix(multi.residual, rng, truth), t);
  design.markers.forEach((md, m) => {
    const plan = multi.markers[m];
    const l = factor(drawMatrix(plan.covariance, rng, truth), t);
    const names = multiMarkerParams(plan, md, traits);
    let at = covarianceElements(t, plan.covariance.correlated).length;
    const pi = plan.pi && Float64Array.from(plan.pi.start);
    if (plan.pi?.estimate) {
      dirichlet(rng, plan.pi.counts, pi!);
      for (let k = 0; k < pi!.length; k++) truth[names[at++]] = pi![k];
    }
    const inModel = new Float64Array(t);
    const beta = new Float64Array(t);
    const z = new Float64Array(t);
    const ys = traits.map((_, s) => y.subarray(s * n, (s + 1) * n));
    for (let j = 0; j < md.p; j++) {
      const pattern = pi ? categorical(pi, rng) : (1 << t) - 1;
      correlatedNormals(l, t, rng, z, beta);
      for (let s = 0; s < t; s++) {
        if (((pattern >> s) & 1) === 0) continue;
        inModel[s]++;
        axpyColumn(md.records, md.means[j], md.center[j], j, beta[s], ys[s]);
      }
    }
    if (pi) for (let s = 0; s < t; s++) truth[names[at++]] = inModel[s];
  });
  const e = new Float64Array(t);
  const z = new Float64Array(t);
  for (let i = 0; i < n; i++) {
    correlatedNormals(residual, t, rng, z, e);
    for (let s = 0; s < t; s++) y[s * n + i] += e[s];
  }
  return { y, truth };
}
