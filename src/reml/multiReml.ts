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
import { componentLabels, covarianceElements, covarianceName, RESIDUAL } from '../model/names.js';
import { multiFixedNames, multiLevelLabels } from '../blocks/multi/sampler.js';
import { SpdFactorizer, type Factor } from './factor.js';
import { buildMultiMme, crossWR, fillC, observationResiduals, type MultiMme, type PatternInverse } from './multiMme.js';
import type { BlupResult, RandomPrediction, RemlOptions, RemlResult, VarianceComponent } from './remlTypes.js';

/** One matrix of the model: a random term's G (k ≥ 0) or the residual R0 (k = −1). */
interface Matrix {
  k: number;
  term: string;
  components: string[];
  d: number;
  correlated: boolean;
}

interface Parameter {
  matrix: number;
  a: number;
  b: number;
}

interface Evaluation {
  m2ll: number;
  sol: Float64Array;
  fac: Factor;
  /** ∂(−2ℓ)/∂θ. */
  gradient: Float64Array;
  ai: Float64Array;
  /** EM values S_k/q_k of each G. */
  emG: Float64Array[];
}

function matricesOf(design: Design): Matrix[] {
  const traits = design.traits.names;
  const out: Matrix[] = design.random.map((r, k) => {
    const components = componentLabels(traits, r.coefs);
    return { k, term: r.term, components, d: components.length, correlated: r.correlated };
  });
  out.push({ k: -1, term: RESIDUAL, components: [...traits], d: traits.length, correlated: true });
  return out;
}

/** The residual inverse of every pattern of observed traits. */
function patternInverses(mme: MultiMme, r0: Float64Array): Map<number, PatternInverse> {
  const t = mme.t;
  const out = new Map<number, PatternInverse>();
  for (const mask of mme.patterns) {
    const obs = Array.from({ length: t }, (_, s) => s).filter((s) => mask & (1 << s));
    const o = obs.length;
    const l = Float64Array.from({ length: o * o }, (_, x) => r0[obs[Math.floor(x / o)] * t + obs[x % o]]);
    const copy = Float64Array.from(l);
    if (choleskyInPlace(copy, o) >= 0) throw new Error('R0 is not positive definite');
    let logDet = 0;
    for (let a = 0; a < o; a++) logDet += 2 * Math.log(copy[a * o + a]);
    out.set(mask, { obs, inv: invertSPD(l, o), logDet });
  }
  return out;
}

function logDetSPD(m: Float64Array, d: number): number | undefined {
  const l = Float64Array.from(m);
  if (choleskyInPlace(l, d) >= 0) return undefined;
  let s = 0;
  for (let a = 0; a < d; a++) s += 2 * Math.log(l[a * d + a]);
  return s;
}

class MultiReml {
  readonly mme: MultiMme;
  readonly matrices: Matrix[];
  readonly params: Parameter[];
  private readonly factorizer: SpdFactorizer;
  private readonly n: number;

  constructor(
    private readonly design: Design,
    sparse?: boolean,
  ) {
    this.mme = buildMultiMme(design);
    this.matrices = matricesOf(design);
    this.params = this.matrices.flatMap((mat, i) => covarianceElements(mat.d, mat.correlated).map(([a, b]) => ({ matrix: i, a, b })));
    this.factorizer = new SpdFactorizer(this.mme.c, sparse);
    this.n = design.n;
  }

  /** Every matrix positive definite. */
  valid(values: Float64Array[]): boolean {
    return values.every((v, i) => logDetSPD(v, this.matrices[i].d) !== undefined);
  }

