/**
 * Pure diagnostic kernels over one parameter's draws, given as an array of chains (each a
 * Float64Array of equal length): DESIGN.md principle 8. They match the R package posterior 1.4
 * (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization, folding, and
 * localization: an improved R-hat") and coda 0.19 (Plummer et al. 2006), and never throw on
 * undefined cases: they return NaN as posterior returns NA.
 */
import { qbeta, qf, qnorm } from './special.js';
import { argsort, rankScores, sortValues, type SortedWithIndex } from './sort.js';

export type Chains = readonly Float64Array[];

// ---------------------------------------------------------------- basic statistics

/** All draws, chain 1 first. */
export function pooled(chains: Chains): Float64Array {
  let n = 0;
  for (const c of chains) n += c.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const c of chains) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function mean(x: ArrayLike<number>): number {
  // As R's mean: an accurate sum (R accumulates in long double; Neumaier's compensated sum is as
  // accurate here), then one refinement pass over the deviations.
  const n = x.length;
  const m = compensatedSum(x, 0) / n;
  if (!Number.isFinite(m)) return m;
  return m + compensatedSum(x, m) / n;
}

/** Σ (x_i − shift) by Neumaier's compensated summation. */
function compensatedSum(x: ArrayLike<number>, shift: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - shift;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}

/** Sample variance, denominator n − 1 (R's var). */
export function variance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  // Σ(x − m)² by Neumaier's compensated summation (as accurate as R's long-double sum), no temporary
  const m = mean(x);
  let s = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = (x[i] - m) * (x[i] - m);
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return (s + c) / (n - 1);
}

export function sd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x));
}

/** A sorted copy. */
export function sorted(x: Float64Array): Float64Array {
  return sortValues(x);
}

/** Quantile of sorted draws, R type 7 (posterior::quantile2, stats::quantile default). */
export function quantileSorted(s: Float64Array, p: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median absolute deviation × 1.4826 (stats::mad). */
export function mad(s: Float64Array): number {
  const med = quantileSorted(s, 0.5);
  const dev = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) dev[i] = Math.abs(s[i] - med);
  dev.sort();
  return 1.4826 * quantileSorted(dev, 0.5);
}

/** R's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Highest posterior density interval: the shortest interval holding a fraction `prob` of the sorted
 * pooled draws, as coda::HPDinterval (gap = max(1, min(n − 1, round(n·prob))), first minimum).
 */
export function hpdSorted(s: Float64Array, prob: number): [number, number] {
  const n = s.length;
  if (n < 2) return [NaN, NaN];
  const gap = Math.max(1, Math.min(n - 1, roundHalfEven(n * prob)));
  let best = 0;
  let width = Infinity;
  for (let i = 0; i + gap < n; i++) {
    const w = s[i + gap] - s[i];
    if (w < width) {
      width = w;
      best = i;
    }
  }
  return [s[best], s[best + gap]];
}

// ---------------------------------------------------------------- helpers shared by R-hat and ESS

function anyNonFinite(chains: Chains): boolean {
  for (const c of chains) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return true;
  return false;
}

/** posterior's is_constant: the range of the draws is below double epsilon. */
function isConstant(chains: Chains): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (let i = 0; i < c.length; i++) {
      if (c[i] < lo) lo = c[i];
      if (c[i] > hi) hi = c[i];
    }
  }
  return Math.abs(hi - lo) < Number.EPSILON;
}

/** Chains of equal length, or an Error naming the lengths (the one case that throws: a caller bug). */
export function checkChains(chains: Chains): void {
  if (chains.length === 0) return;
  const n = chains[0].length;
  for (let k = 1; k < chains.length; k++) {
    if (chains[k].length !== n) throw new Error(`chains have unequal lengths (${chains.map((c) => c.length).join(', ')}); trim them to the same number of draws`);
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
  return unpool(normalScores(argsort(pooled(chains))), chains.map((c) => c.length));
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

// ---------------------------------------------------------------- R-hat

/**
 * Basic R-hat of chains as given (posterior's rhat_basic with split already applied, or
 * not): sqrt(((n − 1)/n · W + B/n)/W). NaN for non-finite or constant draws.
 */
export function rhatBasic(chains: Chains, split = true): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains) || isConstant(chains)) return NaN;
  return rhatOfValid(split ? splitChains(chains) : chains);
}

