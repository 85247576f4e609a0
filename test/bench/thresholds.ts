/**
 * The threshold-trait benchmarks (issue 14):
 * - binary against Gaussian marker regressions on wheat (y1 and y1 > 0), ms per iteration;
 * - an ordinal trait with 5 categories on 20,000 records: ESS of the thresholds per 1,000 iterations
 *   with Cowles' Metropolis–Hastings step and with plain Gibbs updates;
 * - 5-fold cross-validation of binary BRR on wheat (y1 > 0), AUC per fold, beside a Gaussian BRR
 *   of the same 0/1 codes (what a user without threshold models would fit);
 * and (`criteria`) WAIC and DIC of BRR and BayesC on wheat y1 beside their cross-validation.
 */
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { essBulk } from '../../src/diagnostics/kernels.js';
import { auc } from '../../src/diagnostics/prediction.js';
import { runChain } from '../../src/mcmc/runChain.js';
import { MemorySink } from '../../src/output/memorySink.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, MarkerPriorName, RunSpec } from '../../src/types.js';
import { timeIterations } from './markers.js';
import { correlation, type Row, table } from './util.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const WHEAT = join(HERE, '..', '..', '..', 'examples', 'data', 'wheat');

function wheatRows(): { id: string; y1: number }[] {
  return readFileSync(join(WHEAT, 'pheno.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [id, y1] = l.split(',');
      return { id, y1: Number(y1) };
    });
}

/**
 * Binary against Gaussian, the same markers and prior: ms per iteration (one chain, warm, the best of
 * 3 runs), keeping every draw (thin 1: the trackers of fitted values, category probabilities and
 * pointwise likelihoods run every iteration) and every 5th (the default thin).
 */
function binaryCost(): Row[] {
  const geno = join(WHEAT, 'markers.csv');
  const rows = wheatRows();
  const gaussian: DataRow[] = rows.map((r) => ({ id: r.id, y: r.y1 }));
  const binary: DataRow[] = rows.map((r) => ({ id: r.id, y: r.y1 > 0 ? 1 : 0 }));
  return (['BRR', 'BayesC'] as MarkerPriorName[]).flatMap((prior) =>
    [1, 5].map((thin) => {
      const g = timeIterations({ data: gaussian, id: 'id', formula: 'y ~ 1', markers: { file: geno, prior, saveEffects: 0 } }, 2000, thin);
      const b = timeIterations({ data: binary, id: 'id', formula: 'y ~ 1', family: 'binary', markers: { file: geno, prior, saveEffects: 0 } }, 2000, thin);
      return { data: 'wheat 599×1279', prior, thin, 'Gaussian ms': g.ms.toFixed(3), 'binary ms': b.ms.toFixed(3), ratio: (b.ms / g.ms).toFixed(2) };
    }),
  );
}

/** 20,000 records in 400 herds, 5 categories (liability cut at its quantiles 0.2, 0.45, 0.7, 0.9). */
function ordinalData(): DataRow[] {
  const rng = chainRng(14, 0);
  const herd = Array.from({ length: 400 }, () => Math.sqrt(0.25) * normal(rng));
  const liabilities = Array.from({ length: 20000 }, (_, i) => {
    const x = normal(rng);
    return { x, h: i % 400, l: 0.5 * x + herd[i % 400] + normal(rng) };
  });
  const sorted = liabilities.map((r) => r.l).sort((a, b) => a - b);
  const cuts = [0.2, 0.45, 0.7, 0.9].map((q) => sorted[Math.floor(q * sorted.length)]);
  return liabilities.map((r) => ({ x: r.x, herd: `h${r.h}`, y: cuts.filter((c) => r.l > c).length }));
}

/** ESS of every threshold per 1,000 iterations after burn-in, and ms per iteration, for one threshold method. */
function thresholdMixing(data: DataRow[], method: 'cowles' | 'gibbs'): Row {
  const burnin = 500;
  const iterations = 3000;
  const spec: RunSpec = { data, formula: 'y ~ 1 + x + (1|herd)', family: 'ordinal', thresholds: method, mcmc: { burnin } };
  const model = prepare(spec);
  const sampler = buildSampler(model.design, model.settings);
  const sink = new MemorySink();
  const t0 = performance.now();
  runChain(sampler, chainRng(3, 0), { iterations: burnin + iterations, burnin, thin: 1 }, sink);
  const ms = (performance.now() - t0) / (burnin + iterations);
  const draws = sink.draws();
  const ess = ['threshold[2]', 'threshold[3]', 'threshold[4]'].map((name) => essBulk([draws[sampler.params.indexOf(name)]]));
  const tuning = sampler.state.latent!.tuning;
  return {
    method,
    'ms/iteration': ms.toFixed(2),
    ...Object.fromEntries(ess.map((e, k) => [`ESS/1000 threshold[${k + 2}]`, ((1000 * e) / iterations).toFixed(1)])),
    'proposal sd': method === 'cowles' ? Math.exp(tuning[0]).toPrecision(3) : '',
  };
}

/** The fold (0 … 4) of each wheat line: a random permutation from seed 2026, dealt in turn. */
function wheatFolds(n: number): number[] {
  const rng = chainRng(2026, 0);
  const order = Array.from({ length: n }, (_, i) => ({ i, u: rng.uniform() })).sort((a, b) => a.u - b.u);
  const fold = new Array<number>(n);
  order.forEach((o, k) => {
    fold[o.i] = k % 5;
  });
  return fold;
}

