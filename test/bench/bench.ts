/**
 * Benchmarks: `npm run bench [-- NAME ...]` prints a table per benchmark. Names: core, summary,
 * markers, chains, reml, thresholds, criteria, report, batch (all by default). Figures are timings on this machine, not pass/fail tests.
 */
import { performance } from 'node:perf_hooks';
import { fitRun, markers } from './markers.js';
import { criteria, thresholds } from './thresholds.js';
import { reportBench } from './report.js';
import { batchBench } from './batch.js';
import { type Row, table, writeSimulatedBed } from './util.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { runChain } from '../../src/mcmc/runChain.js';
import { chainRng } from '../../src/rng/rng.js';
import { normal } from '../../src/rng/dist.js';
import { summarizeDrawSet } from '../../src/diagnostics/summary.js';
import { summarizeParallel } from '../../src/api/summarize.js';
import type { DrawSink } from '../../src/mcmc/sink.js';
import type { DataRow } from '../../src/types.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fit } from '../../src/api/fit.js';
import { DENSE_REML_LIMIT, reml } from '../../src/reml/reml.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nullSink: DrawSink = { header: () => undefined, row: () => undefined, end: () => undefined };

/** 20,000 records, 3 fixed factors, random terms of 1,000 and 50 levels (issue 2's benchmark). */
function core(): void {
  const rng = chainRng(2024, 0);
  const n = 20000;
  const animal = Array.from({ length: 1000 }, () => normal(rng));
  const herd = Array.from({ length: 50 }, () => 2 * normal(rng));
  const rows: DataRow[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rng.uniform() * 1000);
    const h = Math.floor(rng.uniform() * 50);
    const sex = rng.uniform() < 0.5 ? 'F' : 'M';
    const year = String(2015 + Math.floor(rng.uniform() * 6));
    const parity = String(1 + Math.floor(rng.uniform() * 4));
    rows.push({ y: 10 + animal[a] + herd[h] + (sex === 'M' ? 1 : 0) + normal(rng), sex, year, parity, animal: `a${a}`, herd: `h${h}` });
  }
  const model = prepare({ data: rows, formula: 'y ~ 1 + sex + year + parity + (1|animal) + (1|herd)', factors: ['year', 'parity'] });
  const sampler = buildSampler(model.design, model.settings);
  const iterations = 3000;
  const warm = 200;
  runChain(sampler, chainRng(1, 0), { iterations: warm, burnin: 0, thin: 1 }, nullSink);
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  runChain(sampler, chainRng(1, 0), { iterations, burnin: 0, thin: 1 }, nullSink, { startIteration: 0 });
  const ms = (performance.now() - t0) / iterations;
  const heap1 = process.memoryUsage().heapUsed;
  table(`core: Gibbs sweep, 20,000 records, p = ${model.design.fixed.p} fixed columns, random terms of 1,000 and 50 levels`, [
    { 'ms/iteration': ms.toFixed(3), 'draws/s': (1000 / ms).toFixed(0), iterations, 'heap growth (MB)': ((heap1 - heap0) / 1e6).toFixed(2) },
  ]);
}

/** Summarising 4 chains × 10,000 draws × 200 parameters (issue 5's benchmark), on one thread and on all cores. */
async function summary(): Promise<void> {
  const rng = chainRng(7, 0);
  const chains = 4;
  const draws = 10000;
  const params = 200;
  const names = Array.from({ length: params }, (_, j) => `p${j}`);
  const data = Array.from({ length: chains }, () =>
    names.map((_, j) => {
      const phi = (j % 10) / 10;
      const x = new Float64Array(draws);
      let v = normal(rng);
      for (let t = 0; t < draws; t++) {
        v = phi * v + Math.sqrt(1 - phi * phi) * normal(rng);
        x[t] = v;
      }
      return x;
    }),
  );
  const t0 = performance.now();
  summarizeDrawSet({ names, chains: data });
  const s = (performance.now() - t0) / 1000;
  const shared = data.map((c) =>
    c.map((x) => {
      const y = new Float64Array(new SharedArrayBuffer(x.byteLength));
      y.set(x);
      return y;
    }),
  );
  const t1 = performance.now();
  await summarizeParallel({ names, chains: shared });
  const sp = (performance.now() - t1) / 1000;
  table('summary: 4 chains × 10,000 draws × 200 parameters (AR(1), φ = 0 … 0.9)', [
    { mode: 'summarize (one thread)', seconds: s.toFixed(3), 'ms/parameter': ((s * 1000) / params).toFixed(2) },
    {
      mode: `summarizeParallel (${availableParallelism()} threads, incl. pool start)`,
      seconds: sp.toFixed(3),
      'ms/parameter': ((sp * 1000) / params).toFixed(2),
    },
  ]);
}

/**
 * Wall time and peak RSS of 1, 2 and 4 chains of BayesC on a simulated 2,000 × 20,000 set on this
 * machine (issue 4's benchmark). Each configuration runs in its own process so that its peak RSS
 * (worker threads included) is its own.
 */
