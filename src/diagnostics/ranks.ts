/**
 * What R-hat and ESS share: validity checks, split chains, and rank normalisation (Vehtari, Gelman,
 * Simpson, Carpenter & Bürkner 2021, "Rank-normalization, folding, and localization: an improved
 * R-hat for assessing convergence of MCMC", Bayesian Analysis 16:667), computed from one sort.
 */
import { isConstantRange } from '../numbers.js';
import { qnorm } from '../numbers.js';
import { argsort, rankScores, type SortedWithIndex } from './sort.js';
import { pooled, quantileSorted, type Chains } from './stats.js';

export function anyNonFinite(chains: Chains): boolean {
  for (const c of chains) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return true;
  return false;
}

/**
 * Whether the draws are one value up to rounding. posterior's is_constant compares the range with
 * double epsilon absolutely, which calls a quantity in units of 1e-10 constant; this test is
 * relative (isConstantRange), and agrees with posterior for quantities of order 1.
 */
export function isConstant(chains: Chains): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (let i = 0; i < c.length; i++) {
      if (c[i] < lo) lo = c[i];
      if (c[i] > hi) hi = c[i];
    }
  }
  return isConstantRange(lo, hi);
}

/** Chains of equal length, or an Error naming the lengths (the one case that throws: a caller bug). */
export function checkChains(chains: Chains): void {
  if (chains.length === 0) return;
  const n = chains[0].length;
  for (let k = 1; k < chains.length; k++) {
    if (chains[k].length !== n)
      throw new Error(`chains have unequal lengths (${chains.map((c) => c.length).join(', ')}); trim them to the same number of draws`);
  }
}

/**
 * Split every chain in halves (posterior's split_chains): the first floor(n/2) draws and the last
 * floor(n/2); with an odd n the middle draw is dropped.
 */
export function splitChains(chains: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of chains) {
    const n = c.length;
    if (n < 2) {
      out.push(c);
      continue;
    }
    const half = Math.floor(n / 2);
    out.push(c.subarray(0, half));
    // the second half starts at ceiling(n/2 + 1) (1-based), which skips the middle draw of an odd n
    out.push(c.subarray(Math.ceil(n / 2 + 1) - 1));
  }
  return out;
}

/** Φ⁻¹((r − 3/8)/(S + 1/4)) for r = 1..S, cached by S: every parameter of a run has the same S. */
const zTables = new Map<number, Float64Array>();

function zTable(S: number): Float64Array {
  let t = zTables.get(S);
  if (!t) {
    t = new Float64Array(S + 1);
    for (let r = 1; r <= S; r++) t[r] = qnorm((r - 3 / 8) / (S - 3 / 4 + 1));
    if (zTables.size > 16) zTables.clear();
    zTables.set(S, t);
  }
  return t;
}

/**
 * Φ⁻¹((r − 3/8)/(S − 3/4 + 1)) for the average rank r of every draw (posterior's z_scale, Blom's
 * offset), straight from the argsort: tied draws share their average rank.
 */
function normalScores(s: SortedWithIndex): Float64Array {
  const S = s.values.length;
  const table = zTable(S);
  // tied draws have half-integer average ranks, which the table does not hold
  return rankScores(s, (r) => (Number.isInteger(r) ? table[r] : qnorm((r - 3 / 8) / (S - 3 / 4 + 1))));
}

/** Cut pooled values back into chains of the given lengths (views, no copy). */
function unpool(x: Float64Array, lengths: readonly number[]): Float64Array[] {
  const out: Float64Array[] = [];
  let o = 0;
  for (const n of lengths) {
    out.push(x.subarray(o, o + n));
    o += n;
  }
  return out;
}

/**
 * Rank normalisation (posterior's z_scale): z = Φ⁻¹((r − 3/8)/(S − 3/4 + 1)), r the average rank
 * (ties averaged) among all S draws (Vehtari et al. 2021 eq. 14).
 */
export function zScale(chains: Chains): Float64Array[] {
  return unpool(
    normalScores(argsort(pooled(chains))),
    chains.map((c) => c.length),
  );
}

/**
 * The argsort of the folded draws |x − median| from the argsort of x, without another sort: below the
 * median the distance grows as x falls, above it as x rises, so the folded order is a merge of the
 * two sides walked outward from the median.
 */
function foldedArgsort(s: SortedWithIndex, median: number): SortedWithIndex {
  const { values, index } = s;
  const n = values.length;
  const fv = new Float64Array(n);
  const fi = new Uint32Array(n);
  let j = 0;
  while (j < n && values[j] < median) j++;
  let left = j - 1;
  let right = j;
  let t = 0;
  // |x − m| is m − x below the median and x − m at or above it (exactly, as rounding is symmetric)
  while (left >= 0 && right < n) {
    const dl = median - values[left];
    const dr = values[right] - median;
    if (dl <= dr) {
      fv[t] = dl;
      fi[t++] = index[left--];
    } else {
      fv[t] = dr;
      fi[t++] = index[right++];
    }
  }
  for (; left >= 0; left--) {
    fv[t] = median - values[left];
    fi[t++] = index[left];
  }
  for (; right < n; right++) {
    fv[t] = values[right] - median;
    fi[t++] = index[right];
  }
  return { values: fv, index: fi };
}

/**
 * What several statistics of one parameter share, computed once from a single sort of the pooled
 * draws: the sorted draws and the rank-normalised split chains of x (bulk) and of |x − median| (tail).
 */
export interface Prepared {
  sorted: Float64Array;
  zBulk: Float64Array[];
  zFold: Float64Array[];
}

/** One sort, then everything {@link Prepared} holds. Chains must be finite and of equal length. */
export function prepare(chains: Chains): Prepared {
  const all = pooled(chains);
  const s = argsort(all);
  const n = chains.length > 0 ? chains[0].length : 0;
  const median = quantileSorted(s.values, 0.5);
  if (n % 2 === 0) {
    // splitting an even chain keeps every draw, so ranks among the split draws are ranks among all
    const lengths = chains.flatMap(() => [n / 2, n / 2]);
    return { sorted: s.values, zBulk: unpool(normalScores(s), lengths), zFold: unpool(normalScores(foldedArgsort(s, median)), lengths) };
  }
  const split = splitChains(chains);
  return { sorted: s.values, zBulk: zScale(split), zFold: zScale(split.map((c) => c.map((v) => Math.abs(v - median)))) };
}
