/**
 * Genomic prediction for new individuals from a fitted marker model: GEBV_i = Σ_s x_is'β_s, with x_is
 * centred by the training column means of set s (missing genotypes imputed by the training means).
 * With saved draws of β (the same saveEffects in every set) it is computed for every draw, so that the
 * posterior SD includes the uncertainty of the effects; otherwise the mean is Σ_s x_is'E[β_s] (exact,
 * as the GEBV is linear in β) and the SD, which needs the posterior covariance of β, is NaN.
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
  const gebv = new Float64Array(m);
  const part = new Float64Array(m);
  // draws of every set's β that belong together: only when every set kept the same draws (same saveEffects)
  const saved = sets.map((s) => s.chains.map((c) => c.length / s.markers.length));
  const aligned0 = saved.every((r) => r.join() === saved[0].join());
  const draws = aligned0 ? saved[0].reduce((a, r) => a + r, 0) : 0;
  if (draws === 0) {
    aligned.forEach((a, s) => {
      linearPredictor(a.genotypes, sets[s], sets[s].betaMean, rowsOf[s], part);
      for (let i = 0; i < m; i++) gebv[i] += part[i];
    });
    return { ids, mean: gebv, sd: new Float64Array(m).fill(NaN), draws, alleles };
  }
  const moments = new RunningMoments(m);
  const cursors = sets.map((s) => ({ chain: 0, row: 0, p: s.markers.length }));
  for (let d = 0; d < draws; d++) {
    gebv.fill(0);
    aligned.forEach((a, s) => {
      const c = cursors[s];
      while (c.row * c.p >= sets[s].chains[c.chain].length) {
        c.chain++;
        c.row = 0;
      }
      const values = sets[s].chains[c.chain];
      linearPredictor(a.genotypes, sets[s], values.subarray(c.row * c.p, (c.row + 1) * c.p), rowsOf[s], part);
      c.row++;
      for (let i = 0; i < m; i++) gebv[i] += part[i];
    });
    moments.push(gebv);
  }
  const sd = new Float64Array(m);
  for (let i = 0; i < m; i++) sd[i] = moments.sd(i);
  return { ids, mean: moments.mean, sd, draws, alleles };
}

/** out_i = x_{rows[i]}'β, x the imputed (training means) and centred genotypes. Mutates: out. */
function linearPredictor(
  g: PackedGenotypes,
  set: { means: Float64Array; center: Float64Array },
  beta: ArrayLike<number>,
  rows: Int32Array,
  out: Float64Array,
): void {
  out.fill(0);
  for (let j = 0; j < beta.length; j++) {
    const bj = beta[j];
    if (bj === 0) continue;
    const mean = set.means[j];
    const c = set.center[j];
    for (let i = 0; i < rows.length; i++) {
      const code = codeAt(g, j, rows[i]);
      out[i] += bj * ((code === 3 ? mean : code) - c);
    }
  }
}
