/**
 * cv(): K-fold cross-validation of a spec. The units — individuals by the spec's `id` column, else
 * rows — with an observed response are shuffled by a stream keyed `mixmc:cv:SEED:REPEAT` and dealt
 * into K folds in turn (or taken from a fold column); for each fold the response of its units is
 * masked, the model fitted with the same seed, and the masked records predicted from their fitted
 * values (the linear predictor x'b + Σ z'u + m'β; for a threshold trait the expected category
 * index, the probability of the second category of a binary trait). Per fold and per repeat (all
 * folds' predictions pooled, and the mean over folds): correlation, slope of observed on predicted,
 * MSE, and AUC for a binary trait. With an output folder each finished fold is kept in folds/, so a
 * rerun with the same inputs and settings does only the folds that are missing (output/jobDir.ts).
 */
import { join } from 'node:path';
import { prepare, type PreparedModel } from '../blocks/plan.js';
import { type PredictionAccuracy, predictionAccuracy } from '../diagnostics/prediction.js';
import { MixmcError } from '../errors.js';
import { isMissing } from '../io/csv.js';
import { csvField, csvValue, writeFileAtomic } from '../output/files.js';
import { claimJobDir, readJobPart, writeJobPart } from '../output/jobDir.js';
import { type ChainPool, defaultWorkers, withPool } from '../parallel/pool.js';
import { Rng } from '../rng/rng.js';
import { canonicalHash, fingerprint } from '../run/fingerprint.js';
import { fitModel } from '../run/fitModel.js';
import type { DataRow, McmcConfig, RunSpec } from '../types.js';

export interface CvOptions extends McmcConfig {
  /** Number of folds (needed unless `foldColumn` gives them). */
  folds?: number;
  /** Repeats with other random folds (default 1). */
  repeats?: number;
  /** A data column whose values name each row's fold (instead of random folds; one repeat). */
  foldColumn?: string;
  /** The response masked in a multi-trait model (default the first). */
  trait?: string;
  /** Folder for cv.json, cv.csv, cv-predictions.csv and folds/. */
  outDir?: string;
  /** Start the cross-validation in outDir again. */
  force?: boolean;
  baseDir?: string;
  specFile?: string;
  pool?: ChainPool;
  /** Called when a fold starts and when it is done (or was done before). */
  onFold?: (e: { repeat: number; fold: string; index: number; of: number; done: boolean }) => void;
}

export interface CvFold extends PredictionAccuracy {
  repeat: number;
  fold: string;
}

export interface CvPrediction {
  id: string;
  /** 1-based data row. */
  row: number;
  repeat: number;
  fold: string;
  observed: number;
  predicted: number;
}

export interface CvResult {
  trait: string;
  binary: boolean;
  seed: number;
  folds: CvFold[];
  /** Per repeat: every fold's predictions pooled, and the mean of the folds' figures. */
  repeats: { repeat: number; pooled: PredictionAccuracy; mean: Omit<PredictionAccuracy, 'records'> & { records: number } }[];
  predictions: CvPrediction[];
}

/** What one fold's fit gives, as kept in folds/. */
interface FoldOutcome {
  repeat: number;
  fold: string;
  predictions: CvPrediction[];
}

/**
 * Cross-validate `spec`.
 * @throws MixmcError for bad settings (folds < 2, more folds than units, an unknown column or trait),
 *   or an output folder that holds another cross-validation.
 */
