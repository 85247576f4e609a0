/// <reference lib="dom" />
/**
 * The HTML report in a real browser: Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium),
 * driven headless by playwright-core, opens the reports of three small runs — a linear mixed model
 * short enough to have convergence warnings, a BayesC marker model with its genomic windows, and a
 * compare run — from file:// with every other request refused. Each must load with no console error,
 * no page error and no request beyond the file itself; every figure must hold an SVG that the browser
 * lays out with a non-empty box and drawn marks; every warning's link must scroll its parameter's
 * figures into view; the summary table must sort. A full-page screenshot of each is kept in
 * test-artifacts/ (CI keeps the folder).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/api/compare.js';
import { fit } from '../../src/api/fit.js';
import { report } from '../../src/api/report.js';
import { windows } from '../../src/api/windows.js';
import { tempDir } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { fitSimulatedMarkers } from '../helpers/markers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = resolve('test-artifacts');

const dyestuff = (iterations: number) => ({
  data: fixturePath('dyestuff.csv'),
  formula: 'Yield ~ 1 + (1|Batch)',
  mcmc: { chains: 3, iterations, burnin: Math.floor(iterations / 5), thin: 1, seed: 4 },
});

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

/** Open a report and check it as a reader's browser shows it; returns what the page said. */
async function checkInBrowser(file: string, figures: number, shot: string): Promise<{ warningLinks: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  const url = pathToFileURL(file).href;
  // the report is self-contained: anything but the file itself is a defect
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });

  const boxes = await page.$$eval('figure', (els) =>
    els.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg ? svg.querySelectorAll('path, line, rect').length : 0 };
    }),
  );
  expect(boxes).toHaveLength(figures);
  for (const b of boxes) {
    expect(b.width, `figure ${b.id || '(param)'}`).toBeGreaterThan(50);
    expect(b.height, `figure ${b.id || '(param)'}`).toBeGreaterThan(30);
    expect(b.marks, `figure ${b.id || '(param)'}`).toBeGreaterThan(3);
  }

  // each warning's link scrolls its parameter's figures to the top of the window
  const links = await page.$$eval('#warnings a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const href of links) {
    await page.click(`#warnings a[href="${href}"]`);
    const landed = await page.evaluate((h) => {
      const el = document.getElementById(h.slice(1));
      return { hash: location.hash, top: el ? el.getBoundingClientRect().top : Number.NaN, svgs: el ? el.querySelectorAll('svg').length : 0 };
    }, href);
    expect(landed.hash).toBe(href);
    expect(Math.abs(landed.top), href).toBeLessThan(5);
    expect(landed.svgs, href).toBe(4);
  }

  // the summary table sorts by a column (R-hat, descending after two clicks)
  await page.click('#summary-table th[data-col="6"]');
  await page.click('#summary-table th[data-col="6"]');
  const rhat = await page.$$eval('#summary-table tbody tr', (rows) =>
    rows.map((r) => Number.parseFloat((r as HTMLTableRowElement).cells[6].textContent ?? '')),
  );
  const finite = rhat.filter((v) => Number.isFinite(v));
  expect(finite).toEqual([...finite].sort((a, b) => b - a));

  await page.screenshot({ path: join(ARTIFACTS, shot), fullPage: true });
  await page.close();
  expect(problems).toEqual([]);
  return { warningLinks: links.length };
}

describe('the report in headless Chromium', () => {
  it('a short linear mixed model: warnings link to their figures', async () => {
    const dir = join(tempDir('mixmc-browser-'), 'run');
    await fit(dyestuff(150), { outDir: dir, workers: 0 });
    const r = await report(dir);
    const { warningLinks } = await checkInBrowser(r.file, r.figures, 'report-lmm.png');
    expect(warningLinks).toBeGreaterThan(0);
  });

  it('a BayesC marker model with its genomic windows', async () => {
    const { dir } = await fitSimulatedMarkers(200, 150, 3, 8, { prior: 'BayesC', saveEffects: 1 }, { chains: 2, iterations: 600, burnin: 100, seed: 2 });
    windows(dir, { markers: 10, write: true });
    const r = await report(dir);
    await checkInBrowser(r.file, r.figures, 'report-markers.png');
  });

  it('a compare run: the posterior beside REML', async () => {
    const dir = join(tempDir('mixmc-browser-'), 'run');
    await compare(dyestuff(1000), { outDir: dir, workers: 0 });
    const r = await report(dir);
    await checkInBrowser(r.file, r.figures, 'report-compare.png');
  });
});
