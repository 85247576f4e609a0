/**
 * The marker benchmarks (issue 11): per-iteration time of every prior (whole iteration, one chain,
 * warm) on wheat and on a mice-sized simulated .bed, ESS per second of var[genetic] and π, the
 * sweep's ns per genotype on three shapes for both kernels, peak RSS of 4 chains on the mice-sized
 * set, and a 10,000 × 100,000 BayesC fit with 4 chains. Processes that measure peak RSS run alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { buildSampler } from '../../src/blocks/sampler.js';
import { essBulk } from '../../src/diagnostics/kernels.js';
import { allocateF64 } from '../../src/linalg/arena.js';
import { type KernelName, sweepKernel } from '../../src/linalg/kernel.js';
import { runChain } from '../../src/mcmc/runChain.js';
import { MemorySink } from '../../src/output/memorySink.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, MarkerPriorName, RunSpec } from '../../src/types.js';
import { type Row, table, writeSimulatedBed } from './util.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is dist/test/bench/markers.js when run). */
const REPO = join(HERE, '..', '..', '..');
const PRIORS: MarkerPriorName[] = ['BRR', 'BayesA', 'BayesB', 'BayesC', 'BayesCpi', 'BL', 'BayesR'];
/** BGLR 1.1's ms per iteration on this machine kind, measured by the issue (BRR, BayesC, BayesA). */
const BGLR: Record<string, Partial<Record<MarkerPriorName, number>>> = {
  wheat: { BRR: 1.12, BayesC: 1.09, BayesA: 1.18 },
  mice: { BRR: 22.8 },
};

/** A timed model: its ms per iteration, the seconds of all its runs, its parameters and their draws. */
export interface Timed {
  ms: number;
  seconds: number;
  params: readonly string[];
  draws: Float64Array[];
}

/**
 * Models' ms per iteration (one chain each, in-process, warm, every `thin`-th draw kept): `rounds`
 * runs of each, interleaved (one run of every model per round, so that a slow spell of this shared
 * machine hits them all alike), the best run timing each; ESS from all of their draws.
 */
export function timeInterleaved(specs: RunSpec[], iterations: number, thin = 1, rounds = 3): Timed[] {
  const runs = specs.map((spec) => {
    const model = prepare(spec);
    const sampler = buildSampler(model.design, model.settings);
    const rng = chainRng(1, 0);
    const warm = Math.max(20, Math.floor(iterations / 5));
    runChain(sampler, rng, { iterations: warm, burnin: warm, thin: 1 }, new MemorySink());
    return { sampler, rng, sink: new MemorySink(), seconds: 0, best: Infinity };
  });
  for (let r = 0; r < rounds; r++) {
    for (const run of runs) {
      const t0 = performance.now();
      runChain(run.sampler, run.rng, { iterations, burnin: 0, thin }, run.sink, { startIteration: 0 });
      const s = (performance.now() - t0) / 1000;
      run.seconds += s;
      run.best = Math.min(run.best, s);
    }
  }
  return runs.map((run) => ({ ms: (run.best * 1000) / iterations, seconds: run.seconds, params: run.sampler.params, draws: run.sink.draws() }));
}

/** One model's ms per iteration (the best of three runs) and its draws (timeInterleaved of one). */
export function timeIterations(spec: RunSpec, iterations: number, thin = 1): Timed {
  return timeInterleaved([spec], iterations, thin)[0];
}

/** ms per iteration of every prior (one chain, in-process, warm; 5 interleaved rounds), ESS/s of var[genetic] and π. */
function priorRows(label: string, data: DataRow[] | string, formula: string, genoFile: string, iterations: number, kernel: KernelName): Row[] {
  const timed = timeInterleaved(
    PRIORS.map((prior) => ({ data, id: 'id', formula, kernel, markers: { file: genoFile, prior, saveEffects: 0 } })),
    iterations,
    1,
    5,
  );
  const brr = timed[PRIORS.indexOf('BRR')].ms;
  return PRIORS.map((prior, k) => {
    const { ms, seconds, params, draws } = timed[k];
    const essOf = (name: string): number => {
      const j = params.indexOf(name);
      return j < 0 ? NaN : essBulk([draws[j]]);
    };
    const vg = essOf('var[genetic]');
    const pi = essOf('pi');
    const bglr = BGLR[label.split(' ')[0]]?.[prior];
    return {
      data: label,
      prior,
      'ms/iteration': ms.toFixed(3),
      'vs BRR': (ms / brr).toFixed(2),
      'BGLR ms': bglr ?? '',
      'vs BGLR': bglr ? (ms / bglr).toFixed(2) : '',
      iterations: 5 * iterations,
      'ESS/s var[genetic]': (vg / seconds).toFixed(0),
      'ESS/s pi': Number.isNaN(pi) ? '' : (pi / seconds).toFixed(0),
    };
  });
}