/** {@link rhatBasic} of chains already split, checked, finite and not constant. */
function rhatOfValid(x: Chains): number {
  const n = x[0].length;
  if (n < 2 || x.length < 2) return NaN;
  const means = new Float64Array(x.length);
  let w = 0;
  for (let k = 0; k < x.length; k++) {
    means[k] = mean(x[k]);
    w += variance(x[k]);
  }
  w /= x.length;
  const between = n * variance(means);
  return Math.sqrt((between / w + n - 1) / n);
}

/**
 * Rank-normalised split R-hat: the larger of bulk R-hat (on rank-normalised draws) and tail R-hat
 * (on rank-normalised folded draws), as posterior::rhat.
 */
export function rhat(chains: Chains, prepared?: Prepared): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains) || isConstant(chains)) return NaN;
  const p = prepared ?? prepare(chains);
  return Math.max(rhatOfValid(p.zBulk), rhatOfValid(p.zFold));
}

// ---------------------------------------------------------------- ESS

/** posterior's fft_next_good_size: the smallest N' ≥ N of the form 2^a 3^b 5^c. */
export function fftNextGoodSize(n: number): number {
  if (n <= 2) return 2;
  for (;;) {
    let m = n;
    while (m % 2 === 0) m /= 2;
    while (m % 3 === 0) m /= 3;
    while (m % 5 === 0) m /= 5;
    if (m <= 1) return n;
    n++;
  }
}

/**
 * The mean over chains of each chain's autocovariance at a lag, as posterior's FFT-based
 * autocovariance gives them: the biased estimate (1/N)Σ y_t y_{t+k} times M/N, where
 * M = fftNextGoodSize(N) (posterior pads to 2M and divides by 2N²; the factor M/N is kept so that
 * results agree). Lags are computed directly, four per pass, while that is cheaper than an FFT of
 * every chain; past that point all lags come from one FFT per chain.
 */
class MeanAutocovariance {
  private readonly ys: Float64Array[];
  private readonly n: number;
  private readonly scale: number;
  private readonly direct: Float64Array;
  private computed = 0;
  private full: Float64Array | undefined;
  private readonly breakEven: number;

  /** Chain means (a plain sum is accurate enough here: the deviations, not the means, carry the result). */
  readonly means: Float64Array;

