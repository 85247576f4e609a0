/**
 * Parallel chains: the same chain gives bit-identical draws in-process, in a pool of 1 worker and in
 * a pool of 2; an aborted run keeps valid files and resuming it gives the draws of an uninterrupted
 * run; a fault in one chain leaves the others' output intact; the draws CSV round-trips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit, fitWithHooks, resumeFit } from '../../src/api/fit.js';
import type { FitResult } from '../../src/types.js';
import { readChainFiles } from '../../src/io/draws.js';
import { simulateMarkers } from '../helpers/markers.js';
import { simulateSires } from '../helpers/multi.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/cli.js';

const mixed = {
  data: fixturePath('dyestuff.csv'),
  formula: 'Yield ~ 1 + (1|Batch)',
  mcmc: { chains: 3, iterations: 600, burnin: 100, thin: 2, seed: 12 },
};
const sim = simulateMarkers(tempDir(), 120, 300, 5, 0.5, 44);
const marker = {
  data: sim.rows,
  id: 'id',
  formula: 'y ~ 1',
  kernel: 'wasm' as const,
  markers: { file: sim.genoFile, prior: 'BayesCpi' as const, saveEffects: 1 },
  mcmc: { chains: 3, iterations: 400, burnin: 100, thin: 1, seed: 13 },
};
const multiMarkers = {
  data: sim.rows.map((r, i) => ({ ...r, y2: i % 5 === 0 ? null : (r.y as number) * 0.5 + (i % 3) })),
  id: 'id',
  formula: 'cbind(y, y2) ~ 1',
  markers: { file: sim.genoFile, prior: 'BayesCpi' as const, saveEffects: 1 },
  mcmc: { chains: 3, iterations: 200, burnin: 50, thin: 1, seed: 15 },
};
const multi = {
  data: simulateSires(
    25,
    6,
    [
      [0.5, 0.2],
      [0.2, 0.8],
    ],
    [
      [1, 0.3],
      [0.3, 2],
    ],
    0.2,
    3,
  ).map((r, i) => ({ ...r, x: (i % 7) - 3 })),
  formula: 'cbind(y1, y2) ~ 1 + x + (1 + x|sire)',
  mcmc: { chains: 3, iterations: 300, burnin: 50, thin: 1, seed: 14 },
};

const ordinal = {
  data: sim.rows.map((r, i) => ({
    ...r,
    g: `g${i % 12}`,
    o: (r.y as number) < 9.5 ? 'low' : (r.y as number) < 10.2 ? 'mid' : (r.y as number) < 11 ? 'high' : 'top',
  })),
  id: 'id',
  formula: 'o ~ 1 + (1|g)',
  family: 'ordinal' as const,
  categories: ['low', 'mid', 'high', 'top'],
  markers: { file: sim.genoFile, prior: 'BayesCpi' as const, saveEffects: 1 },
  mcmc: { chains: 3, iterations: 300, burnin: 150, thin: 1, seed: 16 },
};

const multiBinary = {
  ...multi,
  data: (multi.data as Record<string, unknown>[]).map((r) => ({ ...r, y1: (r.y1 as number) > 10 ? 1 : 0 })),
  family: { y1: 'binary' as const },
  mcmc: { ...multi.mcmc, seed: 17 },
};

function sameDraws(a: FitResult, b: FitResult): void {
  expect(a.params).toEqual(b.params);
  expect(a.chains.length).toBe(b.chains.length);
  a.chains.forEach((c, k) => {
    expect(c.iterations).toEqual(b.chains[k].iterations);
    c.draws.forEach((d, j) =>
      expect(
        Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(
          Buffer.from(b.chains[k].draws[j].buffer, b.chains[k].draws[j].byteOffset, b.chains[k].draws[j].byteLength),
        ),
        `chain ${k + 1} ${a.params[j]}`,
      ).toBe(true),
    );
    c.effects.forEach((e, s) => {
      if (e) expect(Buffer.from(e.values.buffer).equals(Buffer.from(b.chains[k].effects[s]!.values.buffer))).toBe(true);
    });
  });
  const means = (r: FitResult): number[][] =>
    [...r.effects.random, ...r.effects.markerSets.map((s) => s.effects), r.effects.fitted].map((e) => Array.from(e.mean));
  expect(means(a)).toEqual(means(b));
  // the posterior predictive check's replicates come from each chain's own replicate stream, checkpointed with the chain
  expect(a.summary.ppc).toEqual(b.summary.ppc);
}

describe('determinism: in-process = 1 worker = 2 workers, bit for bit', () => {
  for (const [name, spec] of [
    ['mixed model', mixed],
    ['marker model', marker],
    ['multi-trait model with a slope and missing traits', multi],
    ['multi-trait BayesCπ marker model', multiMarkers],
    ['ordinal BayesCπ model with a random term (Cowles thresholds)', ordinal],
    ['bivariate binary + Gaussian model with a slope and missing traits', multiBinary],
  ] as const) {
    it(name, async () => {
      const inProcess = await fit(spec, { workers: 0 });
      const one = await fit(spec, { workers: 1 });
      const two = await fit(spec, { workers: 2, outDir: tempDir() });
      sameDraws(inProcess, one);
      sameDraws(inProcess, two);
    });
  }
});

describe('interrupt and resume', () => {
  it('an aborted run keeps valid CSVs, and resuming gives the draws of an uninterrupted run', async () => {
    const spec = { ...marker, mcmc: { ...marker.mcmc, iterations: 3000 } };
    const full = await fit(spec, { workers: 2 });
    const dir = tempDir();
    const controller = new AbortController();
    let seen = 0;
    const partial = await fit(spec, {
      workers: 2,
      outDir: dir,
      signal: controller.signal,
      flush: { draws: 50, ms: 10_000 },
      onProgress: (e) => {
        if (e.iteration > 600 && ++seen === 1) controller.abort();
      },
    });
    expect(partial.interrupted).toBe(true);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.status).toBe('interrupted');
    expect(run.chains.some((c: { status: string }) => c.status === 'interrupted')).toBe(true);
    // every draws file parses, and holds a prefix of the uninterrupted chain
    for (let k = 0; k < 3; k++) {
      const back = readChainFiles([join(dir, 'draws', `chain-${k + 1}.csv`)]);
      const n = back.chains[0][0].length;
      expect(n).toBeLessThan(full.chains[k].iterations.length);
      back.chains[0].forEach((d, j) => expect(Array.from(d)).toEqual(Array.from(full.chains[k].draws[j].subarray(0, n))));
    }
    const resumed = await resumeFit(dir, { workers: 2 });
    expect(resumed.interrupted).toBe(false);
    sameDraws(full, resumed);
  });

  it('--extend adds iterations with the draws of a longer run', async () => {
    const dir = tempDir();
    await fit(mixed, { workers: 1, outDir: dir });
    const extended = await resumeFit(dir, { workers: 2, extend: 400 });
    const longer = await fit({ ...mixed, mcmc: { ...mixed.mcmc, iterations: 1000 } }, { workers: 0 });
    sameDraws(longer, extended);
    expect(extended.run.mcmc.iterations).toBe(1000);
  });
});

/**
 * An uninterrupted in-process fit of `spec`, and the same fit stopped once its second chain passes
 * iteration `stopAt` (in-process, flushing every 40 draws) and resumed in a pool of 2.
 */
