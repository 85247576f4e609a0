/**
 * REML (or ML) estimation of variance components by average information (Gilmour, Thompson &
 * Cullis 1995; Johnson & Thompson 1995), started from a few EM-REML iterations (Searle, Casella & McCulloch 1992, Variance Components, ch. 8), with
 * step halving and boundary handling, and BLUE/BLUP with standard errors and prediction error
 * variances from the inverse MME coefficient matrix (Henderson 1975).
 *
 * With θ = (σ²_1, …, σ²_K, σ²e), C the MME coefficient matrix multiplied by σ²e (mme.ts), û_k the
 * BLUPs, ê = y − Wθ̂ and T = C⁻¹ (REML) or (Z'Z + Λ)⁻¹ (ML):
 *   −2ℓ_REML = (n − p)log 2π + (n − p − Σq_k)log σ²e + Σ_k (q_k log σ²_k + log|K_k|) + log|C| + y'Py
 *   −2ℓ_ML   = n log 2π + (n − Σq_k) log σ²e + Σ_k (q_k log σ²_k + log|K_k|) + log|C_uu| + y'Py
 *   y'Py     = (y'y − θ̂'W'y)/σ²e
 *   ∂ℓ/∂σ²_k = −½[q_k/σ²_k − σ²e tr(K_k⁻¹T_kk)/σ⁴_k − û_k'K_k⁻¹û_k/σ⁴_k]
 *   ∂ℓ/∂σ²e  = −½[(n − p − Σ_k(q_k − σ²e tr(K_k⁻¹T_kk)/σ²_k))/σ²e − ê'ê/σ⁴e]   (p = 0 for ML)
 *   AI_ij    = ½ f_i'P f_j, f_k = Z_k û_k/σ²_k, f_e = ê/σ²e, f'Pg = (f'g − (W'f)'C⁻¹(W'g))/σ²e
 * The log-likelihood is on lme4's scale (no ½log|X'X| term).
 */
import { choleskyInPlace, cholSolve, invertSPD } from '../linalg/dense.js';
import { gaussSeidel, pcg } from '../linalg/sparse.js';
import { MixmcError } from '../errors.js';
import { isMultivariate, type Design } from '../model/design.js';
import { varianceName } from '../model/names.js';
import { multiBlupAt, multiReml } from './multiReml.js';
export { multiBlupAt };
import type { Solver } from '../types.js';
import { CFactorizer, type Factor } from './factor.js';
import type { BlupResult, RandomPrediction, RemlOptions, RemlResult } from './remlTypes.js';
import { buildMme, crossW, residuals, sparseC, type Mme } from './mme.js';

export { DENSE_REML_LIMIT } from './factor.js';

export type { BlupResult, FixedEstimate, RandomPrediction, RemlOptions, RemlResult, VarianceComponent } from './remlTypes.js';

interface Evaluation {
  logLik: number;
  sol: Float64Array;
  /** The factorisation of C, for SEs and PEVs. */
  fac: Factor;
  score: Float64Array;
  ai: Float64Array;
  emNext: Float64Array;
}

/** Term names in θ order: the random terms, then 'residual'. */
function thetaNames(mme: Mme): string[] {
  return [...mme.terms.map((t) => t.name), 'residual'];
}