  constructor(chains: Chains) {
    this.n = chains[0].length;
    this.means = new Float64Array(chains.length);
    this.ys = chains.map((x, c) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      const m = s / x.length;
      this.means[c] = m;
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = x[i] - m;
      return y;
    });
    this.scale = fftNextGoodSize(this.n) / this.n / this.n;
    this.direct = new Float64Array(this.n + 4);
    let size = 1;
    while (size < 2 * this.n) size <<= 1;
    // an FFT pair costs about 10·size·log2(size) flops per chain; a direct lag costs 2·N
    this.breakEven = Math.max(16, Math.floor((5 * size * Math.log2(size)) / this.n));
  }

  at(lag: number): number {
    const n = this.n;
    if (lag >= n) return 0;
    if (this.full) return this.full[lag];
    if (lag >= this.breakEven) {
      const full = new Float64Array(n);
      for (const y of this.ys) {
        const a = autocovarianceFft(y, this.scale);
        for (let k = 0; k < n; k++) full[k] += a[k];
      }
      for (let k = 0; k < n; k++) full[k] /= this.ys.length;
      this.full = full;
      return full[lag];
    }
    while (this.computed <= lag) {
      // lags t … t + 3 in one pass: four independent sums keep the adder busy
      const t = this.computed;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (const y of this.ys) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        const last = n - t - 3;
        if (last > 0) {
          // w0 … w3 = y[i + t] … y[i + t + 3], slid along so that each step loads one new value
          let w0 = y[t];
          let w1 = y[t + 1];
          let w2 = y[t + 2];
          for (let i = 0; i < last; i++) {
            const yi = y[i];
            const w3 = y[i + t + 3];
            a0 += yi * w0;
            a1 += yi * w1;
            a2 += yi * w2;
            a3 += yi * w3;
            w0 = w1;
            w1 = w2;
            w2 = w3;
          }
        }
        // the products the shorter lags still have: i from max(last, 0) to n − lag − 1
        for (let i = Math.max(last, 0); i < n - t; i++) a0 += y[i] * y[i + t];
        for (let i = Math.max(last, 0); i < n - t - 1; i++) a1 += y[i] * y[i + t + 1];
        for (let i = Math.max(last, 0); i < n - t - 2; i++) a2 += y[i] * y[i + t + 2];
        s0 += a0;
        s1 += a1;
        s2 += a2;
        s3 += a3;
      }
      const f = this.scale / this.ys.length;
      this.direct[t] = s0 * f;
      this.direct[t + 1] = s1 * f;
      this.direct[t + 2] = s2 * f;
      this.direct[t + 3] = s3 * f;
      this.computed += 4;
    }
    return this.direct[lag];
  }
}

/** Σ_t y_t y_{t+k} · scale for every k, by FFT with zero padding to a power of two ≥ 2N. */
function autocovarianceFft(y: Float64Array, scale: number): Float64Array {
  const n = y.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(y);
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = (re[k] / size) * scale;
  return out;
}

/** In-place iterative radix-2 FFT (unnormalised); `inverse` flips the sign of the exponent. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/**
 * ESS of chains as given (posterior's .ess, applied after any split): Geyer's initial positive and
 * initial monotone sequences on the multi-chain autocorrelation ρ̂_t = 1 − (W − mean acov_t)/var⁺,
 * with the improved (antithetic-aware) end term and τ̂ ≥ 1/log10(S).
 * NaN for under 3 draws per chain or non-finite draws; S (the number of draws) when constant.
 */
export function essBasicUnsplit(chains: Chains): number {
  checkChains(chains);
  const m = chains.length;
  if (m === 0) return NaN;
  const n = chains[0].length;
  if (n < 3 || anyNonFinite(chains)) return NaN;
  if (isConstant(chains)) return m * n;
  return essOfValid(chains);
}

/** {@link essBasicUnsplit} of chains already checked: ≥ 3 finite draws each, not constant. */
function essOfValid(chains: Chains): number {
  const m = chains.length;
  const n = chains[0].length;
  const acov = new MeanAutocovariance(chains);
  const meanAcov = (t: number): number => acov.at(t);
  const chainMeans = acov.means;
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += variance(chainMeans);

  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  rho[0] = rhoEven;
  let rhoOdd = 1 - (meanVar - meanAcov(1)) / varPlus;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = 1 - (meanVar - meanAcov(t)) / varPlus;
    rhoOdd = 1 - (meanVar - meanAcov(t + 1)) / varPlus;
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  const S = m * n;
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k];
  let tau = -1 + 2 * sum + rho[maxT];
  tau = Math.max(tau, 1 / Math.log10(S));
  return S / tau;
}

/** posterior::ess_basic = ess_mean: split chains, no rank normalisation. */
export function essBasic(chains: Chains): number {
  return essBasicUnsplit(splitChains(chains));
}

/** posterior::ess_bulk: ESS of the rank-normalised split chains. */
export function essBulk(chains: Chains, prepared?: Prepared): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains)) return NaN;
  if (isConstant(chains)) return essBasicUnsplit(splitChains(chains));
  return essBasicUnsplit((prepared ?? prepare(chains)).zBulk);
}

