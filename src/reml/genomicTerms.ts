/**
 * Marker sets in multi-trait REML, by the genomic form of SNP-BLUP (VanRaden 2008, J. Dairy Sci.
 * 91:4414; Strandén & Garrick 2009, J. Dairy Sci. 92:2971): with β_j ∈ Rᵗ ~ N(0, Σβ) (trait-major
 * vec β ~ N(0, Σβ ⊗ I_p)), the genetic values g = Mβ of the genotyped individuals have
 * vec g ~ N(0, Σβ ⊗ K), K = MM', so a set is a random term over its individuals with covariance K
 * and G0 = Σβ, which the multi-trait REML of multiReml.ts already fits (n × n in place of p × p
 * per trait). M is the imputed codes uncentred: centring moves Mβ by a constant per trait, which each
 * trait's intercept takes, and leaves the REML likelihood (of error contrasts, orthogonal to the
 * intercepts) unchanged. The marker effects are then
 *   β̂_k = M'K⁻¹ĝ_k   (the BLUP of β given ĝ: E[β | g] = (I ⊗ M'K⁻¹) g),
 * and their prediction error variances
 *   PEV(β_jk) = Σβ_kk (1 − m_j'K⁻¹m_j) + (K⁻¹m_j)' C^{gg}_kk (K⁻¹m_j),
 * C^{gg}_kk the PEV block of ĝ_k (Var(β | g) = Σβ ⊗ (I − M'K⁻¹M) plus the uncertainty of ĝ).
 * K must be positive definite: at least as many markers as genotyped individuals, no two with the
 * same genotypes.
 */
import { MixmcError } from '../errors.js';
import { matVec } from '../linalg/dense.js';
import { addLowerProducts, matTimesVectors } from '../linalg/rowProducts.js';
import { denseCovariance } from '../model/covariance.js';
import type { Design, RandomDesign } from '../model/design.js';
import { decodeColumn, type MarkerDesign } from '../model/markers.js';
import { INTERCEPT } from '../model/formula.js';

/** One marker set as a genomic term: its individuals (the first record of each) and K⁻¹. */
export interface GenomicSet {
  readonly md: MarkerDesign;
  /** Index of the set's term in the augmented design's random terms. */
  readonly k: number;
  /** The individuals (levels), the first record of each. */
  readonly ids: readonly string[];
  readonly firstRecord: Int32Array;
  /** K⁻¹, q × q row-major. */
  readonly kinv: Float64Array;
}

/**
 * The design with each marker set as a random term over its genotyped individuals with covariance
 * K = MM', and the sets (for markerEffects).
 * @throws MixmcError when a trait has no intercept, or K is singular.
 */
export function withGenomicTerms(design: Design): { design: Design; sets: GenomicSet[] } {
  if (!design.fixed.names.some((name) => name.startsWith(`b[${INTERCEPT}]`))) {
    throw new MixmcError('multi-trait REML with markers needs an intercept in the formula (each trait’s intercept takes the markers’ centring)', {
      term: 'formula',
    });
  }
  const sets: GenomicSet[] = [];
  // the individuals, the same for every set (each has the records' genotypes)
  const { ids, firstRecord, level } = individuals(design.ids);
  const q = ids.length;
  const count = new Float64Array(q);
  for (const v of level) count[v]++;
  const terms: RandomDesign[] = design.markers.map((md, s) => {
    const cov = denseCovariance('genomic', md.file, ids, genomicMatrix(md, firstRecord));
    if ('singularAt' in cov) {
      throw new MixmcError(
        `multi-trait REML fits ${md.term} in its genomic form K = MM' over the ${q} genotyped individuals with records, and K is singular here (${md.p} markers${md.p < q ? ', fewer than the individuals' : '; some individuals share genotypes'}): fit the traits one at a time with 'mixmc reml', or compare the Gibbs fit alone`,
        { term: md.term },
      );
    }
    // denseCovariance stores every entry of K⁻¹, row-major
    sets.push({ md, k: design.random.length + s, ids, firstRecord, kinv: cov.kinv.values });
    return { term: md.term, coefs: [INTERCEPT], correlated: true, msxCoef: Float64Array.of(md.msx), levels: ids, q, level, count, msx: md.msx, cov };
  });
  return { design: { ...design, random: [...design.random, ...terms], markers: [] }, sets };
}

/** The distinct ids of the records, the first record of each, and each record's index among them. */
function individuals(recordIds: readonly string[]): { ids: string[]; firstRecord: Int32Array; level: Int32Array } {
  const index = new Map<string, number>();
  const first: number[] = [];
  const level = Int32Array.from(recordIds, (id, i) => {
    let l = index.get(id);
    if (l === undefined) {
      l = first.length;
      index.set(id, l);
      first.push(i);
    }
    return l;
  });
  return { ids: [...index.keys()], firstRecord: Int32Array.from(first), level };
}

/**
 * K = MM' over the individuals (uncentred imputed codes of their first records), q × q row-major:
 * MARKER_BLOCK markers at a time.
 */
function genomicMatrix(md: MarkerDesign, firstRecord: Int32Array): Float64Array {
  const q = firstRecord.length;
  const k = new Float64Array(q * q);
  const column = new Float64Array(md.n);
  const x = new Float64Array(q * MARKER_BLOCK);
  for (let j0 = 0; j0 < md.p; j0 += MARKER_BLOCK) {
    const cols = Math.min(MARKER_BLOCK, md.p - j0);
    for (let c = 0; c < cols; c++) {
      decodeColumn(md.records, md.means[j0 + c], 0, j0 + c, column);
      for (let i = 0; i < q; i++) x[i * MARKER_BLOCK + c] = column[firstRecord[i]];
    }
    addLowerProducts(k, q, 0, q, x, MARKER_BLOCK, 0, cols, 1);
  }
  for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) k[b * q + a] = k[a * q + b];
  return k;
}

