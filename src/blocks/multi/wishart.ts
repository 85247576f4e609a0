/**
 * Draws from the inverse-Wishart distribution, Σ ~ IW(ν, Ψ) with density ∝ |Σ|^-(ν+d+1)/2
 * exp(−tr(ΨΣ⁻¹)/2): Σ⁻¹ ~ Wishart(ν, Ψ⁻¹) is drawn by the Bartlett decomposition (Bartlett 1933;
 * Smith & Hocking 1972, Appl. Statist. 21:341): with Ψ⁻¹ = L L' and A lower triangular,
 * A_ii = sqrt(χ²(ν − i)) (i = 0 … d − 1), A_ij ~ N(0, 1) below the diagonal, Σ⁻¹ = (LA)(LA)', so
 * Σ = (T T')⁻¹ with T = LA, whose Cholesky factor T is at hand. No allocation per draw.
 */
import { choleskyInPlace, inverseFromCholeskyInto } from '../../linalg/dense.js';
import { chiSquare, normal } from '../../rng/dist.js';
import type { UniformSource } from '../../rng/rng.js';

export class InverseWishart {
  private readonly l: Float64Array;
  private readonly inv: Float64Array;
  private readonly a: Float64Array;
  private readonly t: Float64Array;
  private readonly work: Float64Array;

  constructor(private readonly d: number) {
    const dd = d * d;
    this.l = new Float64Array(dd);
    this.inv = new Float64Array(dd);
    this.a = new Float64Array(dd);
    this.t = new Float64Array(dd);
    this.work = new Float64Array(dd);
  }

  /**
   * out ← a draw of IW(df, psi) (d × d row-major; psi symmetric positive definite, df > d − 1).
   * @throws Error when psi is not positive definite.
   */
  draw(rng: UniformSource, df: number, psi: Float64Array, out: Float64Array): void {
    const { d, l, inv, a, t, work } = this;
    l.set(psi.subarray(0, d * d));
    if (choleskyInPlace(l, d) >= 0) throw new Error('the inverse-Wishart scale matrix is not positive definite');
    inverseFromCholeskyInto(l, d, inv, work);
    if (choleskyInPlace(inv, d) >= 0) throw new Error('the inverse-Wishart scale matrix is not positive definite');
    // inv now holds L with L L' = Ψ⁻¹; A by rows: the normals below the diagonal, then the diagonal
    a.fill(0);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) a[i * d + j] = normal(rng);
      a[i * d + i] = Math.sqrt(chiSquare(rng, df - i));
    }
    // T = L A (lower triangular)
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = j; k <= i; k++) s += inv[i * d + k] * a[k * d + j];
        t[i * d + j] = s;
      }
      for (let j = i + 1; j < d; j++) t[i * d + j] = 0;
    }
    inverseFromCholeskyInto(t, d, out, work);
  }
}
