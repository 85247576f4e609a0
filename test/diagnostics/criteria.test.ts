/**
 * WAIC and DIC against a direct computation from the saved per-draw log-likelihoods of every record
 * (computed here from each kept state, with jstat's normal distribution for the probit): lppd,
 * p_WAIC, WAIC and its SE, D̄, pD and DIC to 1e-8 relative — a Gaussian mixed model, a binary one,
 * a censored regression, a bivariate Gaussian model with missing traits and a binary trait beside a
 * Gaussian one; and `mixmc models` ranks fits and refuses to difference fits of other
 * records.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import jstatModule from 'jstat';
import { describe, expect, it } from 'vitest';
import { fitWithHooks } from '../../src/api/fit.js';
import { models } from '../../src/api/models.js';
import { prepare } from '../../src/blocks/plan.js';
import type { ChainState } from '../../src/mcmc/state.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import type { DataRow, RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';

const jStat = jstatModule.jStat ?? jstatModule;
const logPhi = (x: number): number => Math.log(jStat.normal.cdf(x, 0, 1));

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

/**
 * Per-record log-likelihood of a kept state, and the state's linear predictors μ and residual
 * (co)variances (for the plug-in deviance, at their posterior means).
 */
type Pointwise = (state: ChainState) => { ll: number[]; mu: number[]; varE: number[] };

async function direct(spec: RunSpec, pointwise: Pointwise, plugIn: (mu: number[], varE: number[]) => number[]) {
  const burnin = 100;
  const draws: { ll: number[]; mu: number[]; varE: number[] }[] = [];
  const res = await fitWithHooks(
    spec,
    { chains: 2, iterations: 700, burnin, thin: 1, seed: 5 },
    {
      afterSweep: (state, iteration) => {
        if (iteration > burnin) draws.push(pointwise(state));
      },
    },
  );
  const n = draws[0].ll.length;
  const S = draws.length;
  let lppd = 0;
  let pWaic = 0;
  let meanDeviance = 0;
  const elpd: number[] = [];
  for (let i = 0; i < n; i++) {
    const ll = draws.map((d) => d.ll[i]);
    const max = Math.max(...ll);
    const lp = max + Math.log(ll.reduce((s, v) => s + Math.exp(v - max), 0) / S);
    const mean = ll.reduce((s, v) => s + v, 0) / S;
    const variance = ll.reduce((s, v) => s + (v - mean) ** 2, 0) / (S - 1);
    lppd += lp;
    pWaic += variance;
    meanDeviance -= 2 * mean;
    elpd.push(lp - variance);
  }
  const elpdMean = elpd.reduce((s, v) => s + v, 0) / n;
  const se = 2 * Math.sqrt((n * elpd.reduce((s, v) => s + (v - elpdMean) ** 2, 0)) / (n - 1));
  const muBar = Array.from({ length: draws[0].mu.length }, (_, i) => draws.reduce((s, d) => s + d.mu[i], 0) / S);
  const varBar = draws[0].varE.map((_, k) => draws.reduce((s, d) => s + d.varE[k], 0) / S);
  const plug = -2 * plugIn(muBar, varBar).reduce((s, v) => s + v, 0);
  const pD = meanDeviance - plug;
  return { res, expected: { lppd, pWaic, waic: -2 * (lppd - pWaic), waicSe: se, meanDeviance, pD, dic: meanDeviance + pD } };
}

function expectCriteria(got: Record<string, number> | undefined, expected: Record<string, number>): void {
  expect(got).toBeDefined();
  for (const [k, v] of Object.entries(expected)) expect(rel(got![k], v), `${k}: ${got![k]} vs ${v}`).toBeLessThan(1e-8);
}

function simulated(seed: number): DataRow[] {
  const rng = chainRng(seed, 0);
  const groups = Array.from({ length: 15 }, () => 0.7 * normal(rng));
  return Array.from({ length: 150 }, (_, i) => {
    const x = normal(rng);
    const v = 1 + 0.5 * x + groups[i % 15] + normal(rng);
    return { g: `g${i % 15}`, x, y: v, b: v > 1 ? 1 : 0, c: v > 1.8 ? '' : v, lo: v > 1.8 ? 1.8 : '', hi: '' };
  });
}