/** Markers per block in genomicMatrix and markerEffects: the block's q × B values stay in cache while K⁻¹ streams. */
const MARKER_BLOCK = 32;

/** Σ_a x[c·q + a] y[c·q + a]: the dot product of vector c of two blocks of q-vectors, in ascending a. */
function vectorDot(x: Float64Array, y: Float64Array, q: number, c: number): number {
  let s = 0;
  for (let a = c * q; a < (c + 1) * q; a++) s += x[a] * y[a];
  return s;
}

/**
 * The marker effects of a set from its term's BLUPs ĝ (level-major: ĝ[l·t + k]) and their PEV block
 * (pevG(a, b) = C^{gg} between entries a and b of the term): β̂ and PEV per marker and trait, in the
 * order of multiEffectLabels (marker-major).
 */
export function markerEffects(
  set: GenomicSet,
  t: number,
  sigma: Float64Array,
  gHat: Float64Array,
  pevG: (a: number, b: number) => number,
): { blup: Float64Array; pev: Float64Array } {
  const { md, kinv, firstRecord } = set;
  const q = firstRecord.length;
  const p = md.p;
  // w_k = K⁻¹ĝ_k
  const w = new Float64Array(q * t);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      const v = kinv[a * q + b];
      for (let k = 0; k < t; k++) w[a * t + k] += v * gHat[b * t + k];
    }
  }
  // C^{gg}_kk per trait, q × q
  const pevBlocks = Array.from({ length: t }, (_, k) => {
    const c = new Float64Array(q * q);
    for (let a = 0; a < q; a++) for (let b = 0; b < q; b++) c[a * q + b] = pevG(a * t + k, b * t + k);
    return c;
  });
  const blup = new Float64Array(p * t);
  const pev = new Float64Array(p * t);
  const column = new Float64Array(md.n);
  // MARKER_BLOCK markers at a time, one q-vector after another: m_j, K⁻¹m_j and C^{gg}_kk K⁻¹m_j
  const m = new Float64Array(q * MARKER_BLOCK);
  const km = new Float64Array(q * MARKER_BLOCK);
  const ckm = new Float64Array(q * MARKER_BLOCK);
  for (let j0 = 0; j0 < p; j0 += MARKER_BLOCK) {
    const cols = Math.min(MARKER_BLOCK, p - j0);
    for (let c = 0; c < cols; c++) {
      decodeColumn(md.records, md.means[j0 + c], 0, j0 + c, column);
      for (let i = 0; i < q; i++) m[c * q + i] = column[firstRecord[i]];
    }
    matTimesVectors(kinv, q, m, cols, km);
    for (let c = 0; c < cols; c++) {
      const j = j0 + c;
      const mkm = vectorDot(m, km, q, c);
      for (let k = 0; k < t; k++) {
        let b = 0;
        for (let a = 0; a < q; a++) b += m[c * q + a] * w[a * t + k];
        blup[j * t + k] = b;
        pev[j * t + k] = sigma[k * t + k] * (1 - mkm);
      }
    }
    for (let k = 0; k < t; k++) {
      matTimesVectors(pevBlocks[k], q, km, cols, ckm);
      for (let c = 0; c < cols; c++) pev[(j0 + c) * t + k] += vectorDot(km, ckm, q, c);
    }
  }
  return { blup, pev };
}

/**
 * A trait's intercept in the sampler's centred parametrisation (x_j − c_j) from the uncentred fit:
 * y = 1b + Σ_s M_sβ_s = 1(b + Σ_s c_s'β_s) + Σ_s (M_s − 1c_s')β_s, so b_c = b + Σ_s c_s'β_s,
 * estimated by b̂ + Σ_s c_s'β̂_s,k, with
 *   PEV = v'C⁻¹v + Σ_s Σβ_s,kk (c_s'c_s − u_s'K_s⁻¹u_s),  u_s = M_s c_s,
 *   v = e_b + Σ_s Σ_l (K_s⁻¹u_s)_l e_{g_s,lk}
 * (b̂ − b + Σ_s (K_s⁻¹u_s)'(ĝ_s,k − g_s,k), plus Σ_s c_s'(β_s − E[β_s | g_s])). This is one set's
 * part: its shift c'β̂_k, the weights K⁻¹u of its ĝ_k, and its conditional term.
 */
export function interceptPart(
  set: GenomicSet,
  t: number,
  k: number,
  sigma: Float64Array,
  beta: Float64Array,
): { shift: number; weights: Float64Array; conditional: number } {
  const { md, kinv, firstRecord } = set;
  const q = firstRecord.length;
  const u = new Float64Array(q);
  const column = new Float64Array(md.n);
  let shift = 0;
  let cc = 0;
  for (let j = 0; j < md.p; j++) {
    const c = md.center[j];
    if (c === 0) continue;
    shift += c * beta[j * t + k];
    cc += c * c;
    decodeColumn(md.records, md.means[j], 0, j, column);
    for (let i = 0; i < q; i++) u[i] += c * column[firstRecord[i]];
  }
  const weights = new Float64Array(q);
  const uku = matVec(kinv, q, u, weights);
  return { shift, weights, conditional: sigma[k * t + k] * (cc - uku) };
}
