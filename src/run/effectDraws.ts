/**
 * A fit's marker effects for the tools that use them after the run (predict, genomic windows): per
 * set, the markers, the training centring, E[β] and the saved draws of β of every chain, from a
 * FitResult in memory or from a run directory (effects/layout.json and effects/…/chain-K.f32). With
 * several traits the effects are marker-major: β[j·t + k] is marker j's effect on trait k.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import { effectsPath } from '../output/checkpoint.js';
import type { EffectLayout } from '../output/runDir.js';
import type { FitResult, MarkerInfo } from '../types.js';

/** One marker set's effects. */
export interface EffectSource {
  name: string;
  term: string;
  markers: readonly MarkerInfo[];
  means: Float64Array;
  center: Float64Array;
  /** Saved draws per chain, rows × p·t. */
  chains: Float32Array[];
  /** E[β], p·t values. */
  betaMean: Float64Array;
  /** The traits of a multi-trait set (t = 1 without). */
  traits?: readonly string[];
}

function fromFit(fit: FitResult): EffectSource[] {
  const sets = fit.effects.markerSets;
  if (sets.length === 0) throw new MixmcError('the fit has no marker set to predict from', { term: 'markers' });
  return sets.map((set, s) => ({
    name: set.name,
    term: set.term,
    markers: set.markers,
    means: set.means,
    center: set.center,
    chains: fit.chains.map((c) => {
      const e = c.effects[s];
      return e ? e.values.subarray(0, e.rows * e.size) : new Float32Array(0);
    }),
    betaMean: set.effects.mean,
    ...(set.traits ? { traits: set.traits } : {}),
  }));
}

function fromRunDir(dir: string): EffectSource[] {
  const file = join(dir, 'effects', 'layout.json');
  let layout: EffectLayout;
  try {
    layout = JSON.parse(readFileSync(file, 'utf8')) as EffectLayout;
  } catch (err) {
    throw new MixmcError(`not the run directory of a finished marker model fit (${(err as Error).message})`, { file });
  }
  if (layout.version !== 2) throw new MixmcError('the run was written by an older mixmc; fit it again with this version', { file });
  return layout.sets.map((set) => {
    const p = set.markers.length * (set.traits?.length ?? 1);
    const chains = set.rows.map((rows, k) => {
      if (rows === 0) return new Float32Array(0);
      const f = effectsPath(dir, k, set.name);
      const buf = readFileSync(f);
      if (buf.length < rows * p * 4)
        throw new MixmcError(`expected ${rows} draws of ${p} effects (${rows * p * 4} bytes), found ${buf.length} bytes`, { file: f });
      return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + rows * p * 4));
    });
    return {
      name: set.name,
      term: set.term,
      markers: set.markers,
      means: Float64Array.from(set.means),
      center: Float64Array.from(set.center),
      chains,
      betaMean: Float64Array.from(set.betaMean),
      ...(set.traits ? { traits: set.traits } : {}),
    };
  });
}

/**
 * Every marker set's effects of a fit or of a run directory.
 * @throws MixmcError when there is no marker set, or the run directory is not a finished marker fit.
 */
export function effectSources(source: FitResult | string): EffectSource[] {
  return typeof source === 'string' ? fromRunDir(source) : fromFit(source);
}