/** posterior::ess_quantile for one probability: ESS of the indicator x ≤ q̂(prob) on split chains. */
export function essQuantile(chains: Chains, prob: number, sortedDraws?: Float64Array): number {
  checkChains(chains);
  if (chains.length === 0 || anyNonFinite(chains)) return NaN;
  if (isConstant(chains)) return essBasicUnsplit(splitChains(chains));
  return essQuantileOfValid(splitChains(chains), quantileSorted(sortedDraws ?? sorted(pooled(chains)), prob));
}

/** ESS of the indicator x ≤ q on split chains of finite, non-constant draws. */
function essQuantileOfValid(split: Chains, q: number): number {
  let ones = 0;
  const ind = split.map((c) => {
    const out = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) {
      if (c[i] <= q) {
        out[i] = 1;
        ones++;
      }
    }
    return out;
  });
  const S = split.length * split[0].length;
  if (split[0].length < 3) return NaN;
  return ones === 0 || ones === S ? S : essOfValid(ind);
}

/** posterior::ess_tail: the smaller of the 5% and 95% quantile ESS. */
export function essTail(chains: Chains, sortedDraws?: Float64Array): number {
  const s = sortedDraws ?? (chains.length > 0 && !anyNonFinite(chains) ? sorted(pooled(chains)) : undefined);
  return Math.min(essQuantile(chains, 0.05, s), essQuantile(chains, 0.95, s));
}

// ---------------------------------------------------------------- MCSE

/**
 * R-hat, bulk and tail ESS and the MCSE of the mean of one parameter, for the summary table: the
 * same values as {@link rhat}, {@link essBulk}, {@link essTail} and {@link mcseMean}, with the
 * checks done once. The chains must be checked, finite and of equal length; `sd` is sd(pooled draws).
 */
export function convergence(chains: Chains, prepared: Prepared, sd: number): { rhat: number; essBulk: number; essTail: number; mcseMean: number } {
  if (chains.length === 0 || isConstant(chains)) {
    return { rhat: rhat(chains, prepared), essBulk: essBulk(chains, prepared), essTail: essTail(chains, prepared.sorted), mcseMean: mcseMean(chains) };
  }
  const split = splitChains(chains);
  const n = split[0].length;
  const s = prepared.sorted;
  return {
    rhat: Math.max(rhatOfValid(prepared.zBulk), rhatOfValid(prepared.zFold)),
    essBulk: n < 3 ? NaN : essOfValid(prepared.zBulk),
    essTail: Math.min(essQuantileOfValid(split, quantileSorted(s, 0.05)), essQuantileOfValid(split, quantileSorted(s, 0.95))),
    mcseMean: n < 3 ? NaN : sd / Math.sqrt(isConstant(split) ? split.length * n : essOfValid(split)),
  };
}

/** posterior::mcse_mean: sd(x)/sqrt(ess_mean(x)). */
export function mcseMean(chains: Chains): number {
  return sd(pooled(chains)) / Math.sqrt(essBasic(chains));
}

/**
 * posterior 1.4 mcse_sd: the variance of the variance estimate by Kenney & Keeping (1951, p. 141),
 * which does not assume normality, with the ESS of the squared centred draws, carried to the SD by a
 * first-order Taylor expansion:
 *   c = x − mean(x), ess = ess_mean(c²), Evar = mean(c²), varvar = (mean(c⁴) − Evar²)/ess,
 *   mcse_sd = sqrt(varvar/Evar/4).
 */
export function mcseSd(chains: Chains): number {
  const m = mean(pooled(chains));
  const sq = chains.map((c) => c.map((v) => (v - m) * (v - m)));
  const ess = essBasic(sq);
  const all = pooled(sq);
  const evar = mean(all);
  let m4 = 0;
  for (let i = 0; i < all.length; i++) m4 += all[i] * all[i];
  m4 /= all.length;
  const varvar = (m4 - evar * evar) / ess;
  return Math.sqrt(varvar / evar / 4);
}