describe('WAIC and DIC', () => {
  const rows = simulated(3);

  it('a Gaussian mixed model: equal to the direct computation from per-draw log-likelihoods (1e-8)', async () => {
    const spec: RunSpec = { data: rows, formula: 'y ~ 1 + x + (1|g)' };
    const { design } = prepare(spec);
    const gauss = (y: number, mu: number, v: number) => -0.5 * Math.log(2 * Math.PI * v) - (y - mu) ** 2 / (2 * v);
    const { res, expected } = await direct(
      spec,
      (state) => {
        const mu = Array.from(design.y, (y, i) => y - state.e[i]);
        return { ll: mu.map((m, i) => gauss(design.y[i], m, state.varE[0])), mu, varE: [state.varE[0]] };
      },
      (mu, [varE]) => mu.map((m, i) => gauss(design.y[i], m, varE)),
    );
    expectCriteria(res.summary.criteria as unknown as Record<string, number>, expected);
    expect(res.summary.criteria!.records).toBe(150);
  });

  it('a binary (probit) mixed model: equal to the direct computation (1e-8)', async () => {
    const spec: RunSpec = { data: rows, formula: 'b ~ 1 + x + (1|g)', family: 'binary' };
    const { design } = prepare(spec);
    const obs = Array.from(design.y);
    const ll = (mu: number, i: number) => (obs[i] === 1 ? logPhi(mu) : logPhi(-mu));
    const { res, expected } = await direct(
      spec,
      (state) => {
        const mu = Array.from(state.latent!.y, (l, i) => l - state.e[i]);
        return { ll: mu.map(ll), mu, varE: [1] };
      },
      (mu) => mu.map(ll),
    );
    expectCriteria(res.summary.criteria as unknown as Record<string, number>, expected);
  });

  it('a censored regression: exact records by their density, censored ones by their interval probability (1e-8)', async () => {
    const spec: RunSpec = { data: rows, formula: 'c ~ 1 + x', family: 'censored', bounds: { lower: 'lo', upper: 'hi' } };
    const { design } = prepare(spec);
    const family = design.traits.families[0] as { lower: Float64Array; upper: Float64Array };
    const ll = (mu: number, v: number, i: number) =>
      family.lower[i] === family.upper[i]
        ? -0.5 * Math.log(2 * Math.PI * v) - (design.y[i] - mu) ** 2 / (2 * v)
        : Math.log(1 - jStat.normal.cdf((family.lower[i] - mu) / Math.sqrt(v), 0, 1));
    const { res, expected } = await direct(
      spec,
      (state) => {
        const mu = Array.from(state.latent!.y, (l, i) => l - state.e[i]);
        return { ll: mu.map((m, i) => ll(m, state.varE[0], i)), mu, varE: [state.varE[0]] };
      },
      (mu, [varE]) => mu.map((m, i) => ll(m, varE, i)),
    );
    expectCriteria(res.summary.criteria as unknown as Record<string, number>, expected);
  });

  /** A bivariate record's log-likelihood: y2 Gaussian (when observed), the first trait Gaussian or binary given it. */
  const bivariate = (design: ReturnType<typeof prepare>['design'], binary: boolean) => {
    const n = design.n;
    const obs = design.traits.observed;
    const gauss = (y: number, mu: number, v: number) => -0.5 * Math.log(2 * Math.PI * v) - (y - mu) ** 2 / (2 * v);
    return (mu: number[], r: number[]): number[] =>
      Array.from({ length: n }, (_, i) => {
        const [v1, c12, v2] = [r[0], r[1], r[3]];
        const has1 = obs[i] === 1;
        const has2 = obs[n + i] === 1;
        const y1 = design.y[i];
        const y2 = design.y[n + i];
        if (!binary) {
          if (has1 && has2) {
            // log N2 by y1 | y2 times y2
            const m = mu[i] + (c12 / v2) * (y2 - mu[n + i]);
            return gauss(y2, mu[n + i], v2) + gauss(y1, m, v1 - (c12 * c12) / v2);
          }
          return has1 ? gauss(y1, mu[i], v1) : gauss(y2, mu[n + i], v2);
        }
        let ll = has2 ? gauss(y2, mu[n + i], v2) : 0;
        if (has1) {
          const m = mu[i] + (has2 ? (c12 / v2) * (y2 - mu[n + i]) : 0);
          const sd = Math.sqrt(has2 ? v1 - (c12 * c12) / v2 : v1);
          ll += y1 === 1 ? logPhi(m / sd) : logPhi(-m / sd);
        }
        return ll;
      });
  };
  const multiState = (state: ChainState) => {
    const { y, pitch, covE } = state.multi!;
    const n = y.length / 2;
    const mu = Array.from({ length: 2 * n }, (_, k) => y[k] - state.e[Math.floor(k / n) * pitch + (k % n)]);
    return { mu, r: Array.from(covE) };
  };
  const multiRows = rows.map((r, i) => ({
    ...r,
    y2: i % 7 === 3 ? '' : (r.y as number) * 0.5 + Math.sin(i),
    y: i % 11 === 5 ? '' : r.y,
    b: i % 11 === 5 ? '' : r.b,
  }));

  /** A bivariate spec's fit against the direct computation (its R0 the plug-in's residual variances). */
  const bivariateCriteria = async (spec: RunSpec, binary: boolean) => {
    const ll = bivariate(prepare(spec).design, binary);
    const { res, expected } = await direct(
      spec,
      (state) => {
        const { mu, r } = multiState(state);
        return { ll: ll(mu, r), mu, varE: r };
      },
      ll,
    );
    expectCriteria(res.summary.criteria as unknown as Record<string, number>, expected);
    return res;
  };

  it('a bivariate Gaussian model with missing traits: each record by the density of its observed traits (1e-8)', async () => {
    const res = await bivariateCriteria({ data: multiRows, formula: 'cbind(y, y2) ~ 1 + x + (1|g)' }, false);
    // records 38 and 115 have neither trait: they are predicted, not in the likelihood
    expect(res.summary.criteria!.records).toBe(148);
  });

  it('a binary trait beside a Gaussian one: the Gaussian density times the liability interval given it (1e-8)', async () => {
    await bivariateCriteria({ data: multiRows, formula: 'cbind(b, y2) ~ 1 + x + (1|g)', family: { b: 'binary' } }, true);
  });

  it('mixmc models ranks fits of the same records by WAIC with the paired SE, and will not difference fits of other records', async () => {
    const root = tempDir('mixmc-models-');
    const dir = (name: string) => join(root, name);
    mkdirSync(root, { recursive: true });
    const base = { data: rows, mcmc: { chains: 2, iterations: 600, burnin: 100, seed: 1 } };
    await fitWithHooks({ ...base, formula: 'y ~ 1 + x + (1|g)' }, { outDir: dir('full') }, {});
    await fitWithHooks({ ...base, formula: 'y ~ 1' }, { outDir: dir('null') }, {});
    await fitWithHooks({ ...base, data: rows.slice(0, 140), formula: 'y ~ 1 + x' }, { outDir: dir('fewer') }, {});
    const ranking = models([dir('null'), dir('full')]);
    expect(ranking.sameRecords).toBe(true);
    expect(ranking.models.map((m) => m.dir)).toEqual([dir('full'), dir('null')]);
    expect(ranking.models[1].waicDiff).toBeCloseTo(ranking.models[1].criteria.waic - ranking.models[0].criteria.waic, 8);
    expect(ranking.models[1].waicDiffSe).toBeGreaterThan(0);
    const cli = await runCli(['models', dir('null'), dir('full')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/1\s+\S*full\s/);
    const other = models([dir('full'), dir('fewer')]);
    expect(other.sameRecords).toBe(false);
    expect(other.reason).toMatch(/not fits of the same records \(150 records against 140\)/);
    expect(other.models.every((m) => m.waicDiff === undefined)).toBe(true);
    const bad = await runCli(['models', dir('full'), root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*has no summary\.json/);
  });
});
