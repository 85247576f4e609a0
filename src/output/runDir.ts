/**
 * The run directory (DESIGN.md): summary.json, run.json, draws/chain-K.csv (K = 1, 2, …) and
 * fitted.csv (posterior mean and SD of the fitted value of every record, observed or predicted).
 */
import { join } from 'node:path';
import { chainKey } from '../rng/rng.js';
import type { FitResult } from '../fit.js';
import { VERSION } from '../version.js';
import { csvField, csvNumber, drawsCsv, writeFileAtomic } from './files.js';
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

export function writeRunDirectory(dir: string, res: FitResult, extra: { started: string; ended: string; configFile?: string }): void {
  for (const c of res.chains) {
    const meta = {
      mixmc: VERSION,
      chain: c.chain + 1,
      seed: c.seed,
      stream: `xor4096 keyed '${chainKey(c.seed, c.chain)}'`,
      iterations: res.mcmc.iterations,
      burnin: res.mcmc.burnin,
      thin: res.mcmc.thin,
      completed: c.completed,
      status: c.interrupted ? 'interrupted' : 'finished',
    };
    writeFileAtomic(join(dir, 'draws', `chain-${c.chain + 1}.csv`), drawsCsv(meta, res.params, c.iterations, c.draws));
  }
  const fitted = res.effects.find((e) => e.name === 'fitted');
  const predicted = res.effects.find((e) => e.name === 'predicted');
  const lines = ['id,observed,mean,sd'];
  if (fitted) fitted.labels.forEach((id, i) => lines.push([csvField(id), csvNumber(res.design.y[i]), csvNumber(fitted.mean[i]), csvNumber(fitted.sd[i])].join(',')));
  if (predicted) predicted.labels.forEach((id, i) => lines.push([csvField(id), 'NA', csvNumber(predicted.mean[i]), csvNumber(predicted.sd[i])].join(',')));
  writeFileAtomic(join(dir, 'fitted.csv'), lines.join('\n') + '\n');
  writeMarkerFiles(dir, res);
  writeFileAtomic(
    join(dir, 'run.json'),
    toJson({
      version: VERSION,
      config: extra.configFile,
      spec: res.spec,
      mcmc: res.mcmc,
      priors: res.priors,
      fixedVariances: res.fixedVariances,
      seeds: res.chains.map((c) => ({ chain: c.chain + 1, key: chainKey(c.seed, c.chain) })),
      started: extra.started,
      ended: extra.ended,
      chains: res.chains.map((c) => ({ chain: c.chain + 1, status: c.interrupted ? 'interrupted' : 'finished', completed: c.completed, draws: c.iterations.length })),
    }),
  );
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
  if (saved.every((s) => s === undefined || s.rows === 0)) return;
  saved.forEach((s, k) => {
    const values = s ? s.values.subarray(0, s.rows * s.size) : new Float32Array(0);
    writeFileAtomic(join(dir, 'effects', `chain-${k + 1}.f32`), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  });
  const layout: EffectLayout = {
    markers: md.markers.map((m) => ({ ...m })),
    means: Array.from(md.means),
    center: Array.from(md.center),
    every: saved.find((s) => s)?.every ?? 0,
    rows: saved.map((s) => s?.rows ?? 0),
  };
  writeFileAtomic(join(dir, 'effects', 'layout.json'), toJson(layout));
}
