/**
 * The marker part of the design: genotypes aligned to the records in the likelihood, imputed,
 * filtered, centred and stored column-major in one contiguous Float32Array (on a
 * SharedArrayBuffer, so that worker threads read it without copies), with x'x precomputed.
 */
import { MixmcError } from '../errors.js';
import type { GenotypeTable } from '../io/genotypes.js';
import type { MarkerInfo } from '../types.js';
import { markerTerm } from './names.js';

export interface MarkerDesign {
  /** The set's name ('' for the one unnamed set) and term ('markers' or 'markers:NAME'). */
  readonly name: string;
  readonly term: string;
  readonly file: string;
  /** Markers kept (polymorphic), in file order. */
  readonly markers: readonly MarkerInfo[];
  readonly p: number;
  /** Rows = the design's records in the likelihood. */
  readonly n: number;
  /** Centred genotypes of the records, column-major: x[j·n + i]. */
  readonly x: Float32Array;
  /** x_j'x_j of every column (from the stored Float32 values). */
  readonly xx: Float64Array;
  /** Column means of the genotyped individuals' codes (missing excluded): the imputed value. */
  readonly means: Float64Array;
  /** What was subtracted from each column: the means, or 0 with `center: false`. */
  readonly center: Float64Array;
  /** Σ_j var(x_j) over the records (BGLR's MSx), for default priors. */
  readonly msx: number;
  /** Genotyped individuals that have no record in the likelihood: their GEBVs are predicted. */
  readonly predIds: readonly string[];
  /** Their centred genotypes, column-major: xPred[j·m + i]. */
  readonly xPred: Float32Array;
  /** Missing genotypes imputed by the column mean, and monomorphic markers dropped. */
  readonly imputed: number;
  readonly monomorphic: number;
}

/** A Float32Array backed by a SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

export interface MarkerDesignOptions {
  /** The set's name ('' for the one unnamed set). */
  name?: string;
  /** Subtract column means (default true). */
  center?: boolean;
}

/**
 * Align genotypes to the records: record i uses the genotype row of recordIds[i].
 * @throws MixmcError when a record's id has no genotype (the caller decides beforehand whether to drop such records).
 */
export function buildMarkerDesign(g: GenotypeTable, recordIds: readonly string[], opts: MarkerDesignOptions = {}): MarkerDesign {
  const nInd = g.ids.length;
  const rowOf = new Map(g.ids.map((id, i) => [id, i]));
  const n = recordIds.length;
  const recRow = Int32Array.from(recordIds, (id) => {
    const r = rowOf.get(id);
    if (r === undefined) throw new MixmcError(`record id '${id}' has no genotype`, { file: g.file });
    return r;
  });
  const withRecord = new Set(recordIds);
  const predRows = g.ids.map((id, i) => ({ id, i })).filter((x) => !withRecord.has(x.id));
  const m = predRows.length;

  // Column means over genotyped individuals (missing excluded); keep polymorphic markers only.
  const keep: number[] = [];
  const centers: number[] = [];
  let imputed = 0;
  const codes = new Int8Array(nInd);
  for (let j = 0; j < g.markers.length; j++) {
    g.column(j, codes);
    let sum = 0;
    let count = 0;
    let lo = 3;
    let hi = -1;
    for (let i = 0; i < nInd; i++) {
      const c = codes[i];
      if (c < 0) continue;
      sum += c;
      count++;
      if (c < lo) lo = c;
      if (c > hi) hi = c;
    }
    if (count === 0 || lo === hi) continue;
    keep.push(j);
    centers.push(sum / count);
    imputed += nInd - count;
  }
  const p = keep.length;
  if (p === 0) throw new MixmcError('every marker is monomorphic or missing; nothing to fit', { file: g.file });
  const doCenter = opts.center ?? true;
  const center = Float64Array.from(centers, (c) => (doCenter ? c : 0));
  const x = sharedFloat32(n * p);
  const xPred = sharedFloat32(m * p);
  const xx = new Float64Array(p);
  let msx = 0;
  for (let k = 0; k < p; k++) {
    g.column(keep[k], codes);
    const mean = centers[k];
    const value = (c: number): number => (c < 0 ? mean : c) - center[k];
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.fround(value(codes[recRow[i]]));
      x[k * n + i] = v;
      s += v;
      s2 += v * v;
    }
    xx[k] = s2;
    msx += n > 1 ? (s2 - (s * s) / n) / (n - 1) : 0;
    for (let i = 0; i < m; i++) xPred[k * m + i] = value(codes[predRows[i].i]);
  }
  const name = opts.name ?? '';
  return {
    name,
    term: markerTerm(name),
    file: g.file,
    markers: keep.map((j) => g.markers[j]),
    means: Float64Array.from(centers),
    p,
    n,
    x,
    xx,
    center,
    msx,
    predIds: predRows.map((r) => r.id),
    xPred,
    imputed,
    monomorphic: g.markers.length - p,
  };
}

/**
 * Centre new genotypes with the training centres (for prediction): rows of `g` in its order,
 * markers matched by id, missing codes imputed by the training means. Returns x (column-major,
 * m × p) and the ids.
 */
export function alignNewGenotypes(g: GenotypeTable, md: Pick<MarkerDesign, 'markers' | 'center' | 'means'>): { ids: string[]; x: Float32Array } {
  const nInd = g.ids.length;
  const col = new Map(g.markers.map((mk, j) => [mk.id, j]));
  const p = md.markers.length;
  const x = new Float32Array(nInd * p);
  const missingMarkers: string[] = [];
  const codes = new Int8Array(nInd);
  for (let k = 0; k < p; k++) {
    const j = col.get(md.markers[k].id);
    if (j === undefined) {
      missingMarkers.push(md.markers[k].id);
      continue;
    }
    g.column(j, codes);
    for (let i = 0; i < nInd; i++) {
      const c = codes[i];
      x[k * nInd + i] = (c < 0 ? md.means[k] : c) - md.center[k];
    }
  }
  if (missingMarkers.length > 0) {
    throw new MixmcError(`${missingMarkers.length} marker(s) of the fitted model are not in the new genotypes, e.g. ${missingMarkers.slice(0, 5).join(', ')}`, {
      file: g.file,
    });
  }
  return { ids: g.ids, x };
}
