/**
 * The posterior predictive check against a direct computation: every kept state's linear predictor
 * and residual variance (or thresholds) replicate the data here with the chain's replicate stream,
 * and the statistics, their p-values and the histograms must agree with the fit's to 1e-10 — a
 * Gaussian mixed model, an ordinal one, and a binary trait beside a Gaussian one with missing
 * records (each trait replicated from its margin). Then what the check is for: on data with heavy tails
 * (Student t, 3 df) a Gaussian model's extremes are flagged (the ppp of max or min below 0.01 or above 0.99),
 * while on data simulated from the model the mean and sd are not (rule: their ppp in 0.25–0.75, as
 * the posterior fits both).
 */
import { describe, expect, it } from 'vitest';
import { fit, fitWithHooks } from '../../src/api/fit.js';
import { replicateKey } from '../../src/blocks/replicates.js';
import type { ChainState } from '../../src/mcmc/state.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng, Rng } from '../../src/rng/rng.js';
import type { DataRow, PredictiveCheck, RunSpec } from '../../src/types.js';

const SEED = 11;
const BURNIN = 100;

function simulated(seed: number, residual: (rng: Rng) => number): DataRow[] {
  const rng = chainRng(seed, 0);
  const groups = Array.from({ length: 12 }, () => 0.8 * normal(rng));
  return Array.from({ length: 240 }, (_, i) => {
    const x = normal(rng);
    const v = 2 + 0.5 * x + groups[i % 12] + residual(rng);
    return { g: `g${i % 12}`, x, y: v, o: v < 1.5 ? 'low' : v < 3 ? 'mid' : 'high' };
  });
}

/**
 * T(yRep) per kept state of each chain, replicated here from the state and the chain's replicate
 * stream (`normals(m)` draws the next m of it, as the tracker does trait by trait).
 */
async function replicated(spec: RunSpec, replicate: (state: ChainState, normals: (m: number) => Float64Array) => number[]) {
  const perChain: number[][][] = [];
  let last = Infinity;
  let stream: Rng | undefined;
  const normals = (m: number): Float64Array => {
    const z = new Float64Array(m);
    stream!.normals(z, m);
    return z;
  };
  const res = await fitWithHooks(
    spec,
    { chains: 2, iterations: 600, burnin: BURNIN, thin: 2, seed: SEED },
    {
      afterSweep: (state, iteration) => {
        // in-process, the chains run one after the other: an iteration count that falls is the next chain
        if (iteration < last) {
          stream = Rng.fromKey(replicateKey(SEED, perChain.length));
          perChain.push([]);
        }
        last = iteration;
        if (iteration > BURNIN && (iteration - BURNIN) % 2 === 0) perChain[perChain.length - 1].push(replicate(state, normals));
      },
    },
  );
  return { checks: res.summary.ppc!, ppc: res.summary.ppc![0], draws: perChain.flat() };
}

function expectAgrees(ppc: PredictiveCheck, rows: number[][], observed: number[], bins: (row: number[]) => number[]): void {
  const S = observed.length;
  expect(ppc.draws).toBe(rows.length);
  const mean = (f: (r: number[]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const sd = (f: (r: number[]) => number) => {
    const m = mean(f);
    return Math.sqrt(rows.reduce((s, r) => s + (f(r) - m) ** 2, 0) / (rows.length - 1));
  };
  const close = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThan(1e-10 * Math.max(1, Math.abs(b)));
  for (let k = 0; k < S; k++) {
    const s = ppc.statistics[k];
    close(s.observed, observed[k], `T(y) ${s.name}`);
    close(
      s.replicatedMean,
      mean((r) => r[k]),
      `E T(yRep) ${s.name}`,
    );
    close(
      s.replicatedSd,
      sd((r) => r[k]),
      `sd T(yRep) ${s.name}`,
    );
    close(
      s.ppp,
      mean((r) => (r[k] >= observed[k] ? 1 : 0)),
      `ppp ${s.name}`,
    );
  }
  // (an empty `bins` leaves the histogram to the other tests)
  if (bins(rows[0]).length === 0) return;
  ppc.histogram.replicatedMean.forEach((v, b) =>
    close(
      v,
      mean((r) => bins(r)[b]),
      `bin ${b + 1}`,
    ),
  );
}

const statistics = (v: number[]): number[] => {
  const n = v.length;
  const m = v.reduce((s, x) => s + x, 0) / n;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1)), Math.min(...v), Math.max(...v)];
};

