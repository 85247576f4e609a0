/**
 * Covariance structures of random terms: iid, pedigree (A⁻¹), a user-supplied relationship matrix
 * (e.g. BGLR's wheat A.csv), or a genomic relationship matrix G by VanRaden's method 1 from genotypes.
 * Each resolves to the term's levels, K⁻¹ (sparse, symmetric) and log|K|.
 */
import { isAbsolute, resolve } from 'node:path';
import { MixmcError } from '../errors.js';
import { readGenotypes } from '../io/genotypes.js';
import { readMatrix } from '../io/matrix.js';
import { readPedigree } from '../io/pedigree.js';
import { choleskyInPlace, inverseFromCholesky } from '../linalg/dense.js';
import { addLowerProducts } from '../linalg/rowProducts.js';
import { type SparseSym, toDense } from '../linalg/sparse.js';
import type { CovarianceSpec } from '../types.js';
import { aInverse } from './pedigree.js';

export interface Covariance {
  kind: 'pedigree' | 'relationship' | 'genomic';
  file: string;
  /** The term's levels, in the order of K. */
  levels: string[];
  kinv: SparseSym;
  logDet: number;
  /** Mean of diag(K), for the default prior (BGLR's RKHS rule). */
  meanDiag: number;
  /** diag(K), for reliabilities 1 − PEV/(σ²u K_jj). */
  diagK: Float64Array;
  /** Inbreeding coefficients (pedigree only). */
  inbreeding?: Float64Array;
  /** Levels with records that the pedigree does not name, added as unrelated founders (pedigree only). */
  absent?: string[];
}

/**
 * Resolve a term's covariance spec. `recordIds` are the term's labels among the records: a pedigree
 * adds them as founders when missing; a matrix must contain them all.
 */
export function resolveCovariance(term: string, spec: CovarianceSpec, baseDir: string, recordIds: readonly string[]): Covariance {
  const path = (f: string): string => (isAbsolute(f) ? f : resolve(baseDir, f));
  if ('pedigree' in spec) {
    const file = path(spec.pedigree);
    const ped = readPedigree(file, recordIds);
    const { ainv, logDet, F } = aInverse(ped);
    let diag = 0;
    for (const f of F) diag += 1 + f;
    return {
      kind: 'pedigree',
      file,
      levels: ped.ids,
      kinv: ainv,
      logDet,
      meanDiag: diag / F.length,
      diagK: F.map((f) => 1 + f),
      inbreeding: F,
      absent: ped.absent,
    };
  }
  if ('relationship' in spec) {
    const file = path(spec.relationship);
    const { ids, k } = readMatrix(file);
    return fromDense('relationship', file, term, ids, k, spec.blend, recordIds);
  }
  if ('genomic' in spec) {
    const file = path(spec.genomic);
    const { ids, g } = vanRaden(file);
    return fromDense('genomic', file, term, ids, g, spec.blend, recordIds);
  }
  throw new MixmcError(`the covariance of '${term}' must be {"pedigree": file}, {"relationship": file} or {"genomic": file}`, { term: `covariance.${term}` });
}

/**
 * VanRaden's (2008) method 1: G = ZZ'/(2Σ_j p_j(1 − p_j)), Z the genotypes centred by 2p_j (p_j the
 * frequency of the counted allele; missing genotypes imputed by 2p_j; monomorphic markers dropped).
 */
export function vanRaden(file: string): { ids: string[]; g: Float64Array } {
  const geno = readGenotypes(file);
  const n = geno.ids.length;
  const g = new Float64Array(n * n);
  const codes = new Int8Array(n);
  // ZZ' accumulated over blocks of BLOCK markers: zb holds a block row-major (individual a's centred
  // codes at a·BLOCK …), so that each pass over the n × n lower triangle (16 MB for n = 2,000, far
  // beyond the caches) adds BLOCK markers at once instead of one
  const BLOCK = 128;
  const zb = new Float64Array(n * BLOCK);
  let filled = 0;
  let denom = 0;
  const flush = (): void => {
    addLowerProducts(g, n, 0, n, zb, BLOCK, 0, filled, 1);
    filled = 0;
  };
  for (let j = 0; j < geno.markers.length; j++) {
    geno.column(j, codes);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (codes[i] >= 0) {
        sum += codes[i];
        count++;
      }
    }
    if (count === 0) continue;
    const p = sum / count / 2;
    if (p <= 0 || p >= 1) continue;
    denom += 2 * p * (1 - p);
    for (let i = 0; i < n; i++) zb[i * BLOCK + filled] = codes[i] < 0 ? 0 : codes[i] - 2 * p;
    if (++filled === BLOCK) flush();
  }
  if (filled > 0) flush();
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      g[a * n + b] /= denom;
      g[b * n + a] = g[a * n + b];
    }
  }
  return { ids: geno.ids, g };
}

