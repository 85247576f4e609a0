/**
 * Genomic prediction for new individuals from a fitted marker model: GEBV_i = Σ_s x_is'β_s, with x_is
 * centred by the training column means of set s (missing genotypes imputed by the training means),
 * per trait in a multi-trait model (GEBV_ik = Σ_s x_is'β_s,k). With saved draws of β (the same
 * saveEffects in every set) it is computed for every draw, so that the posterior SD includes the
 * uncertainty of the effects; otherwise the mean is Σ_s x_is'E[β_s] (exact, as the GEBV is linear in
 * β) and the SD, which needs the posterior covariance of β, is NaN.
 */
import { MixmcError } from '../errors.js';
import { readGenotypes, type GenotypeTable } from '../io/genotypes.js';
import { RunningMoments } from '../mcmc/moments.js';
import { alignNewGenotypes, codeAt, type PackedGenotypes } from '../model/markers.js';
import { effectSources, type EffectSource } from '../run/effectDraws.js';
import type { FitResult, Prediction } from '../types.js';

/** New genotypes: one table (or file) for every set, or one per set by name ('' or 'markers' for the unnamed set). */
export type NewGenotypes = string | GenotypeTable | Readonly<Record<string, string | GenotypeTable>>;

function genotypesFor(set: EffectSource, g: NewGenotypes): GenotypeTable {
  const given = typeof g === 'string' || 'column' in g ? g : (g[set.name] ?? g[set.term]);
  if (given === undefined) throw new MixmcError(`no genotypes given for the marker set '${set.term}'`, { term: set.term });
  return typeof given === 'string' ? readGenotypes(given) : (given as GenotypeTable);
}

/**
 * GEBVs (posterior mean and SD) of the individuals in `genotypes` (those of the first set; each
 * further set must have them all).
 * @param source a FitResult of a marker model, or the path of its run directory.
 * @param genotypes a .bed/.csv path or a GenotypeTable used for every set (markers matched by id), or one per set by name.
 */
export function predict(source: FitResult | string, genotypes: NewGenotypes): Prediction {
  const sets = effectSources(source);
  const aligned = sets.map((set) => ({ set, ...alignNewGenotypes(genotypesFor(set, genotypes), set) }));
  const ids = aligned[0].ids;
  const alleles = aligned.map((a) => ({ term: a.set.term, ...a.alleles }));
  const m = ids.length;
  // each set's rows in the order of the first set's individuals
  const rowsOf = aligned.map((a) => {
    const row = new Map(a.ids.map((id, i) => [id, i]));
    const missing = ids.filter((id) => !row.has(id));
    if (missing.length > 0)
      throw new MixmcError(`${missing.length} individual(s) have no genotypes for ${a.set.term}, e.g. ${missing.slice(0, 5).join(', ')}`, { term: a.set.term });
    return Int32Array.from(ids, (id) => row.get(id)!);
  });
  // every set of a multi-trait model has the model's traits
  const traits = sets[0].traits;
  const t = traits?.length ?? 1;
  const gebv = new Float64Array(m * t);
  const part = new Float64Array(m);
  /** gebv[k·m + i] += x_i'β_k of set s, β the set's p·t effects (marker-major). */
  const addSet = (s: number, beta: ArrayLike<number>): void => {
    for (let k = 0; k < t; k++) {
      linearPredictor(aligned[s].genotypes, sets[s], beta, t, k, rowsOf[s], part);
      for (let i = 0; i < m; i++) gebv[k * m + i] += part[i];
    }
  };
  // draws of every set's β that belong together: only when every set kept the same draws (same saveEffects)
  const saved = sets.map((s) => s.chains.map((c) => c.length / (s.markers.length * t)));
  const aligned0 = saved.every((r) => r.join() === saved[0].join());
  const draws = aligned0 ? saved[0].reduce((a, r) => a + r, 0) : 0;
  const withTraits = traits ? { traits } : {};
  if (draws === 0) {
    sets.forEach((set, s) => addSet(s, set.betaMean));
    return { ids, mean: gebv, sd: new Float64Array(m * t).fill(NaN), ...withTraits, draws, alleles };
  }
  const moments = new RunningMoments(m * t);
  const cursors = sets.map((s) => ({ chain: 0, row: 0, size: s.markers.length * t }));
  for (let d = 0; d < draws; d++) {
    gebv.fill(0);
    sets.forEach((set, s) => {
      const c = cursors[s];
      while (c.row * c.size >= set.chains[c.chain].length) {
        c.chain++;
        c.row = 0;
      }
      addSet(s, set.chains[c.chain].subarray(c.row * c.size, (c.row + 1) * c.size));
      c.row++;
    });
    moments.push(gebv);
  }
  const sd = new Float64Array(m * t);
  for (let i = 0; i < m * t; i++) sd[i] = moments.sd(i);
  return { ids, mean: moments.mean, sd, ...withTraits, draws, alleles };
}

/**
 * out_i = x_{rows[i]}'β_k, x the imputed (training means) and centred genotypes, β_k = (beta[j·stride + k])_j
 * (one trait's effects of marker-major effects; stride 1, k 0 with one trait). Mutates: out.
 */
function linearPredictor(
  g: PackedGenotypes,
  set: { means: Float64Array; center: Float64Array },
  beta: ArrayLike<number>,
  stride: number,
  k: number,
  rows: Int32Array,
  out: Float64Array,
): void {
  out.fill(0);
  for (let j = 0; j < set.means.length; j++) {
    const bj = beta[j * stride + k];
    if (bj === 0) continue;
    const mean = set.means[j];
    const c = set.center[j];
    for (let i = 0; i < rows.length; i++) {
      const code = codeAt(g, j, rows[i]);
      out[i] += bj * ((code === 3 ? mean : code) - c);
    }
  }
}
