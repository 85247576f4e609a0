/**
 * The run directory (README "Run directory"): run.json (written when the run starts and when it
 * stops), draws/chain-K.csv (K = 1, 2, …, streamed by the chains), checkpoints/, summary.json,
 * fitted.csv (posterior mean and SD of the fitted value of every record, observed or predicted), and
 * for marker models markers.csv (markers-NAME.csv per named set), gebv.csv and effects/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MixmcError } from '../errors.js';
import type { FitResult, MarkerInfo, MarkerSetReport, MatrixPriorReport, PriorReport, ResolvedMcmc, RunSpec, Summary } from '../types.js';
import { VERSION } from '../version.js';
import { csvField, csvValue, fileSafe, writeFileAtomic } from './files.js';

/** The object written as summary.json (and printed by `mixmc summary --json`): the fit's summary with the run's settings in meta. */
export function summaryObject(res: FitResult): Summary {
  const { run, summary } = res;
  return {
    ...summary,
    meta: {
      ...summary.meta,
      run: {
        version: VERSION,
        iterations: run.mcmc.iterations,
        burnin: run.mcmc.burnin,
        thin: run.mcmc.thin,
        seed: run.mcmc.seed,
        priors: run.priors,
        ...(run.covariancePriors ? { covariancePriors: run.covariancePriors } : {}),
        fixedVariances: run.fixedVariances,
        records: run.records,
      },
    },
  };
}

