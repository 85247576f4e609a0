/**
 * Simulation-based calibration, fast: a random-intercept model (20 groups × 10 records) with proper
 * priors, 300 simulations, each truth ranked among 19 draws, 5 groups of ranks. The sampler as it is
 * passes (rule: p > 0.01 for each variance, p > 0.01/20 for each of the 20 levels, Bonferroni;
 * expectCalibrated),
 * and the same calibration with the residual variance's update off by 5% of its scale fails
 * (p < 0.01 for var[residual]) — the test that SBC can see a wrong full conditional. The same for
 * multivariate models: a bivariate sire model, an animal model (single-trait and G0 ⊗ A), and a
 * bivariate BayesCπ marker set (a Σβ update from the wrong effects is caught). Then what it refuses,
 * its files, and a rerun that does nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { report } from '../../src/api/report.js';
import { type SbcResult, sbc } from '../../src/api/sbc.js';
import { ResidualCovarianceBlock } from '../../src/blocks/multi/covariance.js';
import { MultiMarkerBlock } from '../../src/blocks/multi/markers.js';
import { ResidualVarianceBlock } from '../../src/blocks/variance.js';
import type { ChainState } from '../../src/mcmc/state.js';
import type { UniformSource } from '../../src/rng/rng.js';
import type { DataRow, RunSpec } from '../../src/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { simulateMarkers } from '../helpers/markers.js';

const rows: DataRow[] = Array.from({ length: 200 }, (_, i) => ({ g: `g${i % 20}`, y: Math.sin(i) }));
const spec: RunSpec = {
  data: rows,
  formula: 'y ~ 1 + (1|g)',
  priors: { g: { df: 5, scale: 1 }, residual: { df: 5, scale: 1 } },
  mcmc: { chains: 2, iterations: 700, burnin: 200, seed: 3 },
};
const settings = { sims: 300, draws: 19, bins: 5, workers: 0 };

/** Rule: every named parameter p > alpha/names, and the `levels` random-effect levels p > alpha/levels (Bonferroni within each). */
function expectCalibrated(r: SbcResult, names: readonly string[], levels: number, alpha = 0.01): void {
  const p = new Map(r.parameters.map((x) => [x.variable, x.p]));
  for (const v of names) expect(p.get(v), v).toBeGreaterThan(alpha / names.length);
  const ranked = r.parameters.filter((x) => x.variable.startsWith('u['));
  expect(ranked).toHaveLength(levels);
  for (const x of ranked) expect(x.p, x.variable).toBeGreaterThan(alpha / levels);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('simulation-based calibration', () => {
  it('the random-intercept sampler is calibrated', async () => {
    const r = await sbc(spec, settings);
    expectCalibrated(r, ['var[g]'], 20);
    expectCalibrated(r, ['var[residual]'], 20);
    expect(r.parameters.every((x) => x.sims === 300 && x.counts.reduce((a, c) => a + c, 0) === 300)).toBe(true);
    expect(r.notRanked.map((x) => x.variable)).toContain('b[(Intercept)]');
  });

  it('a residual variance update off by 5% of its scale is caught (p < 0.01)', async () => {
    const update = ResidualVarianceBlock.prototype.update;
    vi.spyOn(ResidualVarianceBlock.prototype, 'update').mockImplementation(function (this: ResidualVarianceBlock, state: ChainState, rng: UniformSource) {
      update.call(this, state, rng);
      state.varE[0] *= 1.05;
    });
    const r = await sbc(spec, settings);
    expect(r.parameters.find((x) => x.variable === 'var[residual]')!.p).toBeLessThan(0.01);
  });

  it('a bivariate sire model (10% of y2 missing) is calibrated: every element and correlation of G0 and R0, and the levels; R0 off by 5% is caught', async () => {
    const data: DataRow[] = Array.from({ length: 96 }, (_, i) => ({ sire: `s${i % 12}`, y1: Math.sin(i), y2: i % 10 === 3 ? null : Math.cos(i) }));
    const bivariate: RunSpec = {
      data,
      formula: 'cbind(y1, y2) ~ 1 + (1|sire)',
      priors: {
        sire: {
          df: 4,
          scale: [
            [0.3, 0],
            [0, 0.3],
          ],
        },
        residual: {
          df: 5,
          scale: [
            [1, 0.2],
            [0.2, 1],
          ],
        },
      },
      mcmc: { chains: 1, iterations: 500, burnin: 150, seed: 4 },
    };
    const matrices = ['sire', 'residual'].flatMap((t) => [`var[${t}](y1)`, `cov[${t}](y1,y2)`, `var[${t}](y2)`, `cor[${t}](y1,y2)`]);
    const r = await sbc(bivariate, { ...settings, sims: 150 });
    for (const v of matrices) expect(r.parameters.find((x) => x.variable === v)?.sims, v).toBe(150);
    expectCalibrated(r, matrices, 24);
    const update = ResidualCovarianceBlock.prototype.update;
    vi.spyOn(ResidualCovarianceBlock.prototype, 'update').mockImplementation(function (this: ResidualCovarianceBlock, state: ChainState, rng: UniformSource) {
      update.call(this, state, rng);
      const r0 = state.multi!.covE;
      for (let k = 0; k < r0.length; k++) r0[k] *= 1.05;
    });
    const wrong = await sbc(bivariate, { ...settings, sims: 150 });
    expect(wrong.parameters.find((x) => x.variable === 'var[residual](y1)')!.p).toBeLessThan(0.01);
  });

  it('an animal model with a pedigree (u ~ N(0, σ²A)) is calibrated, single-trait and bivariate (G0 ⊗ A)', async () => {
    const dir = tempDir('mixmc-sbc-');
    // 10 founders, then 3 generations of 15 from random parents of the one before: 55 animals
    const ped = ['id,sire,dam'];
    const generations: string[][] = [Array.from({ length: 10 }, (_, i) => `f${i}`)];
    for (const f of generations[0]) ped.push(`${f},NA,NA`);
    for (let g = 1; g <= 3; g++) {
      const before = generations[g - 1];
      const now = Array.from({ length: 15 }, (_, i) => `g${g}a${i}`);
      // sires the even animals of the generation before, dams the odd ones
      const half = Math.floor(before.length / 2);
      now.forEach((id, i) => ped.push(`${id},${before[2 * (i % half)]},${before[2 * ((3 * i + 1) % half) + 1]}`));
      generations.push(now);
    }
    writeFileSync(join(dir, 'ped.csv'), `${ped.join('\n')}\n`);
    const animals = generations.flat();
    const data: DataRow[] = animals.flatMap((a, i) => [0, 1].map((k) => ({ animal: a, y1: Math.sin(i + k), y2: (i + k) % 9 === 0 ? null : Math.cos(i * k) })));
    const mcmc = { chains: 1, iterations: 500, burnin: 150, seed: 6 };
    const single: RunSpec = {
      data,
      formula: 'y1 ~ 1 + (1|animal)',
      covariance: { animal: { pedigree: join(dir, 'ped.csv') } },
      priors: { animal: { df: 5, scale: 1 }, residual: { df: 5, scale: 1 } },
      mcmc,
    };
    const r = await sbc(single, { ...settings, sims: 150 });
    expectCalibrated(r, ['var[animal]'], 55);
    expectCalibrated(r, ['var[residual]'], 55);
    const bivariate: RunSpec = {
      ...single,
      formula: 'cbind(y1, y2) ~ 1 + (1|animal)',
      priors: {
        animal: {
          df: 4,
          scale: [
            [1, 0.3],
            [0.3, 1],
          ],
        },
        residual: {
          df: 5,
          scale: [
            [1, 0],
            [0, 1],
          ],
        },
      },
    };
    const b = await sbc(bivariate, { ...settings, sims: 150 });
    expectCalibrated(b, ['var[animal](y1)', 'cov[animal](y1,y2)', 'var[animal](y2)', 'cor[animal](y1,y2)', 'var[residual](y1)', 'var[residual](y2)'], 110);
  });

  it('a bivariate BayesCπ marker set is calibrated (Σβ, Π over the patterns, the markers in per trait, R0); Σβ drawn from the effects in the model instead of the slab effects is caught', async () => {
    const dir = tempDir('mixmc-sbc-');
    const sim = simulateMarkers(dir, 80, 12, 3, 0.5, 91);
    const data: DataRow[] = sim.rows.map((r, i) => ({ id: r.id, y1: r.y, y2: i % 10 === 3 ? null : Math.cos(i) }));
    const markers: RunSpec = {
      data,
      id: 'id',
      formula: 'cbind(y1, y2) ~ 1',
      markers: { file: sim.genoFile, prior: 'BayesCpi' },
      priors: {
        residual: {
          df: 5,
          scale: [
            [1, 0.2],
            [0.2, 1],
          ],
        },
      },
      mcmc: { chains: 1, iterations: 600, burnin: 150, seed: 5 },
    };
    const names = [
      ...['var[markers](y1)', 'cov[markers](y1,y2)', 'var[markers](y2)'],
      ...['pi[00]', 'pi[10]', 'pi[01]', 'pi[11]', 'markersIn(y1)', 'markersIn(y2)'],
      ...['var[residual](y1)', 'cov[residual](y1,y2)', 'var[residual](y2)', 'cor[residual](y1,y2)'],
    ];
    const r = await sbc(markers, { ...settings, sims: 150 });
    for (const v of names) expect(r.parameters.find((x) => x.variable === v)?.sims, v).toBe(150);
    expectCalibrated(r, names, 0);
    // Σβ is drawn from the slab effects b_j of the markers in some trait (those out of every trait
    // integrated out, then redrawn); from α = δ ∘ b of every marker, with no redraw, it is wrong
    type Draw = {
      drawCovariance(rng: UniformSource, b: Float64Array, delta: Float64Array | undefined): void;
      state: { b: Float64Array; beta: Float64Array };
    };
    const proto = MultiMarkerBlock.prototype as unknown as Draw;
    const draw = proto.drawCovariance;
    vi.spyOn(proto, 'drawCovariance').mockImplementation(function (this: Draw, rng: UniformSource, b: Float64Array, delta: Float64Array | undefined) {
      if (b === this.state.b) draw.call(this, rng, this.state.beta, undefined);
      else draw.call(this, rng, b, delta);
    });
    const wrong = await sbc(markers, { ...settings, sims: 150 });
    expect(wrong.parameters.find((x) => x.variable === 'var[markers](y1)')!.p).toBeLessThan(0.01);
  });

  it('writes sbc.csv and sbc-ranks.csv, and a rerun fits nothing; refuses what it cannot simulate', async () => {
    const dir = join(tempDir('mixmc-sbc-'), 'out');
    const small = { ...settings, sims: 20, outDir: dir };
    const first = await sbc(spec, small);
    expect(readFileSync(join(dir, 'sbc.csv'), 'utf8')).toMatch(/^variable,sims,chi2,df,p,bin1,bin2,bin3,bin4,bin5\n/);
    expect(readFileSync(join(dir, 'sbc-ranks.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 20 * 22);
    // the rank histograms: a figure per ranked parameter; mixmc report rewrites it from sbc.csv
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.match(/<figure id="fig-/g)).toHaveLength(22);
    expect(html).toMatch(/ranked among 19 posterior draws/);
    const again = await report(dir);
    expect(again.figures).toBe(22);
    const update = vi.spyOn(ResidualVarianceBlock.prototype, 'update');
    expect(await sbc(spec, small)).toEqual(first);
    expect(update).not.toHaveBeenCalled();
    await expect(sbc(spec, { ...small, draws: 39 })).rejects.toThrowError(/holds a simulation-based calibration of other inputs or settings/);
    const binary: RunSpec = { ...spec, family: 'binary', priors: { g: { df: 5, scale: 1 } }, data: rows.map((r, i) => ({ ...r, y: i % 2 })) };
    await expect(sbc(binary, { ...settings, sims: 1 })).rejects.toThrowError(/sbc simulates Gaussian responses/);
    await expect(sbc(spec, { ...settings, bins: 3 })).rejects.toThrowError(/--bins \(3\) must be >= 2 and divide --draws \+ 1 \(20\)/);
  });

  it('mixmc sbc prints the table and writes sbc.csv; bad settings are one line, exit code 2', async () => {
    const dir = tempDir('mixmc-sbc-cli-');
    writeFileSync(join(dir, 'data.csv'), `g,y\n${rows.map((r) => `${r.g},${r.y}`).join('\n')}\n`);
    const config = join(dir, 'spec.json');
    writeFileSync(config, JSON.stringify({ ...spec, data: 'data.csv' }));
    const ok = await runCli(['sbc', config, '--out', join(dir, 'out'), '--sims', '6', '--draws', '9', '--bins', '5', '--workers', '0', '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/6 simulations, each true value ranked among 9 posterior draws/);
    expect(ok.stdout).toMatch(/var\[residual\]\s+6\s/);
    const bad = await runCli(['sbc', config, '--out', join(dir, 'bad'), '--sims', '0', '--quiet']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --sims must be an integer >= 1/)]);
  });
});
