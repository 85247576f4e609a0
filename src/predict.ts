/**
 * Genomic prediction for new individuals from a fitted marker model: GEBV_i = x_i'β, with x_i
 * centred by the training column means (missing genotypes imputed by the training means). With saved
 * draws of β (markers.saveEffects) it is computed for every draw, so that the posterior SD includes
 * the uncertainty of the effects; without them the mean is x_i'E[β] (exact, as the GEBV is linear in
 * β) and the SD, which needs the posterior covariance of β, is NaN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from './errors.js';
import { readGenotypes, type GenotypeTable, type MarkerInfo } from './io/genotypes.js';
import { alignNewGenotypes } from './model/markers.js';
import { RunningMoments } from './output/moments.js';
import type { FitResult } from './fit.js';

export interface Prediction {
  ids: string[];
  mean: Float64Array;
  sd: Float64Array;
  /** Number of posterior draws of β used (0: means only, from the posterior mean of β). */
  draws: number;
}

/** The layout of a run directory's saved effect draws (effects/layout.json). */
export interface EffectLayout {
  markers: MarkerInfo[];
  means: number[];
  center: number[];
  every: number;
  /** Saved draws per chain file effects/chain-K.f32 (K = 1, 2, …), each p Float32 values. */
  rows: number[];
  /** Posterior mean of every marker effect (all kept draws of all chains); absent before mixmc 0.1's default saveEffects = 0. */
  betaMean?: number[];
}

interface EffectSource {
  markers: readonly MarkerInfo[];
  means: Float64Array;
  center: Float64Array;
  chains: Float32Array[];
  betaMean: Float64Array | undefined;
}

function fromFit(fit: FitResult): EffectSource {
  const md = fit.design.markers;
  if (!md) throw new MixmcError('the fit has no marker term to predict from', { term: 'markers' });
  const chains = fit.chains.map((c) => (c.effects ? c.effects.values.subarray(0, c.effects.rows * c.effects.size) : new Float32Array(0)));
  const snp = fit.effects.find((e) => e.name === 'snp')!;
  return { markers: md.markers, means: md.means, center: md.center, chains, betaMean: snp.mean };
}

function fromRunDir(dir: string): EffectSource {
  let layout: EffectLayout;
  const file = join(dir, 'effects', 'layout.json');
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as EffectLayout;
  } catch (err) {
    throw new MixmcError(`not the run directory of a finished marker model fit (${(err as Error).message})`, { file });
  }
  const p = layout.markers.length;
  const chains = layout.rows.map((rows, k) => {
    if (rows === 0) return new Float32Array(0);
    const f = join(dir, 'effects', `chain-${k + 1}.f32`);
    const buf = readFileSync(f);
    if (buf.length < rows * p * 4) throw new MixmcError(`expected ${rows} draws of ${p} effects (${rows * p * 4} bytes), found ${buf.length} bytes`, { file: f });
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * p * 4));
  });
  return { markers: layout.markers, means: Float64Array.from(layout.means), center: Float64Array.from(layout.center), chains, betaMean: layout.betaMean && Float64Array.from(layout.betaMean) };
}

/**
 * GEBVs (posterior mean and SD) of the individuals in `genotypes`.
 * @param source a FitResult of a marker model, or the path of its run directory.
 * @param genotypes a .bed/.csv path or a GenotypeTable; markers are matched by id.
 */
export function predict(source: FitResult | string, genotypes: string | GenotypeTable): Prediction {
  const src = typeof source === 'string' ? fromRunDir(source) : fromFit(source);
  const g = typeof genotypes === 'string' ? readGenotypes(genotypes) : genotypes;
  const { ids, x } = alignNewGenotypes(g, src);
  const m = ids.length;
  const p = src.markers.length;
  const moments = new RunningMoments(m);
  const gebv = new Float64Array(m);
  let draws = 0;
  for (const values of src.chains) {
    const rows = values.length / p;
    for (let r = 0; r < rows; r++) {
      linearPredictor(x, m, values.subarray(r * p, (r + 1) * p), gebv);
      moments.push(gebv);
      draws++;
    }
  }
  if (draws === 0) {
    if (!src.betaMean) throw new MixmcError('the run directory has neither saved effect draws nor their posterior means; refit it with this version', { term: 'effects/layout.json' });
    linearPredictor(x, m, src.betaMean, gebv);
    return { ids, mean: gebv, sd: new Float64Array(m).fill(NaN), draws };
  }
  const sd = new Float64Array(m);
  for (let i = 0; i < m; i++) sd[i] = moments.sd(i);
  return { ids, mean: moments.mean, sd, draws };
}

/** out = Xβ for the m × p column-major centred genotypes X. Mutates: out. */
function linearPredictor(x: Float64Array | Float32Array, m: number, beta: ArrayLike<number>, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < beta.length; j++) {
    const bj = beta[j];
    if (bj === 0) continue;
    const off = j * m;
    for (let i = 0; i < m; i++) out[i] += x[off + i] * bj;
  }
}