function evaluate(mme: Mme, factorizer: CFactorizer, theta: Float64Array, method: 'REML' | 'ML', withAi: boolean): Evaluation {
  const K = mme.terms.length;
  const varE = theta[K];
  const lambdas = mme.terms.map((_, k) => varE / theta[k]);
  const { m, p, n } = mme;
  const fac = factorizer.factor(lambdas, 'all');
  const sol = fac.solve(mme.rhs);
  let solRhs = 0;
  for (let i = 0; i < m; i++) solRhs += sol[i] * mme.rhs[i];
  const yPy = (mme.yty - solRhs) / varE;
  const qTot = m - p;
  let logDetG = 0;
  mme.terms.forEach((t, k) => (logDetG += t.q * Math.log(theta[k]) + t.logDetK));
  // T: C⁻¹ (REML), or the inverse of the random block alone (ML), indexed in C's unknowns
  const tFac = method === 'ML' ? factorizer.factor(lambdas, 'random') : fac;
  const shift = method === 'ML' ? p : 0;
  const T = (i: number, j: number): number => tFac.inv(i - shift, j - shift);
  const pEff = method === 'REML' ? p : 0;
  const m2ll = (n - pEff) * Math.log(2 * Math.PI) + (n - pEff - qTot) * Math.log(varE) + logDetG + tFac.logDet + yPy;
  const e = residuals(mme, sol);
  let ee = 0;
  for (let i = 0; i < n; i++) ee += e[i] * e[i];
  const score = new Float64Array(K + 1);
  const emNext = new Float64Array(K + 1);
  let trSum = 0;
  mme.terms.forEach((t, k) => {
    const off = mme.offsets[k];
    const s2 = theta[k];
    let tr = 0;
    let quad = 0;
    if (!t.kinv) {
      for (let j = 0; j < t.q; j++) {
        tr += T(off + j, off + j);
        quad += sol[off + j] * sol[off + j];
      }
    } else {
      const a = t.kinv;
      for (let i = 0; i < a.n; i++) {
        for (let r = a.rowPtr[i]; r < a.rowPtr[i + 1]; r++) {
          const j = a.colIdx[r];
          tr += a.values[r] * T(off + j, off + i);
          quad += sol[off + i] * a.values[r] * sol[off + j];
        }
      }
    }
    score[k] = -0.5 * (t.q / s2 - (varE * tr) / (s2 * s2) - quad / (s2 * s2));
    trSum += t.q - (varE * tr) / s2;
    emNext[k] = (quad + varE * tr) / t.q;
  });
  score[K] = -0.5 * ((n - pEff - trSum) / varE - ee / (varE * varE));
  emNext[K] = (mme.yty - solRhs) / (n - pEff);
  const ai = new Float64Array((K + 1) * (K + 1));
  if (withAi) {
    const f: Float64Array[] = [];
    mme.terms.forEach((t, k) => {
      const off = mme.offsets[k];
      // f_k = Z_k û_k / σ²_k: W's columns of term k times û_k
      const theta0 = new Float64Array(m);
      for (let j = 0; j < t.q; j++) theta0[off + j] = sol[off + j];
      const zu = residuals({ ...mme, y: new Float64Array(n) }, theta0);
      f.push(zu.map((v) => -v / theta[k]));
    });
    f.push(e.map((v) => v / varE));
    const wf = f.map((fi) => crossW(mme, fi));
    // T·W'f: solves with C (REML) or C_uu on the random part (ML)
    const tw = wf.map((w) => {
      if (shift === 0) return tFac.solve(w);
      const part = tFac.solve(w.subarray(shift));
      const out = new Float64Array(m);
      out.set(part, shift);
      return out;
    });
    for (let a = 0; a <= K; a++) {
      for (let b = a; b <= K; b++) {
        let fg = 0;
        for (let i = 0; i < n; i++) fg += f[a][i] * f[b][i];
        let q = 0;
        for (let i = 0; i < m; i++) q += wf[a][i] * tw[b][i];
        const v = (0.5 * (fg - q)) / varE;
        ai[a * (K + 1) + b] = v;
        ai[b * (K + 1) + a] = v;
      }
    }
  }
  return { logLik: -0.5 * m2ll, sol, fac, score, ai, emNext };
}

/**
 * The response that is not Gaussian (binary, ordinal or censored), if any: REML's likelihood is the
 * Gaussian one, so it has no estimate for such a trait.
 */
export function nonGaussianTrait(design: Design): { name: string; family: string } | undefined {
  const s = design.traits.families.findIndex((f) => f.kind !== 'gaussian');
  if (s < 0) return undefined;
  const f = design.traits.families[s];
  return { name: design.traits.names[s], family: f.kind === 'threshold' ? f.family : f.kind };
}