/**
 * Wheat y1, BRR against BayesC: WAIC and DIC of the fits of all lines (4 chains × 12,000 iterations,
 * burn-in 2,000, thin 5), beside the 5-fold cross-validation correlation of the masked lines'
 * predictions with their y1 (the binary CV's folds; 2 chains × 6,000 iterations per fold).
 */
async function wheatCriteria(): Promise<Row[]> {
  const rows = wheatRows();
  const fold = wheatFolds(rows.length);
  const geno = join(WHEAT, 'markers.csv');
  const out: Row[] = [];
  for (const prior of ['BRR', 'BayesC'] as MarkerPriorName[]) {
    const all = await fit(
      {
        data: rows.map((r) => ({ id: r.id, y: r.y1 })),
        id: 'id',
        formula: 'y ~ 1',
        markers: { file: geno, prior, saveEffects: 0 },
        mcmc: { chains: 4, iterations: 12000, burnin: 2000, thin: 5, seed: 1 },
      },
      { workers: 2 },
    );
    const c = all.summary.criteria!;
    const cors: number[] = [];
    for (let f = 0; f < 5; f++) {
      const res = await fit(
        {
          data: rows.map((r, i) => ({ id: r.id, y: fold[i] === f ? null : r.y1 })),
          id: 'id',
          formula: 'y ~ 1',
          markers: { file: geno, prior, saveEffects: 0 },
          mcmc: { chains: 2, iterations: 6000, burnin: 1000, thin: 5, seed: 100 + f },
        },
        { workers: 2 },
      );
      const predicted = res.effects.predicted!;
      const byId = new Map(predicted.labels.map((id, k) => [id, k]));
      const masked = rows.flatMap((_, i) => (fold[i] === f ? [i] : []));
      cors.push(
        correlation(
          masked.map((i) => predicted.mean[byId.get(rows[i].id)!]),
          masked.map((i) => rows[i].y1),
        ),
      );
    }
    out.push({
      prior,
      WAIC: c.waic.toFixed(1),
      'WAIC se': c.waicSe.toFixed(1),
      p_waic: c.pWaic.toFixed(1),
      DIC: c.dic.toFixed(1),
      pD: c.pD.toFixed(1),
      'CV cor per fold': cors.map((r) => r.toFixed(3)).join(' '),
      'CV cor mean': (cors.reduce((s, v) => s + v, 0) / 5).toFixed(3),
    });
  }
  return out;
}

/** 5-fold CV of binary BRR on wheat y1 > 0 (folds from seed 2026), AUC of the masked records per fold; a Gaussian BRR of the 0/1 codes beside it. */
async function wheatCv(): Promise<Row[]> {
  const rows = wheatRows();
  const labels = rows.map((r) => (r.y1 > 0 ? 1 : 0));
  const fold = wheatFolds(rows.length);
  const out: Row[] = [];
  const totals = { binary: 0, gaussian: 0 };
  for (let f = 0; f < 5; f++) {
    const data: DataRow[] = rows.map((r, i) => ({ id: r.id, y: fold[i] === f ? null : labels[i] }));
    const scores: Record<'binary' | 'gaussian', number> = { binary: 0, gaussian: 0 };
    for (const family of ['binary', 'gaussian'] as const) {
      const res = await fit(
        {
          data,
          id: 'id',
          formula: 'y ~ 1',
          family,
          markers: { file: join(WHEAT, 'markers.csv'), prior: 'BRR', saveEffects: 0 },
          mcmc: { chains: 2, iterations: 6000, burnin: 1000, thin: 5, seed: 100 + f },
        },
        { workers: 2 },
      );
      const predicted = res.effects.predicted!;
      const byId = new Map(predicted.labels.map((id, k) => [id, k]));
      const masked = rows.flatMap((_, i) => (fold[i] === f ? [i] : []));
      const score = masked.map((i) => {
        const k = byId.get(rows[i].id)!;
        return family === 'binary' ? predicted.categories!.mean[2 * k + 1] : predicted.mean[k];
      });
      scores[family] = auc(
        score,
        masked.map((i) => labels[i]),
      );
      totals[family] += scores[family] / 5;
    }
    out.push({
      fold: f + 1,
      records: rows.filter((_, i) => fold[i] === f).length,
      'AUC binary BRR': scores.binary.toFixed(3),
      'AUC Gaussian BRR of 0/1': scores.gaussian.toFixed(3),
    });
  }
  out.push({ fold: 'mean', records: rows.length, 'AUC binary BRR': totals.binary.toFixed(3), 'AUC Gaussian BRR of 0/1': totals.gaussian.toFixed(3) });
  return out;
}

export async function thresholds(): Promise<void> {
  table(
    'thresholds: binary against Gaussian marker regression, ms per iteration (one chain, warm, the best of 3 runs; issue 14 target ≤ 1.2×), keeping every draw and every 5th',
    binaryCost(),
  );
  const data = ordinalData();
  table('thresholds: ordinal trait, 5 categories, 20,000 records, y ~ 1 + x + (1|herd): one chain, 500 burn-in + 3,000 iterations', [
    thresholdMixing(data, 'cowles'),
    thresholdMixing(data, 'gibbs'),
  ]);
  table('thresholds: wheat y1 > 0 (321 of 599), 5-fold cross-validation (folds from seed 2026), AUC of the masked records', await wheatCv());
}

/** WAIC and DIC beside cross-validation on wheat y1 (issue 15): `npm run bench -- criteria`. */
export async function criteria(): Promise<void> {
  table(
    'criteria: wheat y1 (599 lines), BRR against BayesC: WAIC and DIC of the fits of all lines, 5-fold CV correlation (folds from seed 2026)',
    await wheatCriteria(),
  );
}
