/**
 * Effective sample sizes as the R package posterior 1.4 computes them (Vehtari et al. 2021): Geyer's
 * initial monotone sequence on the multi-chain autocorrelation, bulk (rank-normalised) and tail
 * (quantile) ESS. NaN for undefined cases.
 */
import { anyNonFinite, checkChains, isConstant, prepare, splitChains, type Prepared } from './ranks.js';
import { pooled, quantileSorted, sorted, variance, type Chains } from './stats.js';

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
export function essOfValid(chains: Chains): number {
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
export function essQuantileOfValid(split: Chains, q: number): number {
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