function fromDense(
  kind: 'relationship' | 'genomic',
  file: string,
  term: string,
  ids: string[],
  k: Float64Array,
  blend: number | undefined,
  recordIds: readonly string[],
): Covariance {
  const n = ids.length;
  const known = new Set(ids);
  const missing = [...new Set(recordIds)].filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new MixmcError(
      `${missing.length} level(s) of '${term}' are not in the matrix, e.g. ${missing
        .slice(0, 10)
        .map((m) => `'${m}'`)
        .join(', ')}`,
      { file, term },
    );
  }
  if (blend !== undefined) {
    if (!(blend >= 0 && blend < 1)) throw new MixmcError('"blend" must be in [0, 1)', { file, term: `covariance.${term}.blend` });
    for (let i = 0; i < n * n; i++) k[i] *= 1 - blend;
    for (let i = 0; i < n; i++) k[i * n + i] += blend;
  }
  const cov = denseCovariance(kind, file, ids, k);
  if ('singularAt' in cov) {
    const bad = cov.singularAt;
    throw new MixmcError(
      `the ${kind} matrix is not positive definite (it fails at '${ids[bad]}', row ${bad + 1}); add a small ridge to its diagonal, or set "blend": 0.01 to use 0.99·K + 0.01·I`,
      { file, term },
    );
  }
  return cov;
}

/**
 * The covariance of a dense K (n × n row-major) over `ids`: K⁻¹ (every entry stored), log|K| and
 * diag(K); or the row where its Cholesky factorisation fails — numerically singular counts as not
 * positive definite: a pivot below 1e-10 of its diagonal.
 */
export function denseCovariance(kind: 'relationship' | 'genomic', file: string, ids: string[], k: Float64Array): Covariance | { singularAt: number } {
  const n = ids.length;
  const l = Float64Array.from(k);
  let bad = choleskyInPlace(l, n);
  if (bad < 0) for (let i = 0; i < n && bad < 0; i++) if (l[i * n + i] ** 2 < 1e-10 * k[i * n + i]) bad = i;
  if (bad >= 0) return { singularAt: bad };
  let logDet = 0;
  let diag = 0;
  for (let i = 0; i < n; i++) {
    logDet += 2 * Math.log(l[i * n + i]);
    diag += k[i * n + i];
  }
  const inv = inverseFromCholesky(l, n);
  return { kind, file, levels: ids, kinv: denseToSparse(inv, n), logDet, meanDiag: diag / n, diagK: Float64Array.from({ length: n }, (_, i) => k[i * n + i]) };
}

/** A dense symmetric matrix as SparseSym (every entry stored). */
export function denseToSparse(a: Float64Array, n: number): SparseSym {
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) rowPtr[i] = i * n;
  const colIdx = new Int32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) colIdx[i * n + j] = j;
  return { n, rowPtr, colIdx, values: Float64Array.from(a) };
}

/**
 * The lower Cholesky factor L of K (K = LL', q × q row-major), from K⁻¹: u = σ·Lz with z standard
 * normals is a draw of N(0, σ²K) (simulation-based calibration of a structured term).
 */
export function covarianceFactor(cov: Covariance): Float64Array {
  const q = cov.kinv.n;
  const l = Float64Array.from(toDense(cov.kinv));
  if (choleskyInPlace(l, q) >= 0) throw new MixmcError(`the covariance of ${cov.file} is not positive definite`, { file: cov.file });
  const k = inverseFromCholesky(l, q);
  if (choleskyInPlace(k, q) >= 0) throw new MixmcError(`the covariance of ${cov.file} is not positive definite`, { file: cov.file });
  for (let a = 0; a < q; a++) for (let b = a + 1; b < q; b++) k[a * q + b] = 0;
  return k;
}