  evaluate(values: Float64Array[], withAi: boolean): Evaluation | undefined {
    const { mme, matrices, params } = this;
    const r0 = values[values.length - 1];
    const rinv = patternInverses(mme, r0);
    const ginv: Float64Array[] = [];
    let logDetG = 0;
    for (let k = 0; k < mme.terms.length; k++) {
      const { d, q, logDetK } = mme.terms[k];
      const ld = logDetSPD(values[k], d);
      if (ld === undefined) return undefined;
      ginv.push(invertSPD(values[k], d));
      logDetG += q * ld + d * logDetK;
    }
    const rhs = new Float64Array(mme.m);
    const yRy = fillC(mme, rinv, ginv, rhs);
    const fac = this.factorizer.factor(mme.c);
    if (!fac) throw new MixmcError('the mixed-model equations are singular (a fixed effect not estimable for some trait?)', { term: 'formula' });
    const sol = fac.solve(rhs);
    let solRhs = 0;
    for (let a = 0; a < mme.m; a++) solRhs += sol[a] * rhs[a];
    const yPy = yRy - solRhs;
    let logDetR = 0;
    for (let i = 0; i < this.n; i++) logDetR += rinv.get(mme.recordPattern[i])!.logDet;
    const m2ll = (mme.nObs - mme.p * mme.t) * Math.log(2 * Math.PI) + logDetR + logDetG + fac.logDet + yPy;
    const e = observationResiduals(mme, sol);
    // S_k and the G part of the gradient; EM values
    const gradient = new Float64Array(params.length);
    const emG: Float64Array[] = [];
    const sMats: Float64Array[] = mme.terms.map((term) => {
      const { q, d, offset, kinv } = term;
      const s = new Float64Array(d * d);
      for (let l = 0; l < q; l++) {
        const from = kinv ? kinv.rowPtr[l] : 0;
        const to = kinv ? kinv.rowPtr[l + 1] : 1;
        for (let x = from; x < to; x++) {
          const mm = kinv ? kinv.colIdx[x] : l;
          const kv = kinv ? kinv.values[x] : 1;
          for (let a = 0; a < d; a++) {
            for (let b = 0; b < d; b++) {
              const i = offset + l * d + a;
              const j = offset + mm * d + b;
              s[a * d + b] += kv * (sol[i] * sol[j] + fac.inv(i, j));
            }
          }
        }
      }
      emG.push(s.map((v) => v / q));
      return s;
    });
    // Q for R0
    const t = mme.t;
    const qMat = new Float64Array(t * t);
    for (let i = 0; i < this.n; i++) {
      const { obs, inv } = rinv.get(mme.recordPattern[i])!;
      const o0 = mme.obsPtr[i];
      const o = obs.length;
      // V = ê ê' + W_i C⁻¹ W_i'
      const v = new Float64Array(o * o);
      for (let a = 0; a < o; a++) {
        for (let b = 0; b < o; b++) {
          let w = e[o0 + a] * e[o0 + b];
          for (let u = mme.rowPtr[o0 + a]; u < mme.rowPtr[o0 + a + 1]; u++) {
            for (let x = mme.rowPtr[o0 + b]; x < mme.rowPtr[o0 + b + 1]; x++) w += mme.rowVal[u] * mme.rowVal[x] * fac.inv(mme.rowCol[u], mme.rowCol[x]);
          }
          v[a * o + b] = w;
        }
      }
      for (let a = 0; a < o; a++) {
        for (let b = 0; b < o; b++) {
          let rvr = 0;
          for (let c1 = 0; c1 < o; c1++) for (let c2 = 0; c2 < o; c2++) rvr += inv[a * o + c1] * v[c1 * o + c2] * inv[c2 * o + b];
          qMat[obs[a] * t + obs[b]] += inv[a * o + b] - rvr;
        }
      }
    }
    params.forEach((par, x) => {
      const mat = matrices[par.matrix];
      const { a, b } = par;
      const twice = a === b ? 1 : 2;
      if (mat.k < 0) {
        gradient[x] = twice * qMat[a * t + b];
        return;
      }
      const d = mat.d;
      const g = ginv[mat.k];
      const s = sMats[mat.k];
      // T = G⁻¹ S G⁻¹
      let tab = 0;
      for (let c1 = 0; c1 < d; c1++) for (let c2 = 0; c2 < d; c2++) tab += g[a * d + c1] * s[c1 * d + c2] * g[c2 * d + b];
      gradient[x] = twice * (mme.terms[mat.k].q * g[a * d + b] - tab);
    });
    const ai = new Float64Array(params.length * params.length);
    if (withAi) this.averageInformation(ginv, rinv, sol, e, fac, ai);
    return { m2ll, sol, fac, gradient, ai, emG };
  }