function chains(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mixmc-bench-chains-'));
  const { bed, rows } = writeSimulatedBed(dir, 2000, 20000, 100, 5);
  writeFileSync(join(dir, 'pheno.csv'), `id,y\n${rows.map((r) => `${r.id},${r.y}`).join('\n')}\n`);
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      data: 'pheno.csv',
      id: 'id',
      formula: 'y ~ 1',
      markers: { file: bed, prior: 'BayesC' as const, saveEffects: 0 },
      mcmc: { iterations: 150, burnin: 50, thin: 1, seed: 1 },
    }),
  );
  const out: Row[] = [];
  let base = 0;
  let baseRss = 0;
  for (const n of [1, 2, 4]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'chains-run', join(dir, 'spec.json'), String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const { seconds, rssMb } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    if (n === 1) {
      base = seconds;
      baseRss = rssMb;
    }
    out.push({
      chains: n,
      workers: Math.min(n, availableParallelism()),
      'wall (s)': seconds.toFixed(2),
      'vs 1 chain': (seconds / base).toFixed(2),
      'peak RSS (MB)': rssMb.toFixed(0),
      'RSS vs 1 chain': (rssMb / baseRss).toFixed(2),
    });
  }
  table(
    `chains: BayesC, simulated 2,000 × 20,000 (.bed; ${((2000 * 20000) / 4 / 1e6).toFixed(0)} MB of 2-bit genotypes), 150 iterations per chain, ${availableParallelism()} cores`,
    out,
  );
}

/** Child of `chains`: fit the spec with n chains and print the wall time and peak RSS as JSON. */
async function chainsRun(specFile: string, n: number): Promise<void> {
  const spec = JSON.parse(readFileSync(specFile, 'utf8'));
  const t0 = performance.now();
  await fit({ ...spec, mcmc: { ...spec.mcmc, chains: n } }, { baseDir: dirname(specFile) });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, rssMb: process.resourceUsage().maxRSS / 1e3 }));
}

/**
 * AI-REML on animal models and on GBLUP (issue 6's benchmark):
 * - a 20,000-animal pedigree in the structure of a dairy population (50 AI sires per generation,
 *   dams from the previous generation's females, 10% unknown dams) with 15,000 records in 100 herds;
 * - a 4,000-animal pedigree where every male is a sire (random mating over two generations), the
 *   hardest structure for a sparse factorisation (much more fill);
 * - GBLUP with 2,000 genotyped individuals (dense G).
 */
function remlBench(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mixmc-bench-reml-'));
  const out: Row[] = [];
  for (const [animals, structure] of [
    [20000, 'ai'],
    [4000, 'random'],
  ] as const) {
    const { rows, pedFile } = simulateAnimalModel(dir, animals, structure, 606);
    const t0 = performance.now();
    const model = prepare({ data: rows, formula: 'y ~ 1 + herd + (1|animal)', pedigree: pedFile });
    const t1 = performance.now();
    const r = reml(model.design);
    const t2 = performance.now();
    const unknowns = model.design.fixed.p + model.design.random[0].q;
    const label = structure === 'ai' ? '50 AI sires/generation' : 'random mating';
    out.push(
      remlRow(
        `animal model: ${model.design.random[0].q} animals (${label}), ${model.design.n} records, 100 herds (${unknowns > DENSE_REML_LIMIT ? 'sparse' : 'dense'})`,
        unknowns,
        t0,
        t1,
        t2,
        r,
      ),
    );
  }
  {
    const n = 2000;
    const { bed, rows: gy } = writeSimulatedBed(dir, n, 10000, 200, 7);
    const t0 = performance.now();
    const model = prepare({
      data: gy.map((r) => ({ ...r, animal: r.id })),
      id: 'id',
      formula: 'y ~ 1 + (1|animal)',
      covariance: { animal: { genomic: bed, blend: 0.01 } },
    });
    const t1 = performance.now();
    const r = reml(model.design);
    const t2 = performance.now();
    out.push(remlRow(`GBLUP: ${n} genotyped × 10,000 markers (VanRaden G, blend 0.01; dense)`, 1 + n, t0, t1, t2, r));
  }
  {
    const { rows, pedFile } = simulateAnimalModel(dir, 20000, 'ai', 607, true);
    const t0 = performance.now();
    const model = prepare({ data: rows, formula: 'cbind(y, y2) ~ 1 + herd + (1|animal)', pedigree: pedFile });
    const t1 = performance.now();
    const r = reml(model.design);
    const t2 = performance.now();
    const unknowns = 2 * (model.design.fixed.p + model.design.random[0].q);
    out.push(
      remlRow(`bivariate animal model: ${model.design.random[0].q} animals, ${model.design.n} records, 15% of y2 missing (sparse)`, unknowns, t0, t1, t2, r),
    );
  }
  table('reml: AI-REML (setup = reading, A⁻¹ or G, design; iterations include the EM start)', out);
}

