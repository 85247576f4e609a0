/**
 * The report of a simulation-based calibration (api/sbc.ts): per ranked parameter, the histogram of
 * the true values' ranks in the groups of ranks with the band a uniform histogram stays in 99% of
 * the time per group (binomial, m simulations, probability 1/B per group: mean ± 2.576 sd), as
 * Talts et al. (2018) draw it; the χ² test's p-value beside it. A ∪ shape means posteriors too
 * narrow, ∩ too wide, a slope a bias.
 */
import { escapeHtml, figureId, STYLE } from './html.js';
import { HEIGHT, renderSvg, type Spec, WIDTH } from './figures.js';

export interface SbcReportInput {
  sims: number;
  /** L, the draws each truth was ranked among (absent when read back from sbc.csv). */
  draws?: number;
  bins: number;
  parameters: { variable: string; sims: number; counts: number[]; chi2: number; df: number; p: number }[];
}

/** The rank histogram of one parameter with the 99% band of a uniform one. */
function rankHistogramSpec(variable: string, counts: readonly number[], sims: number): Spec {
  const B = counts.length;
  const mean = sims / B;
  const sd = Math.sqrt(sims * (1 / B) * (1 - 1 / B));
  return {
    width: WIDTH,
    height: HEIGHT,
    title: variable,
    layer: [
      {
        data: { values: [{ lo: Math.max(0, mean - 2.576 * sd), hi: mean + 2.576 * sd, mean }] },
        mark: { type: 'rect', color: '#ddd' },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
      {
        data: { values: counts.map((count, bin) => ({ bin: bin + 1, count })) },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { x: { field: 'bin', type: 'ordinal', title: 'group of ranks' }, y: { field: 'count', type: 'quantitative', title: 'simulations' } },
      },
    ],
  } as unknown as Spec;
}

export async function buildSbcReport(r: SbcReportInput): Promise<{ html: string; figures: number }> {
  const rows = r.parameters.map(
    (p) =>
      `<tr><td><a href="#${figureId(p.variable)}">${escapeHtml(p.variable)}</a></td><td>${p.sims}</td><td>${p.chi2.toFixed(2)}</td><td>${p.df}</td><td${p.p < 0.01 ? ' class="bad"' : ''}>${p.p.toPrecision(3)}</td></tr>`,
  );
  const figures: string[] = [];
  for (const p of r.parameters)
    figures.push(`<figure id="${figureId(p.variable)}">${await renderSvg(rankHistogramSpec(p.variable, p.counts, p.sims))}</figure>`);
  const title = 'mixmc simulation-based calibration';
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head><body>
<h1>${title}</h1>
<p>${r.sims} simulations from the priors; each true value ranked among ${r.draws ?? 'L'} posterior draws, the ranks in ${r.bins} equal groups. A right sampler gives uniform ranks: the bars stay in the grey band (99% per group) and the χ² test's p is not small (red below 0.01). A ∪ shape means posteriors too narrow, ∩ too wide, a slope a bias (Talts et al. 2018).</p>
<table><tr><th>parameter</th><th>sims</th><th>χ²</th><th>df</th><th>p</th></tr>${rows.join('')}</table>
<div class="figs">${figures.join('')}</div></body></html>
`;
  return { html, figures: figures.length };
}
