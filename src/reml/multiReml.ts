/**
 * REML for multivariate models — several traits (missing ones left out of the likelihood), random
 * slopes, unstructured G_k per random term (diagonal for `||`) and R0 — by average information
 * (Johnson & Thompson 1995, J. Dairy Sci. 78:449; Meyer 1997, Genet. Sel. Evol. 29:97), started from
 * EM-REML steps for the G_k. With C and r the MME (multiMme.ts), θ̂ = C⁻¹r, ê = y − Wθ̂, û_k the BLUPs
 * and N observed values:
 *
 *   −2ℓ = (N − pt)log 2π + Σ_i log|R_Oi| + Σ_k (q_k log|G_k| + d_k log|K_k|) + log|C| + y'Py,
 *   y'Py = y'R⁻¹y − θ̂'r                                       (lme4's scale: no log|X'X| term)
 *
 * and for an element θ of G_k or R0 with ∂G/∂θ = E (E_ab = E_ba = 1):
 *   ∂(−2ℓ)/∂θ_G = q tr(G⁻¹E) − tr(G⁻¹EG⁻¹S_k),  S_k = Σ_lm K⁻¹_lm (û_l û_m' + C^{lm}),
 *   ∂(−2ℓ)/∂θ_R = tr(Q E),  Q = Σ_i R_Oi⁻¹ − R_Oi⁻¹ (ê_i ê_i' + W_i C⁻¹ W_i') R_Oi⁻¹  (embedded t × t),
 *   AI_θφ = ½ f_θ'P f_φ,  f_θ = (∂V/∂θ)Py: Z_k(I ⊗ EG⁻¹)û_k for G, E R_O⁻¹ ê_i for R;
 *   f'Pg = f'R⁻¹g − (W'R⁻¹f)'C⁻¹(W'R⁻¹g).
 * The EM step for G_k is S_k/q_k. AI steps are halved until every matrix stays positive definite and
 * the likelihood does not fall.
 */
import { choleskyInPlace, cholSolve, invertSPD } from '../linalg/dense.js';
import { MixmcError } from '../errors.js';
import type { Design } from '../model/design.js';
import { DEFAULT_R2 } from '../model/defaults.js';
import { covarianceName } from '../model/names.js';
import { multiEffectLabels } from '../blocks/multi/markers.js';
import { multiFixedNames, multiLevelLabels } from '../blocks/multi/sampler.js';
import { type GenomicSet, interceptPart, markerEffects, withGenomicTerms } from './genomicTerms.js';
import { INTERCEPT } from '../model/formula.js';
import type { Factor } from './factor.js';
import { type Evaluation, type Matrix, MultiReml, type Parameter } from './multiEvaluate.js';
import type { MultiMme } from './multiMme.js';
import type { BlupResult, RandomPrediction, RemlOptions, RemlResult, VarianceComponent } from './remlTypes.js';

/** Starting matrices: diagonal, each variance its share of the trait's variance (R² split over the terms). */
function startValues(design: Design, matrices: Matrix[]): Float64Array[] {
  const { varY } = design.traits;
  const k = Math.max(1, design.random.length);
  return matrices.map((mat) => {
    const out = new Float64Array(mat.d * mat.d);
    const r = mat.k >= 0 ? design.random[mat.k] : undefined;
    const nc = r ? r.coefs.length : 1;
    for (let c = 0; c < mat.d; c++) {
      const s = Math.floor(c / nc);
      out[c * mat.d + c] = r ? (varY[s] * (DEFAULT_R2 / k)) / r.msxCoef[c % nc] : varY[s] * (1 - DEFAULT_R2);
    }
    return out;
  });
}

function withStep(values: Float64Array[], params: Parameter[], delta: Float64Array, step: number): Float64Array[] {
  const out = values.map((v) => Float64Array.from(v));
  params.forEach((par, x) => {
    const m = out[par.matrix];
    const d = Math.round(Math.sqrt(m.length));
    m[par.a * d + par.b] += step * delta[x];
    if (par.a !== par.b) m[par.b * d + par.a] = m[par.a * d + par.b];
  });
  return out;
}