function remlRow(model: string, unknowns: number, t0: number, t1: number, t2: number, r: ReturnType<typeof reml>): Row {
  const vc = r.varianceComponents;
  const last = r.history[r.history.length - 1];
  return {
    model,
    unknowns,
    'last Δℓ': last ? last.change.toExponential(1) : 'NA',
    'setup (s)': ((t1 - t0) / 1000).toFixed(1),
    'AI-REML (s)': ((t2 - t1) / 1000).toFixed(1),
    's/iteration': ((t2 - t1) / 1000 / r.iterations).toFixed(2),
    iterations: `${r.iterations} (${r.history.filter((h) => h.kind === 'EM').length} EM)`,
    converged: String(r.converged),
    // h² of the first trait: its genetic variance over genetic + residual
    h2: (vc[0].estimate / (vc[0].estimate + vc.filter((v) => v.term === 'residual')[0].estimate)).toFixed(3),
  };
}

/**
 * A pedigree of `animals`: 10% founders, then 6 generations with records on generations 2–6 (100
 * herds). 'ai': 50 sires per generation drawn from the previous generation's males, dams from its
 * females; 'random': every male of the last two generations may sire. 10% of dams unknown.
 */
function simulateAnimalModel(dir: string, animals: number, structure: 'ai' | 'random', seed: number, bivariate = false): { rows: DataRow[]; pedFile: string } {
  const rng = chainRng(seed, 0);
  const ped: string[] = ['id,sire,dam'];
  const bv = new Map<string, number>();
  // the second trait (bivariate): genetic correlation 0.5, residual correlation 0.3, 15% missing
  const bv2 = new Map<string, number>();
  const founder2 = (id: string): void => void bv2.set(id, 0.5 * bv.get(id)! + Math.sqrt(0.75) * normal(rng));
  const founders = Math.floor(animals / 10);
  let males: string[] = [];
  let females: string[] = [];
  let olderMales: string[] = [];
  let olderFemales: string[] = [];
  for (let i = 0; i < founders; i++) {
    ped.push(`a${i},0,0`);
    (i % 2 ? males : females).push(`a${i}`);
    bv.set(`a${i}`, normal(rng));
    if (bivariate) founder2(`a${i}`);
  }
  let next = founders;
  const per = Math.floor((animals - founders) / 6);
  const rows: DataRow[] = [];
  const pick = (a: string[]): string => a[Math.floor(rng.uniform() * a.length)];
  for (let g = 1; g <= 6; g++) {
    const sires = structure === 'ai' ? Array.from({ length: 50 }, () => pick(males)) : [...males, ...olderMales];
    const dams = structure === 'ai' ? females : [...females, ...olderFemales];
    const newMales: string[] = [];
    const newFemales: string[] = [];
    for (let i = 0; i < per; i++) {
      const id = `a${next++}`;
      const s = pick(sires);
      const d = rng.uniform() < 0.1 ? '0' : pick(dams);
      ped.push(`${id},${s},${d}`);
      (i % 2 ? newMales : newFemales).push(id);
      const parents = 0.5 * (bv.get(s)! + (d === '0' ? 0 : bv.get(d)!));
      const a = parents + Math.sqrt(0.5) * normal(rng);
      bv.set(id, a);
      if (bivariate) {
        // Mendelian sampling of trait 2 correlated 0.5 with trait 1's
        const p2 = 0.5 * (bv2.get(s)! + (d === '0' ? 0 : bv2.get(d)!));
        bv2.set(id, p2 + 0.5 * (a - parents) + Math.sqrt(0.375) * normal(rng));
      }
      if (g < 2) continue;
      const e1 = normal(rng);
      const row: DataRow = { animal: id, herd: `h${Math.floor(rng.uniform() * 100)}`, y: 10 + a + e1 };
      if (bivariate) {
        const e2 = 0.3 * e1 + Math.sqrt(1 - 0.09) * normal(rng);
        row.y2 = rng.uniform() < 0.15 ? null : 20 + bv2.get(id)! + e2;
      }
      rows.push(row);
    }
    olderMales = males;
    olderFemales = females;
    males = newMales;
    females = newFemales;
  }
  const pedFile = join(dir, `ped-${animals}-${structure}.csv`);
  writeFileSync(pedFile, `${ped.join('\n')}\n`);
  return { rows, pedFile };
}

const benches: Record<string, () => void | Promise<void>> = {
  core,
  summary,
  markers,
  chains,
  reml: remlBench,
  thresholds,
  criteria,
  report: reportBench,
  batch: batchBench,
};
const args = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (args[0] === 'chains-run') {
  await chainsRun(args[1], Number(args[2]));
} else if (args[0] === 'fit-run') {
  await fitRun(args[1]);
} else {
  for (const name of args.length > 0 ? args : Object.keys(benches)) {
    const b = benches[name];
    if (!b) {
      console.error(`unknown benchmark '${name}'; choose from ${Object.keys(benches).join(', ')}`);
      process.exitCode = 2;
      continue;
    }
    await b();
  }
}
