/**
 * Running means and variances (Welford 1962) of high-dimensional quantities, so that posterior means
 * and SDs of thousands of effects need no stored draws.
 */
export class RunningMoments {
  readonly size: number;
  count = 0;
  readonly mean: Float64Array;
  /** Sum of squared deviations from the running mean. */
  readonly m2: Float64Array;

  /** Zero moments of `size` values, or (with `mean` and `m2`) moments over those arrays, not copied. */
  constructor(size: number, mean?: Float64Array, m2?: Float64Array) {
    this.size = size;
    this.mean = mean ?? new Float64Array(size);
    this.m2 = m2 ?? new Float64Array(size);
  }

  /** Add one draw. No allocation. */
  push(x: Float64Array): void {
    this.count++;
    const n = this.count;
    const mean = this.mean;
    const m2 = this.m2;
    const size = this.size;
    for (let i = 0; i < size; i++) {
      const xi = x[i];
      const d = xi - mean[i];
      const mi = mean[i] + d / n;
      mean[i] = mi;
      m2[i] += d * (xi - mi);
    }
  }

  /** Sample SD (denominator count − 1) of element i. */
  sd(i: number): number {
    return this.count > 1 ? Math.sqrt(this.m2[i] / (this.count - 1)) : NaN;
  }

  /**
   * Merge moments of several chains (Chan, Golub & LeVeque 1979), giving the pooled mean and SD.
   */
  static pool(parts: readonly RunningMoments[]): RunningMoments {
    const size = parts[0].size;
    const out = new RunningMoments(size);
    for (const p of parts) {
      if (p.count === 0) continue;
      const n = out.count + p.count;
      for (let i = 0; i < size; i++) {
        const d = p.mean[i] - out.mean[i];
        out.m2[i] += p.m2[i] + (d * d * out.count * p.count) / n;
        out.mean[i] += (d * p.count) / n;
      }
      out.count = n;
    }
    return out;
  }

  /** A plain object for JSON checkpoints. */
  toJSON(): { count: number; mean: number[]; m2: number[] } {
    return { count: this.count, mean: Array.from(this.mean), m2: Array.from(this.m2) };
  }

  /** Moments given as typed arrays (e.g. from a worker), without copying them. */
  static from(o: { count: number; mean: Float64Array; m2: Float64Array }): RunningMoments {
    const r = new RunningMoments(o.mean.length, o.mean, o.m2);
    r.count = o.count;
    return r;
  }

  static fromJSON(o: { count: number; mean: number[]; m2: number[] }): RunningMoments {
    const r = new RunningMoments(o.mean.length);
    r.count = o.count;
    r.mean.set(o.mean);
    r.m2.set(o.m2);
    return r;
  }
}