/**
 * REML of a multivariate model (several traits, or random terms with several coefficients); its
 * marker sets, if any, as genomic terms (genomicTerms.ts), their Σβ after the random terms' G.
 */
export function multiReml(given: Design, opts: RemlOptions = {}): RemlResult {
  if (opts.method === 'ML') throw new MixmcError('ML is not available for multivariate models; use REML', { term: 'method' });
  const { design, sets } = given.markers.length > 0 ? withGenomicTerms(given) : { design: given, sets: [] };
  const engine = new MultiReml(design, opts.sparse);
  const { matrices, params } = engine;
  let values = startValues(design, matrices);
  const history: RemlResult['history'] = [];
  let ev = engine.evaluate(values, false)!;
  for (let it = 0; it < (opts.emIterations ?? 3); it++) {
    const prev = ev.m2ll;
    const next = values.map((v, i) => (matrices[i].k >= 0 ? diagonalIfUncorrelated(ev.emG[matrices[i].k], matrices[i]) : v));
    const trial = engine.evaluate(next, false);
    if (!trial) break;
    values = next;
    ev = trial;
    history.push({ iteration: history.length + 1, logLik: -0.5 * ev.m2ll, change: -0.5 * (ev.m2ll - prev), step: 1, kind: 'EM' });
  }
  ev = engine.evaluate(values, true)!;
  const tol = opts.tol ?? 1e-9;
  let converged = false;
  const np = params.length;
  for (let it = 0; it < (opts.maxIterations ?? 50); it++) {
    // Newton on ℓ: Δ = AI⁻¹ ∂ℓ/∂θ, ∂ℓ/∂θ = −½ ∂(−2ℓ)/∂θ
    const l = Float64Array.from(ev.ai);
    if (choleskyInPlace(l, np) >= 0)
      throw new MixmcError('the average-information matrix is singular: a covariance component is not identifiable', { term: 'formula' });
    const delta = Float64Array.from(ev.gradient, (g) => -0.5 * g);
    cholSolve(l, np, delta);
    let step = 1;
    let next: Evaluation | undefined;
    let trial = values;
    for (let half = 0; half < 30; half++) {
      trial = withStep(values, params, delta, step);
      next = engine.valid(trial) ? engine.evaluate(trial, true) : undefined;
      if (next && next.m2ll <= ev.m2ll + 1e-10 * Math.abs(ev.m2ll)) break;
      next = undefined;
      step /= 2;
    }
    if (!next) break;
    const change = -0.5 * (next.m2ll - ev.m2ll);
    let relMove = 0;
    params.forEach((par, x) => {
      const d = matrices[par.matrix].d;
      const scale = Math.sqrt(Math.abs(trial[par.matrix][par.a * d + par.a] * trial[par.matrix][par.b * d + par.b]));
      relMove = Math.max(relMove, Math.abs(step * delta[x]) / Math.max(scale, 1e-300));
    });
    values = trial;
    ev = next;
    history.push({ iteration: history.length + 1, logLik: -0.5 * ev.m2ll, change, step, kind: 'AI' });
    if (Math.abs(change) < tol * Math.max(1, Math.abs(ev.m2ll)) && relMove < Math.sqrt(tol)) {
      converged = true;
      break;
    }
  }
  const aiInv = invertSPD(ev.ai, np);
  const varianceComponents: VarianceComponent[] = params.map((par, x) => {
    const mat = matrices[par.matrix];
    return {
      term: mat.term,
      variable: covarianceName(mat.term, mat.components, par.a, par.b),
      estimate: values[par.matrix][par.a * mat.d + par.b],
      se: Math.sqrt(aiInv[x * np + x]),
      boundary: false,
    };
  });
  const covariance = params.map((_, x) => params.map((__, y) => aiInv[x * np + y]));
  return {
    method: 'REML',
    varianceComponents,
    covariance,
    logLik: -0.5 * ev.m2ll,
    iterations: history.length,
    converged,
    history,
    ...multiBlup(design, engine.mme, values, ev.sol, ev.fac, sets),
  };
}

/**
 * BLUE and BLUP of a multivariate model at known covariance matrices (each random term's, then each
 * marker set's Σβ, then R0's, d × d row-major), with SEs and PEVs from C⁻¹.
 */
