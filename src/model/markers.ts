/**
 * The marker part of the design: genotypes of the records as 2-bit codes (0, 1, 2; 3 = missing), four
 * per byte, column-major, each column padded with code 0 to a multiple of 16 records, in the model's
 * shared memory (arena.ts), where the sweep kernels read them. No centred or imputed copy exists: a
 * marker's column is x_j = g̃_j − c_j, with g̃_j the codes with missing genotypes imputed by the column
 * mean μ_j and c_j the centre, and the kernels centre by algebra (src/linalg/wasm/sweep.as.ts). The
 * per-column constants (μ_j, c_j, G_j = Σ_i g̃_ij, x_j'x_j) and the records with a missing genotype
 * (a sparse list per column) sit beside the codes. Genotyped individuals without a record (for GEBVs)
 * are packed the same way.
 */
import { MixmcError } from '../errors.js';
import type { GenotypeTable } from '../io/genotypes.js';
import { allocate, type Arena, f64At, i32At, u8At } from '../linalg/arena.js';
import type { AlleleReport, MarkerInfo } from '../types.js';
import { matchAlleles } from './alleles.js';
import { markerTerm } from './names.js';

/** Individuals × markers as 2-bit codes, with the records of every column whose genotype is missing. */
export interface PackedGenotypes {
  /** Individuals (rows). */
  readonly rows: number;
  /** Bytes per column: rows padded to a multiple of 16, over 4. */
  readonly stride: number;
  /** Column j at bytes [j·stride, (j+1)·stride). */
  readonly codes: Uint8Array;
  /** Rows with a missing genotype in column j: missIdx[missPtr[j] .. missPtr[j+1]). */
  readonly missPtr: Int32Array;
  readonly missIdx: Int32Array;
}

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
  /** The records' codes (in the arena). */
  readonly records: PackedGenotypes;
  /** Column means of the codes over the genotyped individuals (missing excluded): the imputed value μ_j. */
  readonly means: Float64Array;
  /** What is subtracted from each column: the means, or 0 with `center: false`. */
  readonly center: Float64Array;
  /** G_j = Σ_i g̃_ij over the records (imputed codes). */
  readonly sums: Float64Array;
  /** x_j'x_j of every (imputed, centred) column over the records. */
  readonly xx: Float64Array;
  /** Σ_j var(x_j) over the records (BGLR's MSx), for default priors. */
  readonly msx: number;
  /** The kernel's descriptor of the set (byte offset in the arena; layout in sweep.as.ts). */
  readonly desc: number;
  /** Genotyped individuals that have no record in the likelihood: their GEBVs are predicted. */
  readonly predIds: readonly string[];
  /** Their codes. */
  readonly pred: PackedGenotypes;
  /** Missing genotypes imputed by the column mean, and monomorphic markers dropped. */
  readonly imputed: number;
  readonly monomorphic: number;
}

export interface MarkerDesignOptions {
  /** The set's name ('' for the one unnamed set). */
  name?: string;
  /** Subtract column means (default true). */
  center?: boolean;
}

/** Bytes per column of `rows` rows (padded to 16 rows). */
export function packedStride(rows: number): number {
  return Math.ceil(rows / 16) * 4;
}

/** The value of a 2-bit code (missing reads 0). */
const CODE_VALUE = Float64Array.of(0, 1, 2, 0);

/** Storage for packed genotypes: the arena (shared with the kernels), or plain memory. */
type Store = { bytes(n: number): Uint8Array; ints(n: number): Int32Array };

function arenaStore(arena: Arena): Store {
  return { bytes: (n) => u8At(arena, allocate(arena, Math.max(1, n)), n), ints: (n) => i32At(arena, allocate(arena, Math.max(4, 4 * n)), n) };
}

const plainStore: Store = { bytes: (n) => new Uint8Array(n), ints: (n) => new Int32Array(n) };

/**
 * What packing a column also sums over its rows, in row order: G_j = Σ_i g̃_ij, Σ_i x_ij and x_j'x_j,
 * with g̃_ij the code imputed by `imputeBy[k]` when missing and x_ij = g̃_ij − `center[k]`.
 */
interface ColumnSums {
  readonly imputeBy: ArrayLike<number>;
  readonly center: ArrayLike<number>;
  readonly g: Float64Array;
  readonly x: Float64Array;
  readonly xx: Float64Array;
}

/**
 * Pack columns `cols` of `g` for the individuals at `rowOf` (one packed row per entry: an index into
 * g's individuals), and sum each column into `sums` when given. `missingCount` is the total number of
 * missing codes among them.
 */
