/**
 * One evaluation of the multivariate REML likelihood at given covariance matrices: C and r filled,
 * factored, solved; −2ℓ, its gradient ∂(−2ℓ)/∂θ over the covariance elements, the EM values of the
 * G_k and (on request) the average-information matrix (formulas in multiReml.ts).
 */
import { choleskyInPlace, invertSPD } from '../linalg/dense.js';
import { MixmcError } from '../errors.js';
import type { Design } from '../model/design.js';
import { componentLabels, covarianceElements, RESIDUAL } from '../model/names.js';
import { SpdFactorizer, type Factor } from './factor.js';
import { buildMultiMme, crossWR, fillC, observationResiduals, type MultiMme, type PatternInverse } from './multiMme.js';

/** One matrix of the model: a random term's G (k ≥ 0) or the residual R0 (k = −1). */
export interface Matrix {
  k: number;
  term: string;
  components: string[];
  d: number;
  correlated: boolean;
}

export interface Parameter {
  matrix: number;
  a: number;
  b: number;
}

export interface Evaluation {
  m2ll: number;
  sol: Float64Array;
  fac: Factor;
  /** ∂(−2ℓ)/∂θ. */
  gradient: Float64Array;
  ai: Float64Array;
  /** EM values S_k/q_k of each G. */
  emG: Float64Array[];
}

export function matricesOf(design: Design): Matrix[] {
  const traits = design.traits.names;
  const out: Matrix[] = design.random.map((r, k) => {
    const components = componentLabels(traits, r.coefs);
    return { k, term: r.term, components, d: components.length, correlated: r.correlated };
  });
  out.push({ k: -1, term: RESIDUAL, components: [...traits], d: traits.length, correlated: true });
  return out;
}

/** The residual inverse of every pattern of observed traits. */
export function patternInverses(mme: MultiMme, r0: Float64Array): Map<number, PatternInverse> {
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

export function logDetSPD(m: Float64Array, d: number): number | undefined {
  const l = Float64Array.from(m);
  if (choleskyInPlace(l, d) >= 0) return undefined;
  let s = 0;
  for (let a = 0; a < d; a++) s += 2 * Math.log(l[a * d + a]);
  return s;
}

export class MultiReml {
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