/**
 * posterior 1.4 mcse_quantile for one probability: half the distance between the order statistics
 * floor(a₁S) and ceiling(a₂S), where a₁, a₂ are the 15.9% and 84.1% quantiles of
 * Beta(ess·p + 1, ess·(1 − p) + 1) and S the number of draws.
 */
export function mcseQuantile(chains: Chains, prob: number, sortedDraws?: Float64Array): number {
  const s = sortedDraws ?? sorted(pooled(chains));
  const ess = essQuantile(chains, prob, s);
  if (Number.isNaN(ess)) return NaN;
  const S = s.length;
  const a1 = qbeta(0.1586553, ess * prob + 1, ess * (1 - prob) + 1);
  const a2 = qbeta(0.8413447, ess * prob + 1, ess * (1 - prob) + 1);
  const th1 = s[Math.max(Math.floor(a1 * S), 1) - 1];
  const th2 = s[Math.min(Math.ceil(a2 * S), S) - 1];
  return (th2 - th1) / 2;
}

// ---------------------------------------------------------------- coda

/**
 * coda::gelman.diag with autoburnin = FALSE for one variable: the classic potential scale reduction
 * factor with Brooks & Gelman's (1998) degrees-of-freedom correction (d + 3)/(d + 1), and its upper
 * confidence limit. Needs ≥ 2 chains.
 */
export function gelmanRubin(chains: Chains, confidence = 0.95): { psrf: number; upper: number } {
  checkChains(chains);
  const m = chains.length;
  if (m < 2 || anyNonFinite(chains)) return { psrf: NaN, upper: NaN };
  const n = chains[0].length;
  if (n < 2) return { psrf: NaN, upper: NaN };
  const s2 = Float64Array.from(chains, (c) => variance(c));
  const xbar = Float64Array.from(chains, (c) => mean(c));
  const w = mean(s2);
  const b = n * variance(xbar);
  if (!(w > 0)) return { psrf: NaN, upper: NaN };
  const muhat = mean(xbar);
  const varW = variance(s2) / m;
  const varB = (2 * b * b) / (m - 1);
  const xbar2 = xbar.map((v) => v * v);
  const covWB = (n / m) * (covariance(s2, xbar2) - 2 * muhat * covariance(s2, xbar));
  const V = ((n - 1) * w) / n + ((1 + 1 / m) * b) / n;
  const varV = ((n - 1) ** 2 * varW + (1 + 1 / m) ** 2 * varB + 2 * (n - 1) * (1 + 1 / m) * covWB) / (n * n);
  const dfV = (2 * V * V) / varV;
  const dfAdj = (dfV + 3) / (dfV + 1);
  const bDf = m - 1;
  const wDf = (2 * w * w) / varW;
  const r2Fixed = (n - 1) / n;
  const r2Random = (1 + 1 / m) * (1 / n) * (b / w);
  const psrf = Math.sqrt(dfAdj * (r2Fixed + r2Random));
  const upper = Math.sqrt(dfAdj * (r2Fixed + qf((1 + confidence) / 2, bDf, wDf) * r2Random));
  return { psrf, upper };
}

function covariance(x: Float64Array, y: Float64Array): number {
  const mx = mean(x);
  const my = mean(y);
  const prod = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) prod[i] = (x[i] - mx) * (y[i] - my);
  return compensatedSum(prod, 0) / (x.length - 1);
}

/**
 * coda's spectrum0.ar: the spectral density at 0 of an AR(p) model fitted by Yule–Walker, the order
 * chosen by AIC up to min(n − 1, floor(10·log10 n)) (stats::ar defaults). 0 when the linearly
 * detrended series is constant.
 */