function pack(g: GenotypeTable, cols: readonly number[], rowOf: Int32Array, missingCount: number, store: Store, sums?: ColumnSums): PackedGenotypes {
  const rows = rowOf.length;
  const stride = packedStride(rows);
  const codes = store.bytes(stride * cols.length);
  const missPtr = store.ints(cols.length + 1);
  const missIdx = store.ints(missingCount);
  const src = new Int8Array(g.ids.length);
  let t = 0;
  for (let k = 0; k < cols.length; k++) {
    g.column(cols[k], src);
    const base = k * stride;
    const imputeBy = sums ? sums.imputeBy[k] : 0;
    const center = sums ? sums.center[k] : 0;
    let g1 = 0;
    let s = 0;
    let s2 = 0;
    let byte = 0;
    for (let i = 0; i < rows; i++) {
      let c = src[rowOf[i]];
      let v = c;
      if (c < 0) {
        c = 3;
        v = imputeBy;
        missIdx[t++] = i;
      }
      byte |= c << ((i & 3) * 2);
      if ((i & 3) === 3) {
        codes[base + (i >> 2)] = byte;
        byte = 0;
      }
      g1 += v;
      const x = v - center;
      s += x;
      s2 += x * x;
    }
    if ((rows & 3) !== 0) codes[base + (rows >> 2)] = byte;
    missPtr[k + 1] = t;
    if (sums) {
      sums.g[k] = g1;
      sums.x[k] = s;
      sums.xx[k] = s2;
    }
  }
  return { rows, stride, codes, missPtr, missIdx };
}

/** The code of row i in column j. */
export function codeAt(g: PackedGenotypes, j: number, i: number): number {
  return (g.codes[j * g.stride + (i >> 2)] >> ((i & 3) * 2)) & 3;
}

/** out[i] = x_ij = g̃_ij − c_j for every row i of column j (the imputed, centred value). Mutates: out. */
export function decodeColumn(g: PackedGenotypes, mean: number, center: number, j: number, out: Float64Array): void {
  for (let i = 0; i < g.rows; i++) {
    const c = codeAt(g, j, i);
    out[i] = (c === 3 ? mean : CODE_VALUE[c]) - center;
  }
}

/** out_i += a·x_ij for every row i (x_ij imputed and centred). Mutates: out. */
export function axpyColumn(g: PackedGenotypes, mean: number, center: number, j: number, a: number, out: Float64Array): void {
  for (let i = 0; i < g.rows; i++) {
    const c = codeAt(g, j, i);
    out[i] += a * ((c === 3 ? mean : CODE_VALUE[c]) - center);
  }
}

/** Σ_i x_ij v_i (x_ij imputed and centred). */
export function dotColumn(g: PackedGenotypes, mean: number, center: number, j: number, v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.rows; i++) {
    const c = codeAt(g, j, i);
    s += ((c === 3 ? mean : CODE_VALUE[c]) - center) * v[i];
  }
  return s;
}

/**
 * Align genotypes to the records: record i uses the genotype row of recordIds[i]. The codes, the
 * constants and the kernel descriptor go into `arena`.
 * @throws MixmcError when a record's id has no genotype (the caller decides beforehand whether to drop such records).
 */