/** @throws MixmcError for a binary, ordinal or censored response. */
export function requireGaussian(design: Design): void {
  const trait = nonGaussianTrait(design);
  if (trait) {
    throw new MixmcError(
      `REML is for Gaussian responses, and '${trait.name}' is ${trait.family}: its likelihood is not the normal one REML maximises; fit it with 'mixmc fit' (the Gibbs sampler works on its latent scale)`,
      { term: 'family' },
    );
  }
}

/**
 * Fit variance components; BLUE/BLUP at the estimates.
 * @throws MixmcError for a response that is not Gaussian.
 */
export function reml(design: Design, opts: RemlOptions = {}): RemlResult {
  requireGaussian(design);
  if (isMultivariate(design)) {
    return multiReml(opts.markers ? design : { ...design, markers: [] }, opts);
  }
  const method = opts.method ?? 'REML';
  const mme = buildMme(design, { markers: opts.markers });
  const factorizer = new CFactorizer(mme, opts.sparse);
  const names = thetaNames(mme);
  const K = mme.terms.length;
  if (K === 0) throw new MixmcError('REML needs at least one random term (or markers)', { term: 'formula' });
  const theta = Float64Array.from(names, (nm) => opts.start?.[nm] ?? design.varY / (K + 1));
  const history: RemlResult['history'] = [];
  const boundary = new Array<boolean>(K + 1).fill(false);
  const floor = (k: number): number => 1e-10 * Math.max(design.varY, 1e-300) + (k === K ? 0 : 0);
  let ev = evaluate(mme, factorizer, theta, method, false);
  for (let it = 0; it < (opts.emIterations ?? 3); it++) {
    const prev = ev.logLik;
    theta.set(ev.emNext.map((v, k) => Math.max(v, floor(k))));
    ev = evaluate(mme, factorizer, theta, method, false);
    history.push({ iteration: history.length + 1, logLik: ev.logLik, change: ev.logLik - prev, step: 1, kind: 'EM' });
  }
  const tol = opts.tol ?? 1e-9;
  let converged = false;
  ev = evaluate(mme, factorizer, theta, method, true);
  for (let it = 0; it < (opts.maxIterations ?? 50); it++) {
    const free = names.map((_, k) => !boundary[k]);
    const idx = free.map((f, k) => (f ? k : -1)).filter((k) => k >= 0);
    const d = idx.length;
    const sub = new Float64Array(d * d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sub[a * d + b] = ev.ai[idx[a] * (K + 1) + idx[b]];
    const l = Float64Array.from(sub);
    if (choleskyInPlace(l, d) >= 0)
      throw new MixmcError('the average-information matrix is singular: a variance component is not identifiable', { term: 'formula' });
    const delta = Float64Array.from(idx, (k) => ev.score[k]);
    cholSolve(l, d, delta);
    let step = 1;
    let next = ev;
    let trial = theta;
    for (let half = 0; half < 20; half++) {
      trial = Float64Array.from(theta);
      idx.forEach((k, a) => (trial[k] = theta[k] + step * delta[a]));
      const negative = idx.filter((k) => trial[k] <= 0);
      if (negative.length > 0 && half >= 10) {
        // still negative after 10 halvings: the component sits on the boundary
        for (const k of negative) {
          boundary[k] = true;
          trial[k] = floor(k);
        }
      } else if (negative.length > 0) {
        step /= 2;
        continue;
      }
      next = evaluate(mme, factorizer, trial, method, true);
      if (next.logLik >= ev.logLik - 1e-10 * Math.abs(ev.logLik)) break;
      step /= 2;
    }
    const change = next.logLik - ev.logLik;
    const relMove = Math.max(...idx.map((k) => Math.abs(trial[k] - theta[k]) / Math.max(trial[k], 1e-300)));
    theta.set(trial);
    ev = next;
    history.push({ iteration: history.length + 1, logLik: ev.logLik, change, step, kind: 'AI' });
    // |Δℓ| relative to |ℓ|: the log-determinant of a large system carries rounding of order 1e-12·|ℓ|
    if (Math.abs(change) < tol * Math.max(1, Math.abs(ev.logLik)) && relMove < Math.sqrt(tol)) {
      converged = true;
      break;
    }
  }
  // SEs from the inverse AI matrix over the free components
  const free = names.map((_, k) => k).filter((k) => !boundary[k]);
  const d = free.length;
  const sub = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) sub[a * d + b] = ev.ai[free[a] * (K + 1) + free[b]];
  const aiInv = invertSPD(sub, d);
  const varianceComponents = names.map((term, k) => {
    const a = free.indexOf(k);
    return { term, variable: varianceName(term), estimate: boundary[k] ? 0 : theta[k], se: a >= 0 ? Math.sqrt(aiInv[a * d + a]) : NaN, boundary: boundary[k] };
  });
  const covariance = names.map((_, k) =>
    names.map((_, l) => {
      const a = free.indexOf(k);
      const b = free.indexOf(l);
      return a >= 0 && b >= 0 ? aiInv[a * d + b] : Number.NaN;
    }),
  );
  const blup = blupFrom(design, mme, theta, ev.sol, ev.fac);
  return { method, varianceComponents, covariance, logLik: ev.logLik, iterations: history.length, converged, history, ...blup };
}