/** Two traits against one on the same genotypes: ms per iteration of BRR and BayesC (issue 13's target: ≤ 2.5×). */
function bivariateRows(label: string, phenoFile: string, genoFile: string, iterations: number): Row[] {
  const lines = readFileSync(phenoFile, 'utf8').trim().split('\n').slice(1);
  const data: DataRow[] = lines.map((l, i) => {
    const [id, y] = l.split(',');
    return { id, y: Number(y), y2: i % 10 === 0 ? null : 0.5 * Number(y) + Math.sin(i) };
  });
  return (['BRR', 'BayesC'] as const).map((prior) => {
    const [one, two] = timeInterleaved(
      [
        { data, id: 'id', formula: 'y ~ 1', markers: { file: genoFile, prior } },
        { data, id: 'id', formula: 'cbind(y, y2) ~ 1', markers: { file: genoFile, prior } },
      ],
      iterations,
    );
    return { data: label, prior, 'one trait ms': one.ms.toFixed(2), 'two traits ms': two.ms.toFixed(2), ratio: (two.ms / one.ms).toFixed(2) };
  });
}

/** ns per genotype of one BRR sweep (the kernel alone: normals drawn beforehand), the best of several. */
function sweepNs(data: DataRow[] | string, formula: string, genoFile: string, kernel: KernelName): { ns: number; n: number; p: number } {
  const model = prepare({ data, id: 'id', formula, kernel, markers: { file: genoFile, prior: 'BRR' } });
  const md = model.design.markers[0];
  const arena = model.design.arena!;
  const k = sweepKernel(arena.memory, kernel);
  const e = allocateF64(arena, md.records.stride * 4).view;
  e.set(model.design.y);
  const beta = allocateF64(arena, md.p).view;
  const prior = allocateF64(arena, 1).view;
  prior[0] = 0.001;
  const z = allocateF64(arena, md.p).view;
  chainRng(5, 0).normals(z);
  const sweep = (): void => k.normalSweep(md.desc, e.byteOffset, beta.byteOffset, prior.byteOffset, 1, 1, 1, z.byteOffset);
  const reps = Math.max(3, Math.min(200, Math.round(2e8 / (md.n * md.p))));
  for (let r = 0; r < reps; r++) sweep();
  let best = Infinity;
  for (let t = 0; t < 5; t++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) sweep();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return { ns: (best * 1e6) / (md.n * md.p), n: md.n, p: md.p };
}

/** A simulated .bed with its phenotypes as a CSV, in a new folder. */
function simulated(n: number, p: number, seed: number): { dir: string; bed: string; pheno: string } {
  const dir = mkdtempSync(join(tmpdir(), `mixmc-bench-${n}x${p}-`));
  const { bed, rows } = writeSimulatedBed(dir, n, p, 100, seed);
  const pheno = join(dir, 'pheno.csv');
  writeFileSync(pheno, `id,y\n${rows.map((r) => `${r.id},${r.y}`).join('\n')}\n`);
  return { dir, bed, pheno };
}

/** Run a fit in a child process (so that its peak RSS is its own): wall, setup and peak RSS. */
function childFit(spec: object, baseDir: string): { seconds: number; setup: number; rssMb: number } {
  const file = join(baseDir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', join(HERE, 'bench.js'), 'fit-run', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Run `mixmc fit` (the CLI, as users run it) in a child process: its peak RSS in MB. */
function cliFitRss(spec: object, baseDir: string, extra: string[]): number {
  const file = join(baseDir, 'cli-spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const cli = join(REPO, 'dist', 'src', 'cli', 'main.js');
  const args = ['--import', join(HERE, 'maxRss.js'), cli, 'fit', file, '--out', join(baseDir, 'cli-run'), '--force', '--quiet', ...extra];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const kb = /maxRSS (\d+)\s*$/.exec(r.stderr);
  if (!kb) throw new Error(`no peak RSS from the CLI: ${r.stderr}`);
  return Number(kb[1]) / 1e3;
}

/** Child of childFit: prepare, fit, and print wall time, setup time and peak RSS as JSON. */
export async function fitRun(specFile: string): Promise<void> {
  const spec = JSON.parse(readFileSync(specFile, 'utf8'));
  const t0 = performance.now();
  const model = prepare(spec, { baseDir: dirname(specFile) });
  const setup = (performance.now() - t0) / 1000;
  await fit(model);
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, setup, rssMb: process.resourceUsage().maxRSS / 1e3 }));
}

