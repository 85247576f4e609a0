/**
 * What the marker sets of a multi-trait model give together: the genetic values g_s = Σ_sets M α_s of
 * every record and trait, recovered from the residual as g_s = y_s − e_s − X b_s − Σ_k Z_k u_k[s]
 * (y with the missing traits imputed); per draw their covariance matrix over the records (n − 1
 * denominator) var[genetic](s), cov[genetic](a,b), the correlations, and h2(s) = G_ss/(G_ss + R_ss);
 * and the GEBVs of every trait for the genotyped individuals (records first, then those without one).
 */
import { Stage, type Block, type Tracker } from '../../mcmc/block.js';
import type { ChainState } from '../../mcmc/state.js';
import type { Design } from '../../model/design.js';
import { covarianceElements, covarianceName, correlationName, GENETIC, H2, ofTrait } from '../../model/names.js';
import { gebvIndividuals, predictedAxpy } from '../genetic.js';

/** The traced names of the genetic block: the covariance elements, the correlations, h2 per trait. */
export function multiGeneticParams(traits: readonly string[]): string[] {
  const t = traits.length;
  const out = covarianceElements(t, true).map(([a, b]) => covarianceName(GENETIC, traits, a, b));
  for (let a = 0; a < t; a++) for (let b = a + 1; b < t; b++) out.push(correlationName(GENETIC, traits, a, b));
  for (const trait of traits) out.push(ofTrait(H2, trait, t));
  return out;
}

/** The GEBV tracker's labels: its individuals once per trait (trait-major). */
export function multiGebvLabels(design: Design): string[] {
  const { first, predIds } = gebvIndividuals(design);
  const ids = [...first.keys(), ...predIds];
  return Array.from({ length: design.traits.t }, () => ids).flat();
}

export class MultiGeneticBlock implements Block {
  readonly stage = Stage.Markers;
  readonly params: readonly string[];
  readonly gebv: Tracker;
  private readonly g: Float64Array;
  private readonly mean: Float64Array;
  private readonly cov: Float64Array;
  private readonly gebvBuffer: Float64Array;

  constructor(private readonly design: Design) {
    const { t, names } = design.traits;
    this.params = multiGeneticParams(names);
    this.g = new Float64Array(design.n * t);
    this.mean = new Float64Array(t);
    this.cov = new Float64Array(t * t);
    this.gebv = this.gebvTracker();
    this.gebvBuffer = new Float64Array(this.gebv.labels.length);
  }

  init(): void {}

  update(): void {}

  /** The GEBVs of every trait (the gebv tracker's order) in the current state, in a buffer this block owns. */
  gebvValues(state: ChainState): Float64Array {
    this.gebv.read(state, this.gebvBuffer);
    return this.gebvBuffer;
  }

  record(state: ChainState, row: Float64Array, offset: number): void {
    const { n } = this.design;
    const t = this.design.traits.t;
    const g = this.geneticValues(state);
    const { mean, cov } = this;
    for (let s = 0; s < t; s++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += g[s * n + i];
      mean[s] = m / n;
    }
    for (let a = 0; a < t; a++) {
      for (let b = a; b < t; b++) {
        let v = 0;
        for (let i = 0; i < n; i++) v += (g[a * n + i] - mean[a]) * (g[b * n + i] - mean[b]);
        cov[a * t + b] = v / Math.max(1, n - 1);
        cov[b * t + a] = cov[a * t + b];
      }
    }
    let o = offset;
    for (let a = 0; a < t; a++) for (let b = a; b < t; b++) row[o++] = cov[a * t + b];
    for (let a = 0; a < t; a++) for (let b = a + 1; b < t; b++) row[o++] = cov[a * t + b] / Math.sqrt(cov[a * t + a] * cov[b * t + b]);
    const r0 = state.multi!.covE;
    for (let s = 0; s < t; s++) row[o++] = cov[s * t + s] / (cov[s * t + s] + r0[s * t + s]);
  }

  /** g_s = y_s − e_s − X b_s − Σ_k Z_k u_k[s], trait-major. */
  private geneticValues(state: ChainState): Float64Array {
    const design = this.design;
    const { n } = design;
    const t = design.traits.t;
    const { p, colPtr, rowIdx, vals } = design.fixed;
    const { y, pitch } = state.multi!;
    const g = this.g;
    for (let s = 0; s < t; s++) {
      for (let i = 0; i < n; i++) g[s * n + i] = y[s * n + i] - state.e[s * pitch + i];
      for (let j = 0; j < p; j++) {
        const bj = state.b[s * p + j];
        for (let k = colPtr[j]; k < colPtr[j + 1]; k++) g[s * n + rowIdx[k]] -= vals[k] * bj;
      }
      design.random.forEach((r, k) => {
        const nc = r.coefs.length;
        const d = t * nc;
        const u = state.u[k];
        for (let i = 0; i < n; i++) for (let c = 0; c < nc; c++) g[s * n + i] -= (r.z ? r.z[i * nc + c] : 1) * u[r.level[i] * d + s * nc + c];
      });
    }
    return g;
  }

  /** GEBVs per trait: a record's genetic value for its first record, Σ_sets x'α_s for the genotyped individuals without one. */
  private gebvTracker(): Tracker {
    const design = this.design;
    const { n } = design;
    const t = design.traits.t;
    const { first: seen, predIds } = gebvIndividuals(design);
    const rowOf = design.markers.map((md) => {
      const row = new Map(md.predIds.map((id, i) => [id, i]));
      return Int32Array.from(predIds, (id) => row.get(id)!);
    });
    const first = Int32Array.from(seen.values());
    const nTrain = first.length;
    const per = nTrain + predIds.length;
    const alphaTrait = design.markers.map((md) => new Float64Array(md.p));
    return {
      labels: multiGebvLabels(design),
      read: (state, dst) => {
        const g = this.geneticValues(state);
        for (let s = 0; s < t; s++) {
          for (let i = 0; i < nTrain; i++) dst[s * per + i] = g[s * n + first[i]];
          for (let i = nTrain; i < per; i++) dst[s * per + i] = 0;
          design.markers.forEach((md, k) => {
            const beta = state.markers[k].beta;
            const a = alphaTrait[k];
            for (let j = 0; j < md.p; j++) a[j] = beta[j * t + s];
            for (let j = 0; j < md.p; j++) if (a[j] !== 0) predictedAxpy(md, j, a[j], rowOf[k], dst, s * per + nTrain);
          });
        }
      },
    };
  }
}