export async function cv(spec: RunSpec, options: CvOptions): Promise<CvResult> {
  const { folds: k, repeats = 1, foldColumn, outDir, onFold } = options;
  const overrides: McmcConfig = { chains: options.chains, iterations: options.iterations, burnin: options.burnin, thin: options.thin, seed: options.seed };
  // the full data's model: the spec checked once, the table, the trait and its coding
  const reference = prepare(spec, { ...overrides, baseDir: options.baseDir, specFile: options.specFile });
  const { table } = reference.resolved;
  const seed = reference.resolved.mcmc.seed;
  const traits = reference.design.traits;
  const trait = options.trait ?? traits.names[0];
  const s = traits.names.indexOf(trait);
  if (s < 0) throw new MixmcError(`--trait '${trait}' is not a response of the formula (responses: ${traits.names.join(', ')})`, {});
  const family = traits.families[s];
  if (family.kind === 'threshold' && traits.t > 1)
    throw new MixmcError(`cross-validation of the ${family.family} trait '${trait}' of a multi-trait model is not supported; fit it alone`, {});
  const binary = family.kind === 'threshold' && family.categories.length === 2;
  const column = table.header.indexOf(trait);
  const idCol = spec.id === undefined ? -1 : table.header.indexOf(spec.id);
  // rows with the response observed, grouped into units
  const rows = table.rows.flatMap((r, i) => (isMissing(r[column]) ? [] : [i]));
  const unitOf = (row: number): string => (idCol >= 0 ? table.rows[row][idCol] : String(row));
  const units = [...new Set(rows.map(unitOf))];
  let assignments: { repeat: number; foldOf: Map<string, string>; names: string[] }[];
  if (foldColumn !== undefined) {
    const fc = table.header.indexOf(foldColumn);
    if (fc < 0) throw new MixmcError(`--fold-column '${foldColumn}' is not a column of the data (columns: ${table.header.join(', ')})`, { column: foldColumn });
    const foldOf = new Map<string, string>();
    for (const r of rows) {
      const f = table.rows[r][fc];
      if (isMissing(f)) throw new MixmcError(`row ${r + 1} has no fold in column '${foldColumn}'`, { column: foldColumn, line: r + 2 });
      const before = foldOf.get(unitOf(r));
      if (before !== undefined && before !== f)
        throw new MixmcError(`'${unitOf(r)}' has records in folds '${before}' and '${f}'`, { column: foldColumn, line: r + 2 });
      foldOf.set(unitOf(r), f);
    }
    const names = [...new Set(foldOf.values())].sort();
    if (names.length < 2)
      throw new MixmcError(`--fold-column '${foldColumn}' names ${names.length} fold; cross-validation needs 2 or more`, { column: foldColumn });
    assignments = [{ repeat: 1, foldOf, names }];
  } else {
    if (k === undefined || !Number.isInteger(k) || k < 2) throw new MixmcError(`--folds must be an integer >= 2 (got ${k ?? 'none'})`, {});
    if (k > units.length) throw new MixmcError(`--folds ${k} is more than the ${units.length} units with a response`, {});
    if (!Number.isInteger(repeats) || repeats < 1) throw new MixmcError(`--repeats must be an integer >= 1 (got ${repeats})`, {});
    assignments = Array.from({ length: repeats }, (_, r) => ({ repeat: r + 1, foldOf: randomFolds(units, k, seed, r + 1), names: foldNames(k) }));
  }

  const key = canonicalHash({
    inputs: fingerprint(reference.resolved),
    mcmc: { ...reference.resolved.mcmc, workers: undefined },
    folds: k,
    repeats,
    foldColumn,
    trait,
  });
  if (outDir) claimJobDir(outDir, { what: 'cross-validation', marker: 'cv.json', parts: 'folds' }, key, options.force === true);

  const jobs = assignments.flatMap((a) => a.names.map((fold) => ({ repeat: a.repeat, fold, foldOf: a.foldOf })));
  // one pool for every fold's chains (unless the caller shares one, or runs them in this thread)
  const workers = options.workers ?? reference.resolved.mcmc.workers ?? defaultWorkers(reference.resolved.mcmc.chains);
  const outcomes = await withPool(workers, options.pool, async (pool) => {
    const out: FoldOutcome[] = [];
    for (const [index, job] of jobs.entries()) {
      const part = `r${job.repeat}-f${job.fold}`;
      const before = outDir ? readJobPart<FoldOutcome>(outDir, 'folds', part) : undefined;
      if (before) {
        out.push(before);
        onFold?.({ repeat: job.repeat, fold: job.fold, index, of: jobs.length, done: true });
        continue;
      }
      onFold?.({ repeat: job.repeat, fold: job.fold, index, of: jobs.length, done: false });
      const masked = rows.filter((r) => job.foldOf.get(unitOf(r)) === job.fold);
      const data = maskedData(table.header, table.rows, column, new Set(masked));
      const model = prepare({ ...spec, data }, { ...overrides, baseDir: options.baseDir, specFile: options.specFile });
      const res = await fitModel(model, { pool, workers }, false, {});
      if (res.interrupted || res.failures.length > 0)
        throw new MixmcError(`fold ${job.fold} of repeat ${job.repeat} did not finish: ${res.failures.map((f) => f.message).join('; ') || 'interrupted'}`, {});
      const outcome: FoldOutcome = { repeat: job.repeat, fold: job.fold, predictions: predictionsOf(model, res, s, masked, table.rows, column, idCol, job) };
      if (outDir) writeJobPart(outDir, 'folds', part, outcome);
      out.push(outcome);
      onFold?.({ repeat: job.repeat, fold: job.fold, index, of: jobs.length, done: true });
    }
    return out;
  });

  const observedValue = (p: CvPrediction) => p.observed;
  const folds: CvFold[] = outcomes.map((o) => ({
    repeat: o.repeat,
    fold: o.fold,
    ...predictionAccuracy(
      o.predictions.map(observedValue),
      o.predictions.map((p) => p.predicted),
      binary,
    ),
  }));
  const result: CvResult = {
    trait,
    binary,
    seed,
    folds,
    repeats: assignments.map((a) => {
      const mine = outcomes.filter((o) => o.repeat === a.repeat).flatMap((o) => o.predictions);
      const own = folds.filter((f) => f.repeat === a.repeat);
      const mean = (f: (x: CvFold) => number | undefined) => own.reduce((sum, x) => sum + (f(x) ?? NaN), 0) / own.length;
      return {
        repeat: a.repeat,
        pooled: predictionAccuracy(
          mine.map(observedValue),
          mine.map((p) => p.predicted),
          binary,
        ),
        mean: {
          records: mine.length,
          correlation: mean((x) => x.correlation),
          slope: mean((x) => x.slope),
          mse: mean((x) => x.mse),
          ...(binary ? { auc: mean((x) => x.auc) } : {}),
        },
      };
    }),
    predictions: outcomes.flatMap((o) => o.predictions),
  };
  if (outDir) writeCvFiles(outDir, result);
  return result;
}

