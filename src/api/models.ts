/**
 * models(): fits of the same data ranked by WAIC, from their run directories (summary.json's
 * criteria and pointwise.csv). The difference of each fit from the best, in elpd and in WAIC, has
 * the SE of a paired sum over the records (Vehtari, Gelman & Gabry 2017, eq. 24); fits that are not
 * on the same records (ids, order and responses) are ranked but not differenced, and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sumWithSe } from '../diagnostics/criteria.js';
import { MixmcError } from '../errors.js';
import { isMissing, parseNumber, readTable } from '../io/csv.js';
import { POINTWISE_FILE } from '../output/runDir.js';
import type { ModelCriteria } from '../types.js';

/** One fit in a ranking. */
export interface RankedModel {
  dir: string;
  criteria: ModelCriteria;
  /** WAIC − the best WAIC, and its SE (undefined for the best, or when the records differ). */
  waicDiff?: number;
  waicDiffSe?: number;
}

export interface ModelRanking {
  /** Best (lowest WAIC) first. */
  models: RankedModel[];
  /** Whether every fit is on the same records with the same responses. */
  sameRecords: boolean;
  /** Why the fits cannot be differenced, when they are not on the same records. */
  reason?: string;
}

interface Pointwise {
  ids: string[];
  observed: Float64Array;
  elpd: Float64Array;
}

function readCriteria(dir: string): ModelCriteria {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) throw new MixmcError(`${dir} has no summary.json: is it a finished mixmc run directory?`, { file });
  const summary = JSON.parse(readFileSync(file, 'utf8')) as { criteria?: ModelCriteria };
  if (!summary.criteria) {
    throw new MixmcError(`${file} has no WAIC: it was written by a mixmc before 0.2; refit it to compare`, { file });
  }
  return summary.criteria;
}

function readPointwise(dir: string): Pointwise {
  const file = join(dir, POINTWISE_FILE);
  if (!existsSync(file)) throw new MixmcError(`${dir} has no ${POINTWISE_FILE}; refit it to compare`, { file });
  const table = readTable(file);
  const column = (name: string): number => {
    const c = table.header.indexOf(name);
    if (c < 0) throw new MixmcError(`${file} has no column '${name}'`, { file, column: name });
    return c;
  };
  const [id, observed, elpd] = [column('id'), column('observed'), column('elpd_waic')];
  const number = (v: string): number => (isMissing(v) ? Number.NaN : parseNumber(v));
  return {
    ids: table.rows.map((r) => r[id]),
    observed: Float64Array.from(table.rows, (r) => number(r[observed])),
    elpd: Float64Array.from(table.rows, (r) => number(r[elpd])),
  };
}

/** Why two fits' records differ, or undefined when they are the same records with the same responses. */
function recordsDiffer(a: Pointwise, b: Pointwise): string | undefined {
  if (a.ids.length !== b.ids.length) return `${a.ids.length} records against ${b.ids.length}`;
  for (let i = 0; i < a.ids.length; i++) {
    if (a.ids[i] !== b.ids[i]) return `record ${i + 1} is '${a.ids[i]}' in one and '${b.ids[i]}' in the other`;
    const same = a.observed[i] === b.observed[i] || (Number.isNaN(a.observed[i]) && Number.isNaN(b.observed[i]));
    if (!same) return `record '${a.ids[i]}' has the response ${a.observed[i]} in one and ${b.observed[i]} in the other`;
  }
  return undefined;
}

/**
 * Rank the fits in `dirs` by WAIC.
 * @throws MixmcError naming a directory without a finished fit.
 */
export function models(dirs: readonly string[]): ModelRanking {
  if (dirs.length < 2) throw new MixmcError('models compares two or more run directories', { term: 'models' });
  const fits = dirs.map((dir) => ({ dir, criteria: readCriteria(dir), pointwise: readPointwise(dir) }));
  fits.sort((a, b) => a.criteria.waic - b.criteria.waic);
  const best = fits[0];
  let reason: string | undefined;
  for (const f of fits.slice(1)) {
    const why = recordsDiffer(best.pointwise, f.pointwise);
    if (why) {
      reason = `${best.dir} and ${f.dir} are not fits of the same records (${why}): their WAICs are not comparable`;
      break;
    }
  }
  const ranked: RankedModel[] = fits.map((f, k) => {
    if (k === 0 || reason) return { dir: f.dir, criteria: f.criteria };
    const diff = sumWithSe(Float64Array.from(best.pointwise.elpd, (e, i) => e - f.pointwise.elpd[i]));
    return { dir: f.dir, criteria: f.criteria, waicDiff: 2 * diff.sum, waicDiffSe: 2 * diff.se };
  });
  return { models: ranked, sameRecords: reason === undefined, ...(reason ? { reason } : {}) };
}
