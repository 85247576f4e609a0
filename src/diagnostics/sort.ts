/**
 * Sorting doubles with their original positions: an LSD radix sort on the IEEE-754 bits (six
 * 11-bit digits), faster than Float64Array.prototype.sort on 40,000 draws, and it
 * gives the permutation (hence ranks) at no extra cost. Inputs must be free of NaN; −0 is treated as 0.
 */

export interface SortedWithIndex {
  /** The values in ascending order. */
  values: Float64Array;
  /** index[j] is the original position of values[j]. */
  index: Uint32Array;
}

/** Three digits per 32-bit word: bits 0–10, 11–21 and 22–31 (2,048 buckets keep the counts in L1). */
const RADIX = 1 << 11;
const SHIFTS = [0, 11, 22, 0, 11, 22];
const MASKS = [0x7ff, 0x7ff, 0x3ff, 0x7ff, 0x7ff, 0x3ff];
const PASSES = 6;

/** Ascending sort of x, with the permutation. */
export function argsort(x: ArrayLike<number>): SortedWithIndex {
  const n = x.length;
  // Order-preserving 64-bit keys (hi, lo): the sign bit flipped for positives, every bit flipped
  // for negatives.
  const f = new Float64Array(1);
  const w = new Uint32Array(f.buffer);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  let idx = new Uint32Array(n);
  const counts = new Uint32Array(PASSES * RADIX);
  for (let i = 0; i < n; i++) {
    f[0] = x[i] === 0 ? 0 : x[i];
    const h = w[1];
    const l = w[0];
    const kh = h >>> 31 ? ~h >>> 0 : (h ^ 0x80000000) >>> 0;
    const kl = h >>> 31 ? ~l >>> 0 : l;
    hi[i] = kh;
    lo[i] = kl;
    idx[i] = i;
    counts[kl & 0x7ff]++;
    counts[RADIX + ((kl >>> 11) & 0x7ff)]++;
    counts[2 * RADIX + (kl >>> 22)]++;
    counts[3 * RADIX + (kh & 0x7ff)]++;
    counts[4 * RADIX + ((kh >>> 11) & 0x7ff)]++;
    counts[5 * RADIX + (kh >>> 22)]++;
  }
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let d = 0; d < PASSES; d++) {
    const base = d * RADIX;
    if (!prefixSums(counts, base, n)) continue;
    const src = d < 3 ? lo : hi;
    const shift = SHIFTS[d];
    const mask = MASKS[d];
    for (let i = 0; i < n; i++) {
      const to = counts[base + ((src[i] >>> shift) & mask)]++;
      hi2[to] = hi[i];
      lo2[to] = lo[i];
      idx2[to] = idx[i];
    }
    const th = hi;
    hi = hi2;
    hi2 = th;
    const tl = lo;
    lo = lo2;
    lo2 = tl;
    const ti = idx;
    idx = idx2;
    idx2 = ti;
  }
  const values = new Float64Array(n);
  for (let j = 0; j < n; j++) values[j] = x[idx[j]] === 0 ? 0 : x[idx[j]];
  return { values, index: idx };
}

/**
 * Turn the counts of one digit into starting offsets. Returns false (nothing to do) when every key
 * has the same digit.
 */
function prefixSums(counts: Uint32Array, base: number, n: number): boolean {
  let sum = 0;
  for (let b = 0; b < RADIX; b++) {
    const c = counts[base + b];
    if (c === n) return false;
    counts[base + b] = sum;
    sum += c;
  }
  return true;
}

/** A sorted copy of x. */
export function sortValues(x: ArrayLike<number>): Float64Array {
  return argsort(x).values;
}

/**
 * Average ranks (1-based, ties averaged as R's rank(ties.method = "average")) of every element of
 * the original array, from its argsort.
 */
export function averageRanks(s: SortedWithIndex): Float64Array {
  const { values, index } = s;
  const n = values.length;
  const ranks = new Float64Array(n);
  let j = 0;
  while (j < n) {
    let k = j + 1;
    while (k < n && values[k] === values[j]) k++;
    const r = (j + 1 + k) / 2;
    for (let t = j; t < k; t++) ranks[index[t]] = r;
    j = k;
  }
  return ranks;
}