export async function markers(): Promise<void> {
  const wheat = join(REPO, 'examples', 'data', 'wheat');
  const pheno = join(wheat, 'pheno.csv');
  const geno = join(wheat, 'markers.csv');
  const mice = simulated(1814, 10346, 7);
  table(
    'markers: ms per iteration (whole iteration, one chain, warm, wasm kernel; the best of 5 runs, the priors interleaved), ESS per second over all 5; BGLR 1.1 on this machine kind from the issue',
    [
      ...priorRows('wheat 599×1279', pheno, 'y1 ~ 1', geno, 2000, 'wasm'),
      ...priorRows('mice-sized 1814×10346 (.bed)', mice.pheno, 'y ~ 1', mice.bed, 150, 'wasm'),
    ],
  );
  table(
    'markers: two traits (10% of the second missing) against one, ms per iteration (one chain, the best of 3 interleaved runs)',
    bivariateRows('mice-sized 1814×10346', mice.pheno, mice.bed, 150),
  );
  const big = simulated(5000, 50000, 8);
  const shapes: [string, string, string, string][] = [
    ['wheat 599×1279', pheno, 'y1 ~ 1', geno],
    ['mice 1814×10346', mice.pheno, 'y ~ 1', mice.bed],
    ['5000×50000', big.pheno, 'y ~ 1', big.bed],
  ];
  table(
    'markers: one BRR sweep, ns per genotype (kernel only; the best of 5 timings)',
    shapes.map(([label, ph, f, g]) => {
      const w = sweepNs(ph, f, g, 'wasm');
      const j = sweepNs(ph, f, g, 'js');
      return { shape: label, 'wasm ns/genotype': w.ns.toFixed(3), 'js ns/genotype': j.ns.toFixed(3), 'ms/sweep (wasm)': ((w.ns * w.n * w.p) / 1e6).toFixed(2) };
    }),
  );
  const mcmc = { chains: 4, iterations: 300, burnin: 100, thin: 1, seed: 1 };
  const miceSpec = { data: mice.pheno, id: 'id', formula: 'y ~ 1', markers: { file: mice.bed, prior: 'BRR' }, mcmc };
  const miceRun = childFit(miceSpec, mice.dir);
  const cliRss = cliFitRss(miceSpec, mice.dir, ['--no-report']);
  const cliReportRss = cliFitRss(miceSpec, mice.dir, []);
  const huge = simulated(10000, 100000, 9);
  const hugeIter = 12;
  const hugeRun = childFit(
    {
      data: huge.pheno,
      id: 'id',
      formula: 'y ~ 1',
      markers: { file: huge.bed, prior: 'BayesC' },
      mcmc: { chains: 4, iterations: hugeIter, burnin: 2, thin: 1, seed: 1 },
    },
    huge.dir,
  );
  const workers = Math.min(4, availableParallelism());
  table(`markers: 4 chains in ${workers} workers (a child process each; peak RSS of the process, workers included)`, [
    {
      fit: 'mice-sized BRR, 300 iterations',
      'wall (s)': miceRun.seconds.toFixed(1),
      'setup (s)': miceRun.setup.toFixed(1),
      'ms/iteration per chain': (((miceRun.seconds - miceRun.setup) * 1000 * workers) / (4 * 300)).toFixed(2),
      'peak RSS (MB)': miceRun.rssMb.toFixed(0),
    },
    {
      fit: 'the same with `mixmc fit --no-report` (the CLI, writing the run directory)',
      'wall (s)': '',
      'setup (s)': '',
      'ms/iteration per chain': '',
      'peak RSS (MB)': cliRss.toFixed(0),
    },
    {
      fit: 'the same with `mixmc fit` (and its HTML report, drawn after the chains)',
      'wall (s)': '',
      'setup (s)': '',
      'ms/iteration per chain': '',
      'peak RSS (MB)': cliReportRss.toFixed(0),
    },
    {
      fit: `10,000 × 100,000 BayesC (1e9 genotypes), ${hugeIter} iterations`,
      'wall (s)': hugeRun.seconds.toFixed(1),
      'setup (s)': hugeRun.setup.toFixed(1),
      'ms/iteration per chain': (((hugeRun.seconds - hugeRun.setup) * 1000 * workers) / (4 * hugeIter)).toFixed(0),
      'peak RSS (MB)': hugeRun.rssMb.toFixed(0),
    },
  ]);
}