async function interruptAndResume(spec: Parameters<typeof fit>[0] & object, stopAt: number): Promise<{ full: FitResult; resumed: FitResult }> {
  const full = await fit(spec, { workers: 0 });
  const dir = tempDir();
  const controller = new AbortController();
  const partial = await fit(spec, {
    workers: 0,
    outDir: dir,
    signal: controller.signal,
    flush: { draws: 40, ms: 10_000 },
    onProgress: (e) => {
      if (e.iteration >= stopAt && e.chain === 1) controller.abort();
    },
  });
  expect(partial.interrupted).toBe(true);
  return { full, resumed: await resumeFit(dir, { workers: 2 }) };
}

describe('interrupt and resume of a multivariate model', () => {
  it('resuming gives the draws of an uninterrupted run (covariance matrices and imputed traits in the checkpoint)', async () => {
    const spec = { ...multi, mcmc: { ...multi.mcmc, iterations: 1200 } };
    const { full, resumed } = await interruptAndResume(spec, 400);
    sameDraws(full, resumed);
  });
});

describe('interrupt and resume of a threshold model', () => {
  it('resuming gives the draws of an uninterrupted run (liabilities, thresholds and their proposal sd tuned in burn-in, in the checkpoint)', async () => {
    const spec = { ...ordinal, mcmc: { ...ordinal.mcmc, iterations: 1200, burnin: 600 } };
    const { full, resumed } = await interruptAndResume(spec, 800);
    expect(resumed.failures).toEqual([]);
    sameDraws(full, resumed);
    expect(Array.from(full.effects.fitted.categories!.mean)).toEqual(Array.from(resumed.effects.fitted.categories!.mean));
  });
});

describe('faults', () => {
  it('a chain that throws is named with its seed; the other chains finish and keep their output', async () => {
    const dir = tempDir();
    const res = await fitWithHooks(mixed, { workers: 2, outDir: dir }, { fault: { chain: 1, iteration: 150 } });
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0].message).toMatch(/^chain 2 \(seed 12, stream 'mixmc:12:1'\) failed: injected fault at iteration 150/);
    expect(res.chains.map((c) => c.chain)).toEqual([0, 2]);
    for (const k of [1, 3]) expect(readChainFiles([join(dir, 'draws', `chain-${k}.csv`)]).chains[0][0].length).toBe(250);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.status).toBe('failed');
    expect(run.chains[1].status).toBe('failed');
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  });
});

describe('draws CSV', () => {
  it('round-trips: the parsed file equals the in-memory draws', async () => {
    const dir = tempDir();
    const mem = await fit(marker, { workers: 0 });
    await fit(marker, { workers: 2, outDir: dir });
    for (let k = 0; k < 3; k++) {
      const back = readChainFiles([join(dir, 'draws', `chain-${k + 1}.csv`)]);
      expect(back.names).toEqual(mem.params);
      back.chains[0].forEach((d, j) => expect(Array.from(d)).toEqual(Array.from(mem.chains[k].draws[j])));
      const text = readFileSync(join(dir, 'draws', `chain-${k + 1}.csv`), 'utf8');
      expect(text.startsWith('# mixmc = ')).toBe(true);
      expect(
        text
          .split('\n')
          .filter((l) => !l.startsWith('#'))[0]
          .startsWith('iteration,b[(Intercept)]'),
      ).toBe(true);
    }
  });
});