export function spectrum0Ar(x: Float64Array): number {
  const n = x.length;
  if (n < 2) return NaN;
  if (detrendedIsConstant(x)) return 0;
  const m = mean(x);
  const orderMax = Math.min(n - 1, Math.floor(10 * Math.log10(n)));
  const r = new Float64Array(orderMax + 1);
  for (let k = 0; k <= orderMax; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (x[t] - m) * (x[t + k] - m);
    r[k] = s / n;
  }
  // Levinson–Durbin: phi[p] holds the AR(p) coefficients, vars[p] the innovation variance.
  const vars = new Float64Array(orderMax + 1);
  vars[0] = r[0];
  const phis: Float64Array[] = [new Float64Array(0)];
  let prev = new Float64Array(0);
  for (let p = 1; p <= orderMax; p++) {
    let num = r[p];
    for (let j = 1; j < p; j++) num -= prev[j - 1] * r[p - j];
    const k = num / vars[p - 1];
    const cur = new Float64Array(p);
    for (let j = 1; j < p; j++) cur[j - 1] = prev[j - 1] - k * prev[p - j - 1];
    cur[p - 1] = k;
    vars[p] = vars[p - 1] * (1 - k * k);
    phis.push(cur);
    prev = cur;
  }
  let order = 0;
  let best = Infinity;
  for (let p = 0; p <= orderMax; p++) {
    const aic = n * Math.log(vars[p]) + 2 * p + 2;
    if (aic < best) {
      best = aic;
      order = p;
    }
  }
  const varPred = (vars[order] * n) / (n - (order + 1));
  let sumAr = 0;
  for (let j = 0; j < order; j++) sumAr += phis[order][j];
  return varPred / (1 - sumAr) ** 2;
}

/**
 * coda's test `identical(all.equal(sd(residuals(lm(x ~ t))), 0), TRUE)`: all.equal compares a positive
 * target with 0 on the relative scale (difference 1) unless the target is at most its tolerance
 * 1.5e-8, so the series counts as constant exactly when the detrended SD is ≤ 1.5e-8.
 */
function detrendedIsConstant(x: Float64Array): boolean {
  const n = x.length;
  const tm = (n + 1) / 2;
  const xm = mean(x);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i + 1 - tm) * (x[i] - xm);
    sxx += (i + 1 - tm) ** 2;
  }
  const slope = sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const res = x[i] - xm - slope * (i + 1 - tm);
    ss += res * res;
  }
  return Math.sqrt(ss / (n - 1)) <= 1.5e-8;
}

/** coda::effectiveSize of an mcmc.list: the sum over chains of n·var(x)/spectrum0.ar(x). */
export function effectiveSizeCoda(chains: Chains): number {
  let total = 0;
  for (const c of chains) {
    const spec = spectrum0Ar(c);
    total += spec === 0 ? 0 : (c.length * variance(c)) / spec;
  }
  return total;
}

/**
 * Geweke's (1992) z-score for one chain, as coda::geweke.diag(frac1 = 0.1, frac2 = 0.5): the
 * difference of the means of the first 10% and last 50%, over its spectral standard error.
 */
export function geweke(chain: Float64Array, frac1 = 0.1, frac2 = 0.5): number {
  const n = chain.length;
  if (n < 4 || !chain.every(Number.isFinite)) return NaN;
  // coda: window(x, end = ceiling(start + frac1·(end − start))) and window(x, start = floor(end − frac2·(end − start)))
  const end1 = Math.ceil(1 + frac1 * (n - 1));
  const start2 = Math.floor(n - frac2 * (n - 1));
  const a = chain.subarray(0, end1);
  const b = chain.subarray(start2 - 1);
  const sa = spectrum0Ar(a);
  const sb = spectrum0Ar(b);
  return (mean(a) - mean(b)) / Math.sqrt(sa / a.length + sb / b.length);
}