describe('posterior predictive check: the fit against a direct replication', () => {
  it('Gaussian mixed model: mean, sd, min, max and the histogram', async () => {
    const data = simulated(3, (rng) => normal(rng));
    const y = data.map((r) => r.y as number);
    // √240 ≈ 15 equal bins over the observed range widened by a quarter each side; replicates beyond it in none
    const bins = 15;
    const [lo, hi] = [Math.min(...y), Math.max(...y)];
    const from = lo - 0.25 * (hi - lo);
    const width = (1.5 * (hi - lo)) / bins;
    const hist = (v: number[]): number[] => {
      const out = new Array<number>(bins).fill(0);
      for (const x of v) {
        const k = Math.floor((x - from) / width);
        if (k >= 0 && k < bins) out[k] += 1 / v.length;
      }
      return out;
    };
    const { ppc, draws } = await replicated({ formula: 'y ~ 1 + x + (1|g)', data }, (state, normals) => {
      const z = normals(y.length);
      const sd = Math.sqrt(state.varE[0]);
      const yRep = y.map((v, i) => v - state.e[i] + sd * z[i]);
      return [...statistics(yRep), ...hist(yRep)];
    });
    expect(ppc.histogram.edges!.length).toBe(bins + 1);
    expect(Math.abs(ppc.histogram.edges![0] - from)).toBeLessThan(1e-12);
    hist(y).forEach((v, k) => expect(Math.abs(ppc.histogram.observed[k] - v)).toBeLessThan(1e-12));
    expectAgrees(ppc, draws, statistics(y), (row) => row.slice(4));
  });

  it('ordinal model: the proportion of each category', async () => {
    const data = simulated(4, (rng) => normal(rng));
    const spec: RunSpec = { formula: 'o ~ 1 + x + (1|g)', family: 'ordinal', categories: ['low', 'mid', 'high'], data };
    const category = data.map((r) => ['low', 'mid', 'high'].indexOf(r.o as string));
    const { ppc, draws } = await replicated(spec, (state, normals) => {
      const z = normals(data.length);
      const gamma = state.latent!.thresholds;
      const p = [0, 0, 0];
      for (let i = 0; i < z.length; i++) {
        const l = state.latent!.y[i] - state.e[i] + z[i];
        p[l <= gamma[1] ? 0 : l <= gamma[2] ? 1 : 2]++;
      }
      return p.map((c) => c / z.length);
    });
    expect(ppc.statistics.map((s) => s.name)).toEqual(['p[low]', 'p[mid]', 'p[high]']);
    const observed = [0, 1, 2].map((c) => category.filter((k) => k === c).length / category.length);
    expectAgrees(ppc, draws, observed, (row) => row);
  });
});

describe('posterior predictive check: what it flags', () => {
  const mcmc = { chains: 2, iterations: 1500, burnin: 300, thin: 1, seed: 2 };
  const pOf = (ppc: PredictiveCheck, name: string) => ppc.statistics.find((s) => s.name === name)!.ppp;

  it('heavy tails (Student t, 3 df) under a Gaussian model: an extreme is flagged', async () => {
    // t3 = N(0,1)/sqrt(χ²3/3)
    const data = simulated(5, (rng) => normal(rng) / Math.sqrt((normal(rng) ** 2 + normal(rng) ** 2 + normal(rng) ** 2) / 3));
    const { summary } = await fit({ formula: 'y ~ 1 + x + (1|g)', data, mcmc });
    const ppc = summary.ppc![0];
    const extreme = (p: number) => Math.min(p, 1 - p) < 0.01;
    expect(extreme(pOf(ppc, 'max')) || extreme(pOf(ppc, 'min')), JSON.stringify(ppc.statistics)).toBe(true);
  });

  it('data from the model: the mean and sd are not flagged', async () => {
    const data = simulated(5, (rng) => normal(rng));
    const { summary } = await fit({ formula: 'y ~ 1 + x + (1|g)', data, mcmc });
    for (const name of ['mean', 'sd']) {
      expect(pOf(summary.ppc![0], name), name).toBeGreaterThan(0.25);
      expect(pOf(summary.ppc![0], name), name).toBeLessThan(0.75);
    }
  });
});

describe('posterior predictive check of a multi-trait model', () => {
  it('a binary trait beside a Gaussian one with missing records: each trait from its margin, to 1e-10', async () => {
    const data = simulated(6, (rng) => normal(rng)).map((r, i) => ({
      ...r,
      b: i % 9 === 4 ? '' : (r.y as number) > 2 ? 1 : 0,
      y2: i % 5 === 2 && i % 9 !== 4 ? '' : r.y,
    }));
    const spec: RunSpec = { formula: 'cbind(b, y2) ~ 1 + x + (1|g)', family: { b: 'binary' }, data };
    // no record misses both traits, so the design's records are the data's rows
    const hasB = data.map((r) => r.b !== '');
    const hasY = data.map((r) => r.y2 !== '');
    const n = data.length;
    const { checks, draws } = await replicated(spec, (state, normals) => {
      const { y, pitch, covE } = state.multi!;
      // trait 1 (b): the liability μ + z on its records (R11 = 1), category 1 above γ1 = 0
      const zb = normals(hasB.filter(Boolean).length);
      let k = 0;
      let ones = 0;
      data.forEach((_, i) => {
        if (hasB[i] && y[i] - state.e[i] + Math.sqrt(covE[0]) * zb[k++] > 0) ones++;
      });
      const m = k;
      // trait 2 (y2): μ + sqrt(R22)·z on its records
      const zy = normals(hasY.filter(Boolean).length);
      k = 0;
      const rep: number[] = [];
      data.forEach((_, i) => {
        if (hasY[i]) rep.push(y[n + i] - state.e[pitch + i] + Math.sqrt(covE[3]) * zy[k++]);
      });
      return [(m - ones) / m, ones / m, ...statistics(rep)];
    });
    expect(checks.map((c) => c.trait)).toEqual(['b', 'y2']);
    const bObserved = data.filter((r) => r.b !== '').map((r) => r.b as number);
    const ones = bObserved.filter((v) => v === 1).length;
    expectAgrees(
      checks[0],
      draws.map((d) => d.slice(0, 2)),
      [(bObserved.length - ones) / bObserved.length, ones / bObserved.length],
      (row) => row,
    );
    expectAgrees(
      checks[1],
      draws.map((d) => d.slice(2)),
      statistics(data.filter((r) => r.y2 !== '').map((r) => r.y2 as number)),
      () => [],
    );
  });
});
