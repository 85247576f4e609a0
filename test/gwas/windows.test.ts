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
import { fitSimulatedMarkers } from '../helpers/markers.js';

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

  it('a run without saved effect draws says how to get them', async () => {
    const { dir } = await fitSimulatedMarkers(100, 50, 2, 42, { prior: 'BRR', saveEffects: 0 }, { chains: 1, iterations: 200, burnin: 50, seed: 1 });
    expect(() => windows(dir, { markers: 10 })).toThrowError(/saved no draws of the marker effects.*"saveEffects"/);
  });
});
