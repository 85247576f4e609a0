/**
 * Genomic windows from saved effect draws: on simulated genotypes (500 individuals × 200 markers,
 * 3 QTL, h² 0.5) fitted by BayesCπ, the windows holding the QTL have the highest WPPA; in every saved
 * draw the windows' variances cov(g_w, g) sum to var(g), and var(g) equals the draw's traced
 * var[genetic] (up to the Float32 storage of the saved effects); missing positions and missing draws
 * are clear errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { windows } from '../../src/api/windows.js';
import { runCli } from '../helpers/cli.js';
import { fit } from '../../src/api/fit.js';
import { prepare } from '../../src/blocks/plan.js';
import { figureId } from '../../src/report/html.js';
import { normal } from '../../src/rng/dist.js';
import { chainRng } from '../../src/rng/rng.js';
import { tempDir } from '../helpers/cli.js';
import { fitSimulatedMarkers, markerColumn, simulateMarkers } from '../helpers/markers.js';

describe('genomic windows', () => {
  it('the QTL windows have the highest WPPA; window variances sum to var[genetic] in every saved draw', async () => {
    const every = 2;
    const { sim, dir, res } = await fitSimulatedMarkers(
      500,
      200,
      3,
      41,
      { prior: 'BayesC', pi: 0.95, estimatePi: true, saveEffects: every },
      {
        chains: 2,
        iterations: 2500,
        burnin: 500,
        thin: 2,
        seed: 9,
      },
    );
    const qtlWindows = new Set(sim.beta.flatMap((b, j) => (b !== 0 ? [Math.floor(j / 10) + 1] : [])));
    const r = windows(dir, { markers: 10, write: true });
    expect(r.windows).toHaveLength(20);
    expect(r.threshold).toBeCloseTo(1 / 20, 15);
    const ranked = [...r.windows].sort((a, b) => b.wppa - a.wppa).map((w) => w.window);
    expect(new Set(ranked.slice(0, qtlWindows.size))).toEqual(qtlWindows);
    for (const w of r.windows) if (qtlWindows.has(w.window)) expect(w.wppa).toBeGreaterThan(0.9);
    const shares = r.windows.reduce((s, w) => s + w.share, 0);
    expect(shares).toBeCloseTo(1, 10);
    // per draw: Σ_w cov(g_w, g) = var(g), and var(g) = the traced var[genetic] of that kept draw
    const traced = res.params.indexOf('var[genetic]');
    let d = 0;
    for (const chain of res.chains) {
      const saved = Math.floor(chain.draws[traced].length / every);
      for (let k = 0; k < saved; k++, d++) {
        expect(Math.abs(r.windowSum[d] - r.genetic[d]) / r.genetic[d]).toBeLessThan(1e-10);
        const v = chain.draws[traced][(k + 1) * every - 1];
        expect(Math.abs(r.genetic[d] - v) / v).toBeLessThan(1e-4);
      }
    }
    expect(d).toBe(r.draws);
    const csv = readFileSync(join(dir, 'windows.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('window,chr,start,end,first,last,markers,variance,share,share_sd,wppa');
    expect(csv).toHaveLength(21);
    const cli = await runCli(['windows', dir, '--markers', '10']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/20 windows, \d+ saved draws; WPPA = P\(share > 0\.05\)/);
    // the report then shows the windows
    const page = await runCli(['report', dir, '--vars', 'var[*]']);
    expect(page.code, page.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const figure = /<figure id="windows">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
    expect(figure).toMatch(/genomic windows: share of var\[genetic\]/);
    expect((figure.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(40);
    const noPositions = await runCli(['windows', dir]);
    expect(noPositions.code).toBe(2);
    expect(noPositions.stderr).toMatch(/^error: .*no position.*--markers K/);
  });

  it('a multi-trait model: windows per trait (variances summing to each var[genetic](TRAIT) per draw) and each window’s genetic correlation, recomputed here from the saved draws', async () => {
    const root = tempDir('mixmc-markers-');
    const sim = simulateMarkers(root, 400, 100, 2, 0.5, 43);
    const rng = chainRng(44, 0);
    // both traits from the same genetic values: the QTL windows' genetic correlation is near 1
    const data = sim.rows.map((r, i) => ({ id: r.id, y1: r.y, y2: i % 5 === 0 ? null : sim.g[i] + Math.sqrt(sim.varE) * normal(rng) }));
    const dir = join(root, 'run');
    const res = await fit(
      {
        data,
        id: 'id',
        formula: 'cbind(y1, y2) ~ 1',
        markers: { file: sim.genoFile, prior: 'BayesC', saveEffects: 1 },
        mcmc: { chains: 2, iterations: 700, burnin: 200, thin: 1, seed: 5 },
      },
      { outDir: dir, workers: 0 },
    );
    const r = windows(dir, { markers: 10, write: true });
    expect(r.windows.map((w) => w.trait)).toEqual([...Array(10).fill('y1'), ...Array(10).fill('y2')]);
    const qtlWindows = new Set(sim.beta.flatMap((b, j) => (b !== 0 ? [Math.floor(j / 10) + 1] : [])));
    for (const [k, trait] of ['y1', 'y2'].entries()) {
      const rows = r.windows.filter((w) => w.trait === trait);
      expect(rows.reduce((a, w) => a + w.share, 0)).toBeCloseTo(1, 10);
      const ranked = [...rows].sort((a, b) => b.wppa - a.wppa).map((w) => w.window);
      expect(new Set(ranked.slice(0, qtlWindows.size))).toEqual(qtlWindows);
      // per draw, per trait: Σ_w cov(g_w, g) = var(g) = the traced var[genetic](TRAIT) of that draw
      const traced = res.params.indexOf(`var[genetic](${trait})`);
      let d = 0;
      for (const chain of res.chains) {
        for (const v of chain.draws[traced]) {
          const at = k * r.draws + d++;
          expect(Math.abs(r.windowSum[at] - r.genetic[at]) / r.genetic[at]).toBeLessThan(1e-10);
          expect(Math.abs(r.genetic[at] - v) / v).toBeLessThan(1e-4);
        }
      }
      expect(d).toBe(r.draws);
    }
    // window 1's correlation from the saved draws, with the design's own columns
    const md = prepare({ data, id: 'id', formula: 'cbind(y1, y2) ~ 1', markers: { file: sim.genoFile, prior: 'BayesC' } }).design.markers[0];
    const columns = Array.from({ length: 10 }, (_, j) => markerColumn(md, j));
    const cors: number[] = [];
    for (const c of res.chains) {
      const e = c.effects[0]!;
      for (let row = 0; row < e.rows; row++) {
        const gw = [0, 1].map((k) => {
          const out = new Float64Array(md.n);
          columns.forEach((x, j) => {
            const b = e.values[row * 200 + j * 2 + k];
            for (let i = 0; i < md.n; i++) out[i] += b * x[i];
          });
          return out;
        });
        const sd = gw.map((v) => Math.sqrt(v.reduce((a, x) => a + x * x, 0) - v.reduce((a, x) => a + x, 0) ** 2 / md.n));
        if (sd[0] > 0 && sd[1] > 0) {
          const m = gw.map((v) => v.reduce((a, x) => a + x, 0) / md.n);
          cors.push(gw[0].reduce((a, x, i) => a + (x - m[0]) * (gw[1][i] - m[1]), 0) / (sd[0] * sd[1]));
        }
      }
    }
    const first = r.correlations!.find((c) => c.window === 1)!;
    expect(first.draws).toBe(cors.length);
    expect(first.cor).toBeCloseTo(cors.reduce((a, x) => a + x, 0) / cors.length, 6);
    for (const w of qtlWindows) expect(r.correlations!.find((c) => c.window === w)!.cor).toBeGreaterThan(0.5);
    expect(readFileSync(join(dir, 'windows.csv'), 'utf8').split('\n')[0]).toBe('window,trait,chr,start,end,first,last,markers,variance,share,share_sd,wppa');
    const corCsv = readFileSync(join(dir, 'window-correlations.csv'), 'utf8').trim().split('\n');
    expect(corCsv[0]).toBe('window,chr,start,end,trait1,trait2,cor,cor_sd,draws');
    expect(corCsv).toHaveLength(11);
    const cli = await runCli(['windows', dir, '--markers', '10']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^10 windows, 1000 saved draws[\s\S]*\ny1:\n[\s\S]*genetic cor[\s\S]*\ny2:\n[\s\S]*window-correlations\.csv/);
    const page = await runCli(['report', dir, '--vars', 'var[*]']);
    expect(page.code, page.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const trait of ['y1', 'y2'])
      expect(html).toMatch(new RegExp(`<figure id="${figureId(`windows(${trait})`)}"><svg[\\s\\S]*?genomic windows of ${trait}`));
  });

  it('a run without saved effect draws says how to get them', async () => {
    const { dir } = await fitSimulatedMarkers(100, 50, 2, 42, { prior: 'BRR', saveEffects: 0 }, { chains: 1, iterations: 200, burnin: 50, seed: 1 });
    expect(() => windows(dir, { markers: 10 })).toThrowError(/saved no draws of the marker effects.*"saveEffects"/);
  });
});