/** JSON with NaN and ±Infinity written as null (JSON has neither). */
export function toJson(o: unknown): string {
  return `${JSON.stringify(o, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** run.json: everything needed to understand, reproduce, resume or extend a run. */
export interface RunRecord {
  version: string;
  spec: RunSpec;
  /** The folder the spec's relative paths are resolved against. */
  baseDir: string;
  mcmc: ResolvedMcmc;
  priors: PriorReport[];
  markerSets: MarkerSetReport[];
  fixedVariances: Record<string, number | number[][]>;
  /** The covariance-matrix priors of a multivariate model. */
  covariancePriors?: MatrixPriorReport[];
  /** Per marker set: effect draws kept every saveEvery-th kept draw (fixed at the first run). */
  saveEvery: number[];
  /** The marker sweep kernel. */
  kernel: 'wasm' | 'js';
  /** Random terms with a pedigree or genomic covariance (h2 is derived for them). */
  geneticTerms: string[];
  /** The traced parameters held fixed (a fixed variance, a fixed matrix's elements and correlations, a liability's unit variance). */
  heldFixed: string[];
  seeds: { chain: number; key: string }[];
  /** SHA-256 of the spec and of every input file, checked on resume. */
  fingerprint: { spec: string; files: Record<string, string> };
  started: string;
  /** When the run was resumed or extended. */
  resumed?: string[];
  ended?: string;
  status: 'running' | 'finished' | 'interrupted' | 'failed';
  /** What stopped a failed run. */
  error?: string;
  chains: { chain: number; stream: string; status: string; completed: number; draws: number; error?: string }[];
}

export function writeRunJson(dir: string, record: RunRecord): void {
  writeFileAtomic(join(dir, 'run.json'), toJson(record));
}

export function readRunJson(dir: string): RunRecord {
  const file = join(dir, 'run.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch (err) {
    throw new MixmcError(`not a mixmc run directory: ${(err as Error).message}`, { file });
  }
}

/** One marker set of effects/layout.json: what `predict` needs to use its effects. */
export interface EffectSetLayout {
  /** '' for the unnamed set. */
  name: string;
  term: string;
  markers: MarkerInfo[];
  means: number[];
  center: number[];
  every: number;
  /** Saved draws per chain file (see effectsPath), each `markers.length` Float32 values. */
  rows: number[];
  /** Posterior mean of every marker effect (all kept draws of all chains; marker-major with several traits). */
  betaMean: number[];
  /** The traits of a multi-trait set. */
  traits?: string[];
}

/** effects/layout.json. */
export interface EffectLayout {
  version: 2;
  sets: EffectSetLayout[];
}

/** The name of a set's markers file: markers.csv for the unnamed set, markers-NAME.csv otherwise. */
export function markersFile(name: string): string {
  return name === '' ? 'markers.csv' : `markers-${name}.csv`;
}

/**
 * The files written when the chains stop: summary.json (with WAIC and DIC), pointwise.csv, fitted.csv (for a threshold trait the
 * observed category and the probability p[CATEGORY] of each; for a censored one the bounds lower
 * and upper), effects/TERM.csv per random
 * term, and for marker models the markers files, gebv.csv and effects/layout.json (the chains
 * streamed draws/ and effects/ already).
 */
export function writeResults(dir: string, res: FitResult): void {
  const { fitted, predicted } = res.effects;
  const byTrait = fitted.traits !== undefined;
  const categories = fitted.categories?.names ?? [];
  const K = categories.length;
  const bounds = fitted.bounds;
  const header = [
    'id',
    ...(byTrait ? ['trait'] : []),
    'observed',
    ...(bounds ? ['lower', 'upper'] : []),
    'mean',
    'sd',
    ...categories.map((c) => csvField(`p[${c}]`)),
  ];
  const lines = [header.join(',')];
  const row = (id: string, trait: string | undefined, observed: string[], mean: number, sd: number, p: Float64Array | undefined, i: number): string =>
    [
      csvField(id),
      ...(byTrait ? [csvField(trait ?? '')] : []),
      ...observed,
      csvValue(mean),
      csvValue(sd),
      ...(p ? Array.from(p.subarray(i * K, i * K + K), csvValue) : []),
    ].join(',');
  const observed = (i: number): string[] => {
    if (fitted.observedCategory) return [csvField(fitted.observedCategory[i])];
    if (bounds) return [csvValue(fitted.observed[i]), csvValue(bounds.lower[i]), csvValue(bounds.upper[i])];
    return [csvValue(fitted.observed[i])];
  };
  fitted.labels.forEach((id, i) => lines.push(row(id, fitted.traits?.[i], observed(i), fitted.mean[i], fitted.sd[i], fitted.categories?.mean, i)));
  if (predicted) {
    const missing = bounds ? ['NA', 'NA', 'NA'] : ['NA'];
    predicted.labels.forEach((id, i) => lines.push(row(id, predicted.traits?.[i], missing, predicted.mean[i], predicted.sd[i], predicted.categories?.mean, i)));
  }
  writeFileAtomic(join(dir, 'fitted.csv'), `${lines.join('\n')}\n`);
  writePointwise(dir, res);
  writeRandomEffects(dir, res);
  writeMarkerFiles(dir, res);
  writeFileAtomic(join(dir, 'summary.json'), toJson(summaryObject(res)));
}

/** The files of a compare run: the comparison, and every effect compared. */
export const COMPARE_FILES = { json: 'compare.json', csv: 'compare.csv' } as const;

/** The file of a fit's per-record WAIC terms. */
export const POINTWISE_FILE = 'pointwise.csv';

/**
 * pointwise.csv (id, observed, lppd, p_waic, elpd_waic, mean_loglik): a fit's per-record WAIC terms
 * (diagnostics/criteria.ts), every digit kept, for `mixmc models`.
 */
function writePointwise(dir: string, res: FitResult): void {
  const p = res.effects.pointwise;
  if (!p) return;
  const exact = (x: number): string => (Number.isFinite(x) ? String(x) : csvValue(x));
  const rows = ['id,observed,lppd,p_waic,elpd_waic,mean_loglik'];
  p.ids.forEach((id, i) =>
    rows.push([csvField(id), exact(p.observed[i]), exact(p.lppd[i]), exact(p.pWaic[i]), exact(p.elpd[i]), exact(p.meanLogLik[i])].join(',')),
  );
  writeFileAtomic(join(dir, POINTWISE_FILE), `${rows.join('\n')}\n`);
}

/** The file of a random term's levels: effects/TERM.csv (characters other than letters, digits, '.', '_' and '-' become '_'). */
export function randomEffectsFile(term: string): string {
  return join('effects', `${fileSafe(term)}.csv`);
}

/**
 * effects/TERM.csv per random term: level, posterior mean and SD, posterior variance (PEV) and
 * reliability, one row per level (BLUPF90's solutions, BGLR's ETA$u), for every term however many
 * levels it has.
 */
function writeRandomEffects(dir: string, res: FitResult): void {
  for (const r of res.effects.random) {
    const d = r.components.length;
    const rows = [d > 0 ? 'level,component,mean,sd,pev,reliability' : 'level,mean,sd,pev,reliability'];
    r.mean.forEach((mean, j) => {
      const level = r.levels[d > 0 ? Math.floor(j / d) : j];
      const sd = r.sd[j];
      rows.push(
        [csvField(level), ...(d > 0 ? [csvField(r.components[j % d])] : []), csvValue(mean), csvValue(sd), csvValue(sd * sd), csvValue(r.reliability[j])].join(
          ',',
        ),
      );
    });
    writeFileAtomic(join(dir, randomEffectsFile(r.term)), `${rows.join('\n')}\n`);
  }
}

/**
 * markers.csv per set (id, chr, pos, the counted allele whose count each effect multiplies and the
 * other, mean, sd, pip), gebv.csv (id, mean, sd) and effects/layout.json.
 */
function writeMarkerFiles(dir: string, res: FitResult): void {
  const sets = res.effects.markerSets;
  if (sets.length === 0) return;
  for (const set of sets) {
    const traits = set.traits;
    const t = traits?.length ?? 1;
    const rows = [traits ? 'id,chr,pos,counted,other,trait,mean,sd,pip' : 'id,chr,pos,counted,other,mean,sd,pip'];
    const { effects, pip } = set;
    set.markers.forEach((m, j) => {
      for (let s = 0; s < t; s++) {
        const k = j * t + s;
        rows.push(
          [
            csvField(m.id),
            csvField(m.chr),
            csvField(m.pos),
            csvField(m.a1 ?? 'NA'),
            csvField(m.a2 ?? 'NA'),
            ...(traits ? [csvField(traits[s])] : []),
            csvValue(effects.mean[k]),
            csvValue(effects.sd[k]),
            pip ? csvValue(pip.mean[k]) : 'NA',
          ].join(','),
        );
      }
    });
    writeFileAtomic(join(dir, markersFile(set.name)), `${rows.join('\n')}\n`);
  }
  const gebv = res.effects.gebv;
  if (gebv) {
    const g = [gebv.traits ? 'id,trait,mean,sd' : 'id,mean,sd'];
    gebv.labels.forEach((id, i) =>
      g.push([csvField(id), ...(gebv.traits ? [csvField(gebv.traits[i])] : []), csvValue(gebv.mean[i]), csvValue(gebv.sd[i])].join(',')),
    );
    writeFileAtomic(join(dir, 'gebv.csv'), `${g.join('\n')}\n`);
  }
  const layout: EffectLayout = {
    version: 2,
    sets: sets.map((set, s) => {
      const saved = res.chains.map((c) => c.effects[s]);
      return {
        name: set.name,
        term: set.term,
        markers: set.markers.map((m) => ({ ...m })),
        ...(set.traits ? { traits: [...set.traits] } : {}),
        means: Array.from(set.means),
        center: Array.from(set.center),
        every: saved.find((x) => x)?.every ?? 0,
        rows: saved.map((x) => x?.rows ?? 0),
        betaMean: Array.from(set.effects.mean),
      };
    }),
  };
  writeFileAtomic(join(dir, 'effects', 'layout.json'), toJson(layout));
}