/** Fold names 1 … K. */
function foldNames(k: number): string[] {
  return Array.from({ length: k }, (_, f) => String(f + 1));
}

/** The units shuffled (Fisher–Yates, stream `mixmc:cv:SEED:REPEAT`) and dealt into K folds in turn. */
export function randomFolds(units: readonly string[], k: number, seed: number, repeat: number): Map<string, string> {
  const rng = Rng.fromKey(`mixmc:cv:${seed}:${repeat}`);
  const order = units.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return new Map(order.map((u, i) => [u, String((i % k) + 1)]));
}

/** The data as rows of strings with the response of `masked` rows emptied (the file's own text otherwise, so it parses as the file does). */
export function maskedData(header: readonly string[], rows: readonly (readonly string[])[], column: number, masked: ReadonlySet<number>): DataRow[] {
  return rows.map((r, i) => Object.fromEntries(header.map((h, c) => [h, c === column && masked.has(i) ? '' : r[c]])));
}

/** The masked rows' predictions from a fold's fit: predicted records, or (multi-trait) the fitted value of the masked trait. */
function predictionsOf(
  model: PreparedModel,
  res: Awaited<ReturnType<typeof fitModel>>,
  s: number,
  masked: readonly number[],
  rows: readonly (readonly string[])[],
  column: number,
  idCol: number,
  job: { repeat: number; fold: string },
): CvPrediction[] {
  const { design } = model;
  const t = design.traits.t;
  const family = design.traits.families[s];
  const predicted = res.effects.predicted;
  const recordOf = new Map(Array.from(design.rows, (r, i) => [r, i]));
  const predictedOf = new Map(Array.from(design.predict.rows, (r, k) => [r, k]));
  const out: CvPrediction[] = [];
  for (const r of masked) {
    const text = rows[r][column];
    let observed: number;
    let value: number;
    const k = predictedOf.get(r);
    if (family.kind === 'threshold') {
      observed = family.categories.indexOf(text);
      if (k === undefined || !predicted?.categories) continue;
      const K = family.categories.length;
      // the expected category index: for a binary trait P(second category)
      value = 0;
      for (let c = 1; c < K; c++) value += c * predicted.categories.mean[k * K + c];
    } else {
      observed = Number(text);
      if (!Number.isFinite(observed)) continue;
      if (k !== undefined && predicted) value = predicted.mean[s * design.predict.m + k];
      else {
        const i = recordOf.get(r);
        if (i === undefined) continue;
        value = res.effects.fitted.mean[s * design.n + i];
      }
    }
    out.push({ id: idCol >= 0 ? rows[r][idCol] : String(r + 1), row: r + 1, repeat: job.repeat, fold: job.fold, observed, predicted: value });
  }
  if (t === 1 && out.length === 0) throw new MixmcError(`fold ${job.fold} of repeat ${job.repeat} has no record that could be predicted`, {});
  return out;
}

/** cv.csv (a row per fold, then per repeat the pooled and mean rows) and cv-predictions.csv. */
function writeCvFiles(dir: string, r: CvResult): void {
  const head = ['repeat', 'fold', 'records', 'correlation', 'slope', 'mse', ...(r.binary ? ['auc'] : [])];
  const line = (repeat: string, fold: string, a: PredictionAccuracy) =>
    [
      repeat,
      csvField(fold),
      String(a.records),
      csvValue(a.correlation),
      csvValue(a.slope),
      csvValue(a.mse),
      ...(r.binary ? [csvValue(a.auc ?? NaN)] : []),
    ].join(',');
  const lines = [head.join(',')];
  for (const f of r.folds) lines.push(line(String(f.repeat), f.fold, f));
  for (const x of r.repeats) {
    lines.push(line(String(x.repeat), 'pooled', x.pooled));
    lines.push(line(String(x.repeat), 'mean', x.mean));
  }
  writeFileAtomic(join(dir, 'cv.csv'), `${lines.join('\n')}\n`);
  const p = [
    'id,row,repeat,fold,observed,predicted',
    ...r.predictions.map((x) => [csvField(x.id), x.row, x.repeat, csvField(x.fold), csvValue(x.observed), csvValue(x.predicted)].join(',')),
  ];
  writeFileAtomic(join(dir, 'cv-predictions.csv'), `${p.join('\n')}\n`);
}
