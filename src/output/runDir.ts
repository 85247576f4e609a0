/**
 * The run directory (DESIGN.md): run.json (written when the run starts and when it stops),
 * draws/chain-K.csv (K = 1, 2, …, streamed by the chains), checkpoints/, summary.json, fitted.csv
 * (posterior mean and SD of the fitted value of every record, observed or predicted), and for marker
 * models markers.csv, gebv.csv and effects/.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { MixmcError } from '../errors.js';
import type { ResolvedMcmc } from '../model/spec.js';
import type { MarkerHyper } from '../blocks/markers/kernel.js';
import type { PriorReport, RunSpec } from '../types.js';
import type { FitResult } from '../fit.js';
import { VERSION } from '../version.js';
import { csvField, csvNumber, writeFileAtomic } from './files.js';
import type { EffectLayout } from '../predict.js';

export interface SummaryFile {
  parameters: FitResult['summary'];
  warnings: FitResult['warnings'];
  meta: Record<string, unknown>;
}

/** The object written as summary.json (and printed by `mixmc summary --json`). */
export function summaryObject(res: FitResult): SummaryFile {
  return {
    parameters: res.summary,
    warnings: res.warnings,
    meta: {
      version: VERSION,
      chains: res.chains.length,
      drawsPerChain: res.chains.map((c) => c.iterations.length),
      iterations: res.mcmc.iterations,
      burnin: res.mcmc.burnin,
      thin: res.mcmc.thin,
      seed: res.mcmc.seed,
      priors: res.priors,
      fixedVariances: res.fixedVariances,
      records: res.design.n,
    },
  };
}

/** JSON with NaN written as null (JSON has no NaN). */
export function toJson(o: unknown): string {
  return JSON.stringify(o, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** run.json: everything needed to understand, reproduce, resume or extend a run. */
export interface RunRecord {
  version: string;
  spec: RunSpec;
  /** The folder the spec's relative paths are resolved against. */
  baseDir: string;
  mcmc: ResolvedMcmc;
  priors: PriorReport[];
  markerHyper?: MarkerHyper;
  fixedVariances: Record<string, number>;
  /** Marker-effect draws kept every saveEvery-th kept draw (fixed at the first run). */
  saveEvery: number;
  /** Random terms with a pedigree or genomic covariance (h2 is derived for them). */
  geneticTerms: string[];
  seeds: { chain: number; key: string }[];
  started: string;
  ended?: string;
  status: 'running' | 'finished' | 'interrupted' | 'failed';
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

/**
 * The files written when the chains stop: summary.json, fitted.csv, and for marker models
 * markers.csv, gebv.csv and effects/layout.json (the chains streamed draws/ and effects/ already).
 */
export function writeResults(dir: string, res: FitResult): void {
  const fitted = res.effects.find((e) => e.name === 'fitted');
  const predicted = res.effects.find((e) => e.name === 'predicted');
  const lines = ['id,observed,mean,sd'];
  if (fitted) fitted.labels.forEach((id, i) => lines.push([csvField(id), csvNumber(res.design.y[i]), csvNumber(fitted.mean[i]), csvNumber(fitted.sd[i])].join(',')));
  if (predicted) predicted.labels.forEach((id, i) => lines.push([csvField(id), 'NA', csvNumber(predicted.mean[i]), csvNumber(predicted.sd[i])].join(',')));
  writeFileAtomic(join(dir, 'fitted.csv'), lines.join('\n') + '\n');
  writeMarkerFiles(dir, res);
  writeFileAtomic(join(dir, 'summary.json'), toJson(summaryObject(res)));
}

/** markers.csv (id, chr, pos, mean, sd, pip), gebv.csv (id, mean, sd) and the saved effect draws. */
function writeMarkerFiles(dir: string, res: FitResult): void {
  const md = res.design.markers;
  if (!md) return;
  const snp = res.effects.find((e) => e.name === 'snp')!;
  const pip = res.effects.find((e) => e.name === 'pip');
  const rows = ['id,chr,pos,mean,sd,pip'];
  md.markers.forEach((m, j) => rows.push([csvField(m.id), csvField(m.chr), csvField(m.pos), csvNumber(snp.mean[j]), csvNumber(snp.sd[j]), pip ? csvNumber(pip.mean[j]) : 'NA'].join(',')));
  writeFileAtomic(join(dir, 'markers.csv'), rows.join('\n') + '\n');
  const gebv = res.effects.find((e) => e.name === 'gebv')!;
  const g = ['id,mean,sd'];
  gebv.labels.forEach((id, i) => g.push([csvField(id), csvNumber(gebv.mean[i]), csvNumber(gebv.sd[i])].join(',')));
  writeFileAtomic(join(dir, 'gebv.csv'), g.join('\n') + '\n');
  const saved = res.chains.map((c) => c.effects);
  const layout: EffectLayout = {
    markers: md.markers.map((m) => ({ ...m })),
    means: Array.from(md.means),
    center: Array.from(md.center),
    every: saved.find((s) => s)?.every ?? 0,
    rows: saved.map((s) => s?.rows ?? 0),
    betaMean: Array.from(snp.mean),
  };
  writeFileAtomic(join(dir, 'effects', 'layout.json'), toJson(layout));
}