export function buildMarkerDesign(g: GenotypeTable, recordIds: readonly string[], arena: Arena, opts: MarkerDesignOptions = {}): MarkerDesign {
  const nInd = g.ids.length;
  const rowOf = new Map(g.ids.map((id, i) => [id, i]));
  const n = recordIds.length;
  const recRow = Int32Array.from(recordIds, (id) => {
    const r = rowOf.get(id);
    if (r === undefined) throw new MixmcError(`record id '${id}' has no genotype`, { file: g.file });
    return r;
  });
  const withRecord = new Set(recordIds);
  const predIds = g.ids.filter((id) => !withRecord.has(id));
  const predRow = Int32Array.from(predIds, (id) => rowOf.get(id)!);

  // Column means over genotyped individuals (missing excluded), from the counts of each code; keep
  // polymorphic markers only.
  const keep: number[] = [];
  const means: number[] = [];
  let imputed = 0;
  let missRecords = 0;
  let missPred = 0;
  const codes = new Int8Array(nInd);
  for (let j = 0; j < g.markers.length; j++) {
    g.column(j, codes);
    // with c ∈ {−1 (missing), 0, 1, 2}: Σc = n1 + 2n2 − missing and Σc² = n1 + 4n2 + missing
    // (c >> 7 is −1 for a missing code and 0 otherwise)
    let missing = 0;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < nInd; i++) {
      const c = codes[i];
      missing -= c >> 7;
      sum += c;
      sumSq += c * c;
    }
    const n2 = (sumSq - sum - 2 * missing) / 2;
    const n1 = sum + missing - 2 * n2;
    const n0 = nInd - missing - n1 - n2;
    if ((n0 > 0 ? 1 : 0) + (n1 > 0 ? 1 : 0) + (n2 > 0 ? 1 : 0) < 2) continue;
    keep.push(j);
    means.push((n1 + 2 * n2) / (n0 + n1 + n2));
    imputed += missing;
    if (missing === 0) continue;
    for (let i = 0; i < n; i++) if (codes[recRow[i]] < 0) missRecords++;
    for (let i = 0; i < predRow.length; i++) if (codes[predRow[i]] < 0) missPred++;
  }
  const p = keep.length;
  if (p === 0) throw new MixmcError('every marker is monomorphic or missing; nothing to fit', { file: g.file });
  const doCenter = opts.center ?? true;
  const columnF64 = (): Float64Array => f64At(arena, allocate(arena, 8 * p), p);
  const mean = columnF64();
  const center = columnF64();
  const sums = columnF64();
  const xx = columnF64();
  mean.set(means);
  if (doCenter) center.set(means);
  // G_j and x_j'x_j over the records in f64, summed in record order from the codes (the matrix the
  // sampler uses exactly)
  const sumX = new Float64Array(p);
  const store = arenaStore(arena);
  const records = pack(g, keep, recRow, missRecords, store, { imputeBy: mean, center, g: sums, x: sumX, xx });
  const pred = pack(g, keep, predRow, missPred, store);
  let msx = 0;
  for (let k = 0; k < p; k++) msx += n > 1 ? (xx[k] - (sumX[k] * sumX[k]) / n) / (n - 1) : 0;
  const desc = allocate(arena, 44, 8);
  const fields = new Uint32Array(arena.memory.buffer, desc, 11);
  const at = (a: ArrayBufferView): number => a.byteOffset;
  fields.set([at(records.codes), records.stride, records.stride / 4, p, n, at(records.missPtr), at(records.missIdx), at(mean), at(center), at(sums), at(xx)]);
  const name = opts.name ?? '';
  return {
    name,
    term: markerTerm(name),
    file: g.file,
    markers: keep.map((j) => g.markers[j]),
    p,
    n,
    records,
    means: mean,
    center,
    sums,
    xx,
    msx,
    desc,
    predIds,
    pred,
    imputed,
    monomorphic: g.markers.length - p,
  };
}

/**
 * New genotypes for prediction, in `g`'s order: markers matched by id to a fitted set's markers and
 * by alleles (model/alleles.ts: a marker whose new file counts the other allele is flipped), packed
 * in plain memory (missing genotypes are imputed by the training means when decoded).
 * @throws MixmcError naming the file when a fitted marker is absent or its alleles cannot be matched.
 */
export function alignNewGenotypes(
  g: GenotypeTable,
  md: { markers: readonly MarkerInfo[] },
): { ids: string[]; genotypes: PackedGenotypes; alleles: AlleleReport } {
  const col = new Map(g.markers.map((mk, j) => [mk.id, j]));
  const missingMarkers = md.markers.filter((m) => !col.has(m.id)).map((m) => m.id);
  if (missingMarkers.length > 0) {
    throw new MixmcError(`${missingMarkers.length} marker(s) of the fitted model are not in the new genotypes, e.g. ${missingMarkers.slice(0, 5).join(', ')}`, {
      file: g.file,
    });
  }
  const cols = md.markers.map((m) => col.get(m.id)!);
  const { flip, report } = matchAlleles(
    md.markers,
    cols.map((j) => g.markers[j]),
    g.file,
  );
  const flipAt = new Map(cols.map((j, k) => [j, flip[k] === 1]));
  // the table as the fitted model counts: a flipped marker's codes c become 2 − c (missing stays −1)
  const counted: GenotypeTable = {
    ...g,
    column: (j, out) => {
      g.column(j, out);
      if (flipAt.get(j)) for (let i = 0; i < out.length; i++) if (out[i] >= 0) out[i] = 2 - out[i];
    },
  };
  const rows = Int32Array.from(g.ids, (_, i) => i);
  const codes = new Int8Array(g.ids.length);
  let missing = 0;
  for (const j of cols) {
    g.column(j, codes);
    for (const c of codes) if (c < 0) missing++;
  }
  return { ids: g.ids, genotypes: pack(counted, cols, rows, missing, plainStore), alleles: report };
}
