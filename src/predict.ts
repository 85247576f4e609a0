/**
 * Genomic prediction for new individuals from a fitted marker model: GEBV_i = x_i'β, with x_i
 * centred by the training column means (missing genotypes imputed by the training means), computed
 * for every saved draw of β, so that the posterior SD includes the uncertainty of the effects.
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
  /** Number of posterior draws of β used. */
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
}

interface EffectSource {
  markers: readonly MarkerInfo[];
  means: Float64Array;
  center: Float64Array;
  chains: Float32Array[];
}

function fromFit(fit: FitResult): EffectSource {
  const md = fit.design.markers;
  if (!md) throw new MixmcError('the fit has no marker term to predict from', { term: 'markers' });
  const chains = fit.chains.map((c) => (c.effects ? c.effects.values.subarray(0, c.effects.rows * c.effects.size) : new Float32Array(0)));
  return { markers: md.markers, means: md.means, center: md.center, chains };
}

function fromRunDir(dir: string): EffectSource {
  let layout: EffectLayout;
  const file = join(dir, 'effects', 'layout.json');
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as EffectLayout;
  } catch (err) {
    throw new MixmcError(`no saved marker effects in this run directory (${(err as Error).message}); fit a marker model with markers.saveEffects > 0`, { file });
  }
  const p = layout.markers.length;
  const chains = layout.rows.map((rows, k) => {
    const f = join(dir, 'effects', `chain-${k + 1}.f32`);
    const buf = readFileSync(f);
    if (buf.length < rows * p * 4) throw new MixmcError(`expected ${rows} draws of ${p} effects (${rows * p * 4} bytes), found ${buf.length} bytes`, { file: f });
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * p * 4));
  });
  return { markers: layout.markers, means: Float64Array.from(layout.means), center: Float64Array.from(layout.center), chains };
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
      gebv.fill(0);
      for (let j = 0; j < p; j++) {
        const bj = values[r * p + j];
        if (bj === 0) continue;
        const off = j * m;
        for (let i = 0; i < m; i++) gebv[i] += x[off + i] * bj;
      }
      moments.push(gebv);
      draws++;
    }
  }
  if (draws === 0) throw new MixmcError('the fit kept no draws of the marker effects (markers.saveEffects = 0?)', { term: 'markers.saveEffects' });
  const sd = new Float64Array(m);
  for (let i = 0; i < m; i++) sd[i] = moments.sd(i);
  return { ids, mean: moments.mean, sd, draws };
}