export function multiBlupAt(given: Design, matrices: readonly Float64Array[], sparse?: boolean): BlupResult {
  const { design, sets } = given.markers.length > 0 ? withGenomicTerms(given) : { design: given, sets: [] };
  const engine = new MultiReml(design, sparse);
  const ev = engine.evaluate([...matrices], false);
  if (!ev) throw new MixmcError('a fixed covariance matrix is not positive definite', { term: 'fixedVariances' });
  return multiBlup(design, engine.mme, matrices, ev.sol, ev.fac, sets);
}

/** An EM value of G kept diagonal for an uncorrelated term. */
function diagonalIfUncorrelated(g: Float64Array, mat: Matrix): Float64Array {
  if (mat.correlated) return g;
  const d = mat.d;
  return Float64Array.from(g, (v, x) => (Math.floor(x / d) === x % d ? v : 0));
}

/**
 * BLUE with SEs and BLUP with PEVs and reliabilities 1 − PEV/(G_cc K_ll) from C⁻¹; a marker set's
 * term gives its marker effects (markerEffects) with reliabilities 1 − PEV/Σβ_kk.
 */
function multiBlup(design: Design, mme: MultiMme, values: readonly Float64Array[], sol: Float64Array, fac: Factor, sets: readonly GenomicSet[]): BlupResult {
  const fixedNames = multiFixedNames(design);
  const fixed = fixedNames.map((variable, j) => ({ variable, estimate: sol[j], se: Math.sqrt(fac.inv(j, j)) }));
  const random: RandomPrediction[] = [];
  const traits = design.traits.names;
  const t = traits.length;
  // per trait, each marker set's part of the centred intercept (interceptPart)
  const parts = traits.map(() => [] as ({ offset: number } & ReturnType<typeof interceptPart>)[]);
  mme.terms.forEach((term, k) => {
    const set = sets.find((x) => x.k === k);
    if (set) {
      const sigma = values[k];
      const gHat = sol.subarray(term.offset, term.offset + term.q * term.d);
      const { blup, pev } = markerEffects(set, t, sigma, gHat, (a, b) => fac.inv(term.offset + a, term.offset + b));
      multiEffectLabels(set.md, traits, 'snp').forEach((variable, x) =>
        random.push({ variable, blup: blup[x], pev: pev[x], reliability: 1 - pev[x] / sigma[(x % t) * t + (x % t)] }),
      );
      for (let s = 0; s < t; s++) parts[s].push({ offset: term.offset, ...interceptPart(set, t, s, sigma, blup) });
      return;
    }
    const labels = multiLevelLabels(design, k);
    const diagK = design.random[k].cov?.diagK;
    const g = values[k];
    const d = term.d;
    labels.forEach((variable, x) => {
      const l = Math.floor(x / d);
      const c = x % d;
      const pev = fac.inv(term.offset + x, term.offset + x);
      random.push({ variable, blup: sol[term.offset + x], pev, reliability: 1 - pev / (g[c * d + c] * (diagK ? diagK[l] : 1)) });
    });
  });
  // the sampler centres the markers: report each trait's intercept in that parametrisation
  if (sets.length > 0) {
    const p = design.fixed.p;
    const intercept = design.fixed.names.indexOf(`b[${INTERCEPT}]`);
    parts.forEach((list, s) => {
      const b = s * p + intercept;
      // v = e_b + Σ_sets Σ_l w_l e_{g_l,s}, as (unknown, weight) pairs
      const v: [number, number][] = [[b, 1], ...list.flatMap((x) => Array.from(x.weights, (w, l): [number, number] => [x.offset + l * t + s, w]))];
      let pev = 0;
      for (const [i, wi] of v) for (const [j, wj] of v) if (wi !== 0 && wj !== 0) pev += wi * wj * fac.inv(i, j);
      const shift = list.reduce((a, x) => a + x.shift, 0);
      const conditional = list.reduce((a, x) => a + x.conditional, 0);
      fixed[b] = { ...fixed[b], estimate: fixed[b].estimate + shift, se: Math.sqrt(pev + conditional) };
    });
  }
  return { fixed, random, solver: 'cholesky', solverIterations: 0 };
}
