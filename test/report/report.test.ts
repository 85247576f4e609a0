/**
 * The HTML report, checked in Node (the browser test belongs to the system suite): one
 * self-contained file — no script, style or image fetched, every URL an SVG namespace — with the
 * run's settings, a sortable summary table, four non-empty figures per parameter, warnings that link
 * to their parameter's figures, the prior's density over a variance's, WAIC and DIC, the posterior
 * predictive check; a compare run's figures; and the report of an interrupted run, which says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { fit } from '../../src/api/fit.js';
import { report } from '../../src/api/report.js';
import jstatModule from 'jstat';
import { InverseWishart } from '../../src/blocks/multi/wishart.js';
import { figureId, variancePrior } from '../../src/report/html.js';
import { chainRng } from '../../src/rng/rng.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { fitSimulatedMarkers, simulateMarkers } from '../helpers/markers.js';
import { simulateSires } from '../helpers/multi.js';

const jStat = jstatModule.jStat ?? jstatModule;

const dyestuff = (iterations: number) => ({
  data: fixturePath('dyestuff.csv'),
  formula: 'Yield ~ 1 + (1|Batch)',
  mcmc: { chains: 3, iterations, burnin: Math.floor(iterations / 5), thin: 1, seed: 4 },
});

/** Every URL in the HTML, and the sections of figures by id. */
function inspect(html: string) {
  const urls = [...html.matchAll(/(?:src|href)\s*=\s*"([^"#][^"]*)"/g)].map((m) => m[1]);
  const namespaces = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.w3\.org\//.test(u));
  const sections = new Map([...html.matchAll(/<section class="param" id="([^"]+)">([\s\S]*?)<\/section>/g)].map((m) => [m[1], m[2]]));
  return { urls, namespaces, sections };
}

describe('the HTML report', () => {
  it('a finished run: self-contained, every figure present and drawn, warnings and table linked to figures, prior over posterior', async () => {
    const dir = join(tempDir('mixmc-report-'), 'run');
    await fit(dyestuff(300), { outDir: dir, workers: 0 });
    const r = await report(dir);
    expect(r.file).toBe(join(dir, 'report.html'));
    const html = readFileSync(r.file, 'utf8');
    const { urls, namespaces, sections } = inspect(html);
    expect(urls).toEqual([]);
    expect(namespaces).toEqual([]);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img/);
    for (const v of ['b[(Intercept)]', 'var[Batch]', 'var[residual]', 'prop[Batch]']) {
      const body = sections.get(figureId(v));
      expect(body, v).toBeDefined();
      const svgs = body!.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      expect(svgs, v).toHaveLength(4);
      for (const svg of svgs) expect(svg).toMatch(/<path[^>]* d="M[^"]{20,}/);
    }
    expect(html).toContain('<figure id="fitted">');
    // four per parameter, fitted against observed, and the posterior predictive check's two
    expect(r.figures).toBe(4 * sections.size + 3);
    expect(html).toMatch(/<section id="ppc">[\s\S]*<td>sd<\/td>/);
    for (const k of [1, 2]) expect(html).toContain(`<figure id="${figureId(`ppc-Yield-${k}`)}"><svg`);
    expect(sections.get(figureId('var[Batch]'))).toMatch(/density \(dashed: prior\)/);
    // every link into the page lands on an element that exists
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const links = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(ids.has(l), l).toBe(true);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.warnings.length).toBeGreaterThan(0);
    for (const w of summary.warnings) if (sections.has(figureId(w.subject))) expect(html).toContain(`<a href="#${figureId(w.subject)}">`);
    expect(html).toMatch(/<th>WAIC<\/th><td>[0-9.]+ \(SE/);
    expect(html).toContain('id="summary-table"');
    expect(html).toMatch(/<th>status<\/th><td>finished/);
    // run.json numbers the chains from 1: so does the report
    expect(html).toMatch(/<th>chains<\/th><td>3 \(1: finished, 300 iterations, 240 draws; 2: finished[^;]*; 3: finished/);
  });

  it('a model with covariance matrices and a marker set: every prior in the table with its rule, and the marginal prior of each diagonal element over its posterior', async () => {
    const dir = join(tempDir('mixmc-report-'), 'run');
    // 8 sires × 5 progeny, genotyped (the simulated markers' individuals ind0 … ind39)
    const data = simulateSires(
      8,
      5,
      [
        [0.2, 0.05],
        [0.05, 0.2],
      ],
      [
        [1, 0.3],
        [0.3, 1],
      ],
      0.1,
      5,
    ).map((r, i) => ({ ...r, id: `ind${i}` }));
    const sim = simulateMarkers(tempDir(), 40, 30, 3, 0.5, 6);
    await fit(
      {
        data,
        id: 'id',
        formula: 'cbind(y1, y2) ~ 1 + (1|sire)',
        markers: { file: sim.genoFile, prior: 'BayesC' },
        mcmc: { chains: 2, iterations: 200, burnin: 50, thin: 1, seed: 3 },
      },
      { outDir: dir, workers: 0 },
    );
    const html = readFileSync((await report(dir)).file, 'utf8');
    const priors = /<h3>Priors<\/h3>([\s\S]*?)<details>/.exec(html)?.[1] ?? '';
    for (const term of ['sire', 'markers', 'residual'])
      expect(priors).toMatch(new RegExp(`<td>${term} \\(y1, y2\\)</td><td>\\d+</td><td>\\[\\[[^<]+\\]\\]</td><td>inverse-Wishart; df = `));
    expect(priors).toMatch(/<td>markers<\/td><td>BayesC<\/td><td>pi: /);
    const { sections } = inspect(html);
    for (const v of ['var[sire](y1)', 'var[markers](y2)', 'var[residual](y1)']) expect(sections.get(figureId(v)), v).toMatch(/density \(dashed: prior\)/);
    expect(sections.get(figureId('cov[sire](y1,y2)'))).not.toMatch(/dashed: prior/);
    // per trait: a Manhattan plot of the PIPs (a point per marker) and the fitted values against the observed
    for (const trait of ['y1', 'y2']) {
      const manhattan = new RegExp(`<figure id="${figureId(`markers(${trait})`)}">([\\s\\S]*?)</figure>`).exec(html)?.[1] ?? '';
      expect(manhattan).toContain(`markers(${trait}): PIP`);
      expect((manhattan.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(30);
      const fitted = new RegExp(`<figure id="${figureId(`fitted(${trait})`)}">([\\s\\S]*?)</figure>`).exec(html)?.[1] ?? '';
      expect(fitted).toContain(`${trait}: fitted against observed`);
      expect((fitted.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(trait === 'y1' ? 40 : 30);
    }
  });

  it('the prior drawn for a diagonal element of an inverse-Wishart matrix is its marginal: the sampler’s own IW draws of Σ_cc follow it (Kolmogorov–Smirnov at 1%)', () => {
    const scale = [
      [2, 0.5, -0.3],
      [0.5, 1, 0.2],
      [-0.3, 0.2, 0.5],
    ];
    const df = 7;
    const components = ['a', 'b', 'c'];
    const run = { priors: [], covariancePriors: [{ term: 'g', components, correlated: true, df, scale, source: 'user' as const }] };
    const draws = 20_000;
    const iw = new InverseWishart(3);
    const psi = Float64Array.from(scale.flat(), (v) => df * v);
    const out = new Float64Array(9);
    const rng = chainRng(77, 0);
    const sigma = components.map(() => new Float64Array(draws));
    for (let k = 0; k < draws; k++) {
      iw.draw(rng, df, psi, out);
      for (let c = 0; c < 3; c++) sigma[c][k] = out[c * 3 + c];
    }
    components.forEach((name, c) => {
      const prior = variancePrior(run, `var[g](${name})`)!;
      expect(prior.df).toBe(df - 3 + 1);
      // Σ_cc ~ Scaled-Inv-χ²(ν', s²)  ⇔  ν's²/Σ_cc ~ χ²(ν')
      const sorted = Float64Array.from(sigma[c]).sort();
      let ks = 0;
      sorted.forEach((x, i) => {
        const cdf = 1 - jStat.chisquare.cdf((prior.df * prior.scale) / x, prior.df);
        ks = Math.max(ks, Math.abs(cdf - i / draws), Math.abs(cdf - (i + 1) / draws));
      });
      expect(ks, name).toBeLessThan(1.63 / Math.sqrt(draws));
    });
    // an uncorrelated term's component has its own Scaled-Inv-χ²(ν, scale_cc)
    const diag = { priors: [], covariancePriors: [{ term: 'g', components, correlated: false, df, scale, source: 'user' as const }] };
    expect(variancePrior(diag, 'var[g](b)')).toEqual({ df, scale: 1 });
    expect(variancePrior(diag, 'var[g](d)')).toBeUndefined();
    // the one element of a 1 × 1 matrix (a single-trait residual beside a random slope): Scaled-Inv-χ²(ν, scale)
    const one = { priors: [], covariancePriors: [{ term: 'residual', components: ['y'], correlated: true, df: 5, scale: [[3]], source: 'default' as const }] };
    expect(variancePrior(one, 'var[residual]')).toEqual({ df: 5, scale: 3 });
  });

  it('an interrupted run: the report of the draws so far says so; the CLI writes --out and picks --vars', async () => {
    const dir = join(tempDir('mixmc-report-'), 'run');
    const controller = new AbortController();
    const partial = await fit(dyestuff(4000), {
      outDir: dir,
      workers: 0,
      signal: controller.signal,
      flush: { draws: 50, ms: 10_000 },
      onProgress: (e) => {
        if (e.iteration >= 2000) controller.abort();
      },
    });
    expect(partial.interrupted).toBe(true);
    const out = join(dir, '..', 'partial.html');
    const cli = await runCli(['report', dir, '--out', out, '--vars', 'var[*]']);
    expect(cli.code, cli.stderr).toBe(0);
    // the two variances' four figures each, and fitted against observed (an interrupted run writes fitted.csv of the draws so far)
    expect(existsSync(join(dir, 'fitted.csv'))).toBe(true);
    expect(cli.stdout).toMatch(/wrote .*partial\.html \(0\.\d+ MB, 9 figures\)/);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<th>status<\/th><td>interrupted/);
    expect(html).toMatch(/<section id="ppc">.*this run has not/);
    const { sections } = inspect(html);
    expect([...sections.keys()]).toEqual([figureId('var[Batch]'), figureId('var[residual]')]);
  });

  it('a compare run: each variance posterior with REML ± 2 SE, posterior means against BLUPs (a point per level)', async () => {
    const dir = join(tempDir('mixmc-report-'), 'run');
    await compare(dyestuff(600), { outDir: dir, workers: 0 });
    const html = readFileSync((await report(dir)).file, 'utf8');
    const figure = (id: string) => new RegExp(`<figure id="${figureId(id)}">([\\s\\S]*?)</figure>`).exec(html)?.[1] ?? '';
    for (const v of ['var[Batch]', 'var[residual]']) {
      expect(figure(`reml-${v}`), v).toMatch(/REML ± 2 SE/);
      expect(figure(`reml-${v}`), v).toMatch(/<path[^>]* d="M[^"]{20,}/);
    }
    const blups = figure('blup-u[Batch]');
    expect(blups).toMatch(/posterior mean against REML\/BLUP/);
    // six batches: six points and the identity line
    expect((blups.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(6);
  });

  it('a marker model: a Manhattan plot of the PIPs with a point per marker, and fitted against observed', async () => {
    const { dir } = await fitSimulatedMarkers(150, 120, 3, 8, { prior: 'BayesC', saveEffects: 0 }, { chains: 2, iterations: 400, burnin: 100, seed: 2 });
    const html = readFileSync((await report(dir)).file, 'utf8');
    const manhattan = /<figure id="fig-markers">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
    expect(manhattan).toMatch(/markers: PIP/);
    expect((manhattan.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(120);
    const fitted = /<figure id="fitted">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
    expect(fitted).toMatch(/fitted against observed/);
    expect((fitted.match(/<path /g) ?? []).length).toBeGreaterThanOrEqual(150);
  });
});