function blupFrom(design: Design, mme: Mme, theta: Float64Array, sol: Float64Array, fac: Factor | undefined): BlupResult {
  const K = mme.terms.length;
  const varE = theta[K];
  const fixed = design.fixed.names.map((variable, j) => ({ variable, estimate: sol[j], se: fac ? Math.sqrt(varE * fac.inv(j, j)) : NaN }));
  const random: RandomPrediction[] = [];
  mme.terms.forEach((t, k) => {
    const off = mme.offsets[k];
    const diagK = design.random.find((r) => r.term === t.name)?.cov?.diagK;
    t.labels.forEach((variable, j) => {
      const pev = fac ? varE * fac.inv(off + j, off + j) : NaN;
      random.push({ variable, blup: sol[off + j], pev, reliability: 1 - pev / (theta[k] * (diagK ? diagK[j] : 1)) });
    });
  });
  return { fixed, random, solver: fac ? 'cholesky' : 'pcg', solverIterations: 0 };
}

/**
 * BLUE and BLUP with known variances. Cholesky gives SEs and PEVs (C11, C22); the iterative
 * solvers (Jacobi-PCG, Gauss–Seidel) give the solutions only (SE and PEV are NaN). `auto` uses
 * Cholesky (dense for small or dense systems, sparse with a minimum-degree ordering otherwise) and PCG for
 * very large systems (more than 200,000 unknowns).
 */
export function blup(design: Design, variances: Record<string, number>, solver: Solver = 'auto', opts: { markers?: boolean } = {}): BlupResult {
  requireGaussian(design);
  const mme = buildMme(design, { markers: opts.markers });
  const names = thetaNames(mme);
  const theta = Float64Array.from(names, (nm) => {
    const v = variances[nm];
    if (!(v > 0)) throw new MixmcError(`a variance for '${nm}' is needed (fixedVariances.${nm})`, { term: `fixedVariances.${nm}` });
    return v;
  });
  const K = mme.terms.length;
  const lambdas = mme.terms.map((_, k) => theta[K] / theta[k]);
  const chosen = solver === 'auto' ? (mme.m <= 200_000 ? 'cholesky' : 'pcg') : solver;
  if (chosen === 'cholesky') {
    const fac = new CFactorizer(mme).factor(lambdas, 'all');
    return blupFrom(design, mme, theta, fac.solve(mme.rhs), fac);
  }
  const c = sparseC(mme, lambdas);
  const r = chosen === 'pcg' ? pcg(c, mme.rhs, 1e-12) : gaussSeidel(c, mme.rhs, 1e-12);
  if (!r.converged)
    throw new MixmcError(`${chosen} did not converge (relative residual ${r.relativeResidual.toExponential(2)} after ${r.iterations} iterations)`, {
      term: 'solver',
    });
  return { ...blupFrom(design, mme, theta, r.x, undefined), solver: chosen, solverIterations: r.iterations };
}
