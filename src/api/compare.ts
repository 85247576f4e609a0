/**
 * compare(): REML/BLUP and the Gibbs posterior of the same spec, side by side (src/reml/compare.ts),
 * from one prepared model.
 */
import { prepare } from '../blocks/plan.js';
import { MixmcError } from '../errors.js';
import { join } from 'node:path';
import { csvField, csvValue, writeFileAtomic } from '../output/files.js';
import { COMPARE_FILES, toJson } from '../output/runDir.js';
import { type ComparedEffect, compareResults, type CompareResult } from '../reml/compare.js';
import { nonGaussianTrait, reml, type RemlOptions, type RemlResult } from '../reml/reml.js';
import { fitModel, type FitOptions } from '../run/fitModel.js';
import type { FitResult, RunSpec } from '../types.js';

export type CompareOptions = FitOptions & { reml?: RemlOptions };

/**
 * Run REML/BLUP and the Gibbs fit on the same spec and compare them; with `outDir`, the run directory
 * also gets compare.json and compare.csv.
 */
export async function compare(spec: RunSpec, options: CompareOptions = {}): Promise<{ fit: FitResult; reml: RemlResult; comparison: CompareResult }> {
  const model = prepare(spec, options);
  const trait = nonGaussianTrait(model.design);
  if (trait) {
    throw new MixmcError(
      `compare sets the posterior beside REML, and REML is for Gaussian responses: '${trait.name}' is ${trait.family}; fit it with 'mixmc fit' and read its summary`,
      { term: 'family' },
    );
  }
  if (model.design.random.length === 0 && model.design.markers.length === 0)
    throw new MixmcError('compare needs a random term or markers', { term: 'formula' });
  const r = reml(model.design, { ...(options.reml ?? {}), markers: model.design.markers.length > 0 });
  const f = await fitModel(model, options);
  const { comparison, effects } = compareResults(f, r, model.design);
  if (options.outDir) writeComparison(options.outDir, comparison, effects);
  return { fit: f, reml: r, comparison };
}

/** compare.json, and compare.csv (term, label, blup, posterior_mean: one row per random-effect level, marker effect and GEBV). */
function writeComparison(dir: string, comparison: CompareResult, effects: readonly ComparedEffect[]): void {
  writeFileAtomic(join(dir, COMPARE_FILES.json), toJson(comparison));
  const rows = ['term,label,blup,posterior_mean'];
  for (const e of effects) rows.push([csvField(e.term), csvField(e.label), csvValue(e.blup), csvValue(e.posterior)].join(','));
  writeFileAtomic(join(dir, COMPARE_FILES.csv), `${rows.join('\n')}\n`);
}