  /** AI = ½ F'PF over the working variates f_θ = (∂V/∂θ)Py. Mutates: ai. */
  private averageInformation(ginv: Float64Array[], rinv: Map<number, PatternInverse>, sol: Float64Array, e: Float64Array, fac: Factor, ai: Float64Array): void {
    const { mme, matrices, params, design } = this;
    const nObs = mme.nObs;
    const np = params.length;
    const f = params.map((par) => {
      const out = new Float64Array(nObs);
      const mat = matrices[par.matrix];
      const { a, b } = par;
      if (mat.k < 0) {
        // f_i = E_O R_O⁻¹ ê_i
        for (let i = 0; i < this.n; i++) {
          const { obs, inv } = rinv.get(mme.recordPattern[i])!;
          const o0 = mme.obsPtr[i];
          const o = obs.length;
          const ia = obs.indexOf(a);
          const ib = obs.indexOf(b);
          const rie = (x: number): number => {
            let s = 0;
            for (let y = 0; y < o; y++) s += inv[x * o + y] * e[o0 + y];
            return s;
          };
          if (ia >= 0 && ib >= 0) {
            out[o0 + ia] += rie(ib);
            if (a !== b) out[o0 + ib] += rie(ia);
          }
        }
        return out;
      }
      // f = Z_k (I ⊗ E G⁻¹) û_k, observation by observation
      const term = mme.terms[mat.k];
      const r = design.random[mat.k];
      const d = term.d;
      const nc = r.coefs.length;
      const g = ginv[mat.k];
      const ut = new Float64Array(term.q * d);
      for (let l = 0; l < term.q; l++) {
        for (const [x, y] of a === b
          ? [[a, a]]
          : [
              [a, b],
              [b, a],
            ]) {
          let s = 0;
          for (let c = 0; c < d; c++) s += g[y * d + c] * sol[term.offset + l * d + c];
          ut[l * d + x] += s;
        }
      }
      for (let i = 0; i < this.n; i++) {
        for (let o = mme.obsPtr[i]; o < mme.obsPtr[i + 1]; o++) {
          const s = mme.obsTrait[o];
          let v = 0;
          for (let c = 0; c < nc; c++) v += (r.z ? r.z[i * nc + c] : 1) * ut[r.level[i] * d + s * nc + c];
          out[o] = v;
        }
      }
      return out;
    });
    const wf = f.map((fi) => {
      const out = new Float64Array(mme.m);
      crossWR(mme, rinv, fi, out);
      return out;
    });
    const cw = wf.map((w) => fac.solve(w));
    // R⁻¹f per observation
    const rf = f.map((fi) => {
      const out = new Float64Array(nObs);
      for (let i = 0; i < this.n; i++) {
        const { inv } = rinv.get(mme.recordPattern[i])!;
        const o0 = mme.obsPtr[i];
        const o = mme.obsPtr[i + 1] - o0;
        for (let x = 0; x < o; x++) {
          let s = 0;
          for (let y = 0; y < o; y++) s += inv[x * o + y] * fi[o0 + y];
          out[o0 + x] = s;
        }
      }
      return out;
    });
    for (let x = 0; x < np; x++) {
      for (let y = x; y < np; y++) {
        let frf = 0;
        for (let o = 0; o < nObs; o++) frf += f[x][o] * rf[y][o];
        let q = 0;
        for (let a = 0; a < mme.m; a++) q += wf[x][a] * cw[y][a];
        const v = 0.5 * (frf - q);
        ai[x * np + y] = v;
        ai[y * np + x] = v;
      }
    }
  }
}

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

/** REML of a multivariate model (several traits, or random terms with several coefficients). */
export function multiReml(design: Design, opts: RemlOptions = {}): RemlResult {
  if (opts.method === 'ML') throw new MixmcError('ML is not available for multivariate models; use REML', { term: 'method' });
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
    ...multiBlup(design, engine.mme, values, ev.sol, ev.fac),
  };
}

/**
 * BLUE and BLUP of a multivariate model at known covariance matrices (each random term's, then R0's,
 * d × d row-major), with SEs and PEVs from C⁻¹.
 */
export function multiBlupAt(design: Design, matrices: readonly Float64Array[], sparse?: boolean): BlupResult {
  const engine = new MultiReml(design, sparse);
  const ev = engine.evaluate([...matrices], false);
  if (!ev) throw new MixmcError('a fixed covariance matrix is not positive definite', { term: 'fixedVariances' });
  return multiBlup(design, engine.mme, matrices, ev.sol, ev.fac);
}

/** An EM value of G kept diagonal for an uncorrelated term. */
function diagonalIfUncorrelated(g: Float64Array, mat: Matrix): Float64Array {
  if (mat.correlated) return g;
  const d = mat.d;
  return Float64Array.from(g, (v, x) => (Math.floor(x / d) === x % d ? v : 0));
}

/** BLUE with SEs and BLUP with PEVs and reliabilities 1 − PEV/(G_cc K_ll) from C⁻¹. */
function multiBlup(design: Design, mme: MultiMme, values: readonly Float64Array[], sol: Float64Array, fac: Factor): BlupResult {
  const fixedNames = multiFixedNames(design);
  const fixed = fixedNames.map((variable, j) => ({ variable, estimate: sol[j], se: Math.sqrt(fac.inv(j, j)) }));
  const random: RandomPrediction[] = [];
  mme.terms.forEach((term, k) => {
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
  return { fixed, random, solver: 'cholesky', solverIterations: 0 };
}
