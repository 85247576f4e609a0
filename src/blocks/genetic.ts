/**
 * What the marker sets give together: the genetic value of every record g = Σ_s M_s β_s, recovered in
 * O(n) from the residual as g = y − e − Xb − Σ_k Z_k u_k; var[genetic] = var(g) over the records,
 * h² = var[genetic]/(var[genetic] + σ²e), both per draw; and the GEBVs of the genotyped individuals
 * (records first, by the first record of each id, then those with genotypes but no record, which
 * include the individuals of records with a missing response).
 */
import { Stage, type Block, type Tracker } from '../mcmc/block.js';
import { type ChainState, responseOf } from '../mcmc/state.js';
import type { Design } from '../model/design.js';
import { H2, VAR_GENETIC } from '../model/names.js';

export class GeneticBlock implements Block {
  readonly stage = Stage.Markers;
  readonly params = [VAR_GENETIC, H2];
  readonly gebv: Tracker;
  private readonly design: Design;
  private readonly g: Float64Array;
  private readonly gebvBuffer: Float64Array;
  /** var[genetic] of the last recorded draw. */
  varGenetic = 0;

  constructor(design: Design) {
    this.design = design;
    this.g = new Float64Array(design.n);
    this.gebv = gebvTracker(design, (state) => this.geneticValues(state));
    this.gebvBuffer = new Float64Array(this.gebv.labels.length);
  }

  /** The GEBV of every individual of the gebv tracker's labels, in the current state (a buffer this block owns). */
  gebvValues(state: ChainState): Float64Array {
    this.gebv.read(state, this.gebvBuffer);
    return this.gebvBuffer;
  }

  /** Nothing to draw: the sets' blocks move β. */
  init(): void {}

  update(): void {}

  record(state: ChainState, row: Float64Array, offset: number): void {
    const g = this.geneticValues(state);
    let m = 0;
    for (let i = 0; i < g.length; i++) m += g[i];
    m /= g.length;
    let v = 0;
    for (let i = 0; i < g.length; i++) v += (g[i] - m) * (g[i] - m);
    v /= Math.max(1, g.length - 1);
    this.varGenetic = v;
    row[offset] = v;
    row[offset + 1] = v / (v + state.varE[0]);
  }

  /** g = y − e − Xb − Σ_k Z_k u_k: the marker part of the fitted values of the records. */
  private geneticValues(state: ChainState): Float64Array {
    const y = responseOf(state, this.design);
    const { p, colPtr, rowIdx, vals } = this.design.fixed;
    const g = this.g;
    const e = state.e;
    for (let i = 0; i < g.length; i++) g[i] = y[i] - e[i];
    for (let j = 0; j < p; j++) {
      const bj = state.b[j];
      for (let k = colPtr[j]; k < colPtr[j + 1]; k++) g[rowIdx[k]] -= vals[k] * bj;
    }
    this.design.random.forEach((r, k) => {
      const u = state.u[k];
      for (let i = 0; i < g.length; i++) g[i] -= u[r.level[i]];
    });
    return g;
  }
}

/** dst[offset + i] += a·x_{row[i], j} over the set's individuals without a record (imputed, centred). Mutates: dst. */
export function predictedAxpy(md: Design['markers'][number], j: number, a: number, row: Int32Array, dst: Float64Array, offset: number): void {
  const { codes, stride } = md.pred;
  const mean = md.means[j];
  const c = md.center[j];
  const base = j * stride;
  for (let i = 0; i < row.length; i++) {
    const r = row[i];
    const code = (codes[base + (r >> 2)] >> ((r & 3) * 2)) & 3;
    dst[offset + i] += a * ((code === 3 ? mean : code) - c);
  }
}

/** The first record of every id, and the individuals genotyped in every set without a record (in the first set's order). */
export function gebvIndividuals(design: Design): { first: Map<string, number>; predIds: string[] } {
  const first = new Map<string, number>();
  design.ids.forEach((id, i) => {
    if (!first.has(id)) first.set(id, i);
  });
  const sets = design.markers;
  const rows = sets.map((md) => new Set(md.predIds));
  const predIds = sets.length > 0 ? sets[0].predIds.filter((id) => rows.every((r) => r.has(id))) : [];
  return { first, predIds };
}

/** The GEBV tracker's labels: the ids of the records (first record of each), then the genotyped individuals without one. */
export function gebvLabels(design: Design): string[] {
  const { first, predIds } = gebvIndividuals(design);
  return [...first.keys(), ...predIds];
}

/**
 * GEBVs: for the first record of each id, its genetic value; for individuals genotyped in every set
 * but without a record, Σ_s x_s'β_s from the sets' prediction rows.
 */
function gebvTracker(design: Design, genetic: (state: ChainState) => Float64Array): Tracker {
  const { first: seen, predIds } = gebvIndividuals(design);
  const sets = design.markers;
  const rowOf = sets.map((md) => {
    const row = new Map(md.predIds.map((id, i) => [id, i]));
    return Int32Array.from(predIds, (id) => row.get(id)!);
  });
  const first = Int32Array.from(seen.values());
  const nTrain = first.length;
  const m = predIds.length;
  return {
    labels: [...seen.keys(), ...predIds],
    read: (state, dst) => {
      const g = genetic(state);
      for (let i = 0; i < nTrain; i++) dst[i] = g[first[i]];
      if (m === 0) return;
      for (let i = 0; i < m; i++) dst[nTrain + i] = 0;
      sets.forEach((md, s) => {
        const beta = state.markers[s].beta;
        const row = rowOf[s];
        for (let j = 0; j < md.p; j++) {
          const bj = beta[j];
          if (bj !== 0) predictedAxpy(md, j, bj, row, dst, nTrain);
        }
      });
    },
  };
}
