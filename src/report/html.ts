/**
 * The HTML report of a run: one self-contained file (styles, the table-sorting script and every
 * figure inline as SVG; nothing fetched), in this order: the run (spec, data size, priors with their
 * rules — scalar, matrix, and the marker sets' other settings —, chains and seeds, times, versions, status), the warnings (each linking to its parameter's
 * figures), WAIC and DIC, the summary table (sortable; R-hat and ESS coloured against 1.01 and 400),
 * and per parameter its trace, rank histograms, densities (with the prior's density over a variance's,
 * the marginal one for a matrix's diagonal element: variancePrior)
 * and autocorrelations; for marker models a Manhattan plot per set and trait (PIP for mixture priors,
 * |E[β]| otherwise) and the genomic windows of windows.csv; and the fitted values against the observed
 * response, per trait;
 * for a compare run the posterior beside REML (checks.ts); and the posterior predictive check.
 */
import { lgamma } from '../diagnostics/special.js';
import type { RunRecord } from '../output/runDir.js';
import { diagonalNames, varianceName } from '../model/names.js';
import type { DrawSet, PredictiveCheck, Summary } from '../types.js';
import { blupSpec, ppcHistogramSpec, ppcStatisticsSpec, remlVarianceSpec } from './checks.js';
import { acfSpec, densitySpec, fittedSpec, manhattanSpec, rankSpec, renderSvg, traceSpec, windowsSpec } from './figures.js';

export interface ReportInput {
  run: RunRecord;
  summary: Summary;
  draws: DrawSet;
  /** The parameters that get figures (default: every traced one but random-effect levels, at most MAX_FIGURED). */
  vars?: readonly string[];
  /** Marker sets (markers.csv), per trait in a multi-trait model: each marker's position and value (PIP, or |E[β]|). */
  markers?: { term: string; trait?: string; valueName: string; rows: { id: string; chr: string; pos: number; value: number }[] }[];
  /** fitted.csv's records with an observed response, per trait in a multi-trait model. */
  fitted?: { trait?: string; points: { observed: number; fitted: number }[] }[];
  /** windows.csv, per trait in a multi-trait model, and the WPPA threshold (1/windows). */
  windows?: { trait?: string; rows: { window: number; share: number; wppa: number }[]; threshold: number }[];
  /** A compare run's variances by REML (compare.json) and its effects, BLUP beside posterior mean, by term (compare.csv). */
  compare?: { variances: { variable: string; estimate: number; se: number }[]; effects: { term: string; points: { blup: number; posterior: number }[] }[] };
}

/** Parameters with figures when none are asked for. */
const MAX_FIGURED = 60;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The element id of a parameter's figures. */
export function figureId(variable: string): string {
  return `fig-${variable.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}

function number(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return 'NA';
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(digits - 1) : String(Number(x.toPrecision(digits)));
}

/**
 * The prior of a variance as Scaled-Inv-χ²(ν, s²): its own prior for a scalar variance; for a
 * diagonal element Σ_cc of a matrix with Σ ~ Inv-Wishart(ν, Ψ), Ψ = ν·scale, the marginal
 * Inv-Gamma((ν − d + 1)/2, Ψ_cc/2), i.e. ν' = ν − d + 1 and s² = Ψ_cc/ν' (Anderson 2003, An
 * Introduction to Multivariate Statistical Analysis, §7.7); for an uncorrelated (||) term's
 * component, its own Scaled-Inv-χ²(ν, scale_cc).
 */
export function variancePrior(run: Pick<RunRecord, 'priors' | 'covariancePriors'>, variable: string): { df: number; scale: number } | undefined {
  const scalar = run.priors.find((p) => varianceName(p.term) === variable);
  if (scalar) return scalar;
  // a diagonal element by its traced name (diagonalNames: a 1 × 1 matrix's is var[TERM])
  for (const m of run.covariancePriors ?? []) {
    const c = diagonalNames(m.term, m.components).indexOf(variable);
    if (c < 0 || m.fixed) continue;
    if (!m.correlated) return { df: m.df, scale: m.scale[c][c] };
    const df = m.df - m.components.length + 1;
    return { df, scale: (m.df * m.scale[c][c]) / df };
  }
  return undefined;
}

/** The prior density (variancePrior) over the range of the draws of a variance. */
function priorCurve(run: RunRecord, variable: string, chains: readonly Float64Array[]): { x: number; density: number }[] | undefined {
  const prior = variancePrior(run, variable);
  if (!prior) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (const v of c) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi > lo) || lo <= 0) return undefined;
  const { df, scale } = prior;
  const logConst = (df / 2) * Math.log((df * scale) / 2) - lgamma(df / 2);
  const from = lo * 0.8;
  const to = hi * 1.2;
  return Array.from({ length: 120 }, (_, k) => {
    const x = from + ((to - from) * k) / 119;
    return { x, density: Math.exp(logConst - (df / 2 + 1) * Math.log(x) - (df * scale) / (2 * x)) };
  });
}

function matches(variable: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    if (!p.includes('*')) return p === variable;
    const re = new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(variable);
  });
}

/** The parameters that get figures. */
function figured(names: readonly string[], vars: readonly string[] | undefined): string[] {
  if (vars && vars.length > 0) return names.filter((n) => matches(n, vars));
  return names.filter((n) => !n.startsWith('u[')).slice(0, MAX_FIGURED);
}

function runSection(run: RunRecord, summary: Summary): string {
  const rows: [string, string][] = [
    ['status', run.status + (run.status === 'running' ? ' (the report of a run still being written: its draws so far)' : '')],
    ['formula', run.spec.formula],
    ['records', String(summary.meta.run?.records ?? '')],
    ['chains', `${run.chains.length} (${run.chains.map((c) => `${c.chain}: ${c.status}, ${c.completed} iterations, ${c.draws} draws`).join('; ')})`],
    ['mcmc', `${run.mcmc.iterations} iterations, burn-in ${run.mcmc.burnin}, thin ${run.mcmc.thin}, seed ${run.mcmc.seed}`],
    ['streams', run.seeds.map((s) => s.key).join(', ')],
    ['started', run.started],
    ...(run.resumed && run.resumed.length > 0 ? [['resumed', run.resumed.join(', ')] as [string, string]] : []),
    ['ended', run.ended ?? '—'],
    ['versions', `mixmc ${run.version}, Node ${process.versions.node}, kernel ${run.kernel}`],
  ];
  const row = (cells: string[]): string => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  const matrixText = (m: number[][]): string => `[${m.map((r) => `[${r.map((x) => number(x)).join(', ')}]`).join(', ')}]`;
  const priors = [
    ...run.priors.map((p) => row([p.term, String(p.df), number(p.scale), p.rule ?? p.source])),
    ...(run.covariancePriors ?? []).map((m) => {
      const scalar = m.components.length === 1;
      const text = (x: number[][]): string => (scalar ? number(x[0][0]) : matrixText(x));
      const kind = scalar ? 'scaled-inverse-χ²' : m.correlated ? 'inverse-Wishart' : 'uncorrelated';
      return row([
        `${m.term} (${m.components.join(', ')})`,
        m.fixed ? '' : String(m.df),
        m.fixed ? '' : text(m.scale),
        m.fixed ? `held fixed at ${text(m.fixed)}` : `${kind}; ${m.rule ?? m.source}`,
      ]);
    }),
  ];
  // a marker set's rules, but those of its variance already in the table above
  const shown = run.priors.flatMap((p) => (p.rule ? [p.rule] : []));
  const markerRules = run.markerSets.map((m) => row([m.term, m.prior, m.rules.filter((r) => !shown.some((x) => r.endsWith(`: ${x}`))).join('; ')]));
  return `<section id="run"><h2>The run</h2><table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<h3>Priors</h3><table class="rules"><tr><th>term</th><th>df</th><th>scale</th><th>rule</th></tr>${priors.join('')}</table>
${markerRules.length > 0 ? `<table class="rules"><tr><th>marker set</th><th>prior</th><th>other settings</th></tr>${markerRules.join('')}</table>` : ''}
<details><summary>spec</summary><pre>${escapeHtml(JSON.stringify(run.spec, (k, v) => (k === 'data' && Array.isArray(v) ? `[${v.length} rows]` : v), 2))}</pre></details></section>`;
}

function warningsSection(summary: Summary, withFigures: ReadonlySet<string>): string {
  if (summary.warnings.length === 0) return '<section id="warnings"><h2>Warnings</h2><p>None.</p></section>';
  const items = summary.warnings.map((w) => {
    const subject = withFigures.has(w.subject) ? `<a href="#${figureId(w.subject)}">${escapeHtml(w.subject)}</a>` : escapeHtml(w.subject);
    return `<li><b>${subject}</b>: ${escapeHtml(w.message)}</li>`;
  });
  return `<section id="warnings"><h2>Warnings</h2><ul>${items.join('')}</ul></section>`;
}

function criteriaSection(summary: Summary): string {
  const c = summary.criteria;
  if (!c) return '';
  return `<section id="criteria"><h2>Model comparison</h2><table class="kv">
<tr><th>WAIC</th><td>${number(c.waic, 6)} (SE ${number(c.waicSe, 3)}; p_WAIC ${number(c.pWaic, 4)}, lppd ${number(c.lppd, 6)})</td></tr>
<tr><th>DIC</th><td>${number(c.dic, 6)} (pD ${number(c.pD, 4)}, mean deviance ${number(c.meanDeviance, 6)})</td></tr>
<tr><th>records</th><td>${c.records}</td></tr></table><p>Rank fits of the same records with <code>mixmc models DIR1 DIR2 …</code>.</p></section>`;
}

function summaryTable(summary: Summary, withFigures: ReadonlySet<string>): string {
  const head = ['variable', 'mean', 'sd', 'median', 'lower', 'upper', 'rhat', 'essBulk', 'essTail', 'mcseMean'];
  const rows = summary.parameters.map((r) => {
    const name = withFigures.has(r.variable) ? `<a href="#${figureId(r.variable)}">${escapeHtml(r.variable)}</a>` : escapeHtml(r.variable);
    const rhat = r.rhat > 1.01 ? ' class="bad"' : '';
    const ess = (e: number) => (e < 400 ? ' class="warn"' : '');
    return `<tr><td>${name}</td><td>${number(r.mean)}</td><td>${number(r.sd)}</td><td>${number(r.median)}</td><td>${number(r.lower)}</td><td>${number(r.upper)}</td><td${rhat}>${number(r.rhat, 4)}</td><td${ess(r.essBulk)}>${Math.round(r.essBulk)}</td><td${ess(r.essTail)}>${Math.round(r.essTail)}</td><td>${number(r.mcseMean, 2)}</td></tr>`;
  });
  return `<section id="summary"><h2>Summary</h2><p>Click a column to sort. R-hat above 1.01 in red, ESS below 400 in orange.</p>
<table id="summary-table"><thead><tr>${head.map((h, k) => `<th data-col="${k}">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></section>`;
}

export const STYLE = `body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1200px;color:#222}table{border-collapse:collapse;font-size:13px}
td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}.kv td{text-align:left}.rules td:last-child,.rules th:last-child{text-align:left}
.bad{background:#f8c9c4}.warn{background:#fde3b5}th[data-col]{cursor:pointer}.figs{display:flex;flex-wrap:wrap;gap:8px}
section.param{border-top:1px solid #ccc;margin-top:1em}pre{font-size:12px;background:#f6f6f6;padding:8px}`;

const SORT_SCRIPT = `document.querySelectorAll('#summary-table th[data-col]').forEach(function(th){th.addEventListener('click',function(){
var c=+th.dataset.col,b=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(b.rows),d=th.dataset.dir==='asc'?-1:1;th.dataset.dir=d===1?'asc':'desc';
rows.sort(function(x,y){var a=x.cells[c].textContent,z=y.cells[c].textContent,p=parseFloat(a),q=parseFloat(z);
return (isNaN(p)||isNaN(q)?a.localeCompare(z):p-q)*d;});rows.forEach(function(r){b.appendChild(r);});});});`;

/** A compare run: every variance's posterior with REML ± 2 SE, and the posterior means against the BLUPs per term. */
async function compareSection(compare: NonNullable<ReportInput['compare']>, draws: DrawSet): Promise<{ html: string; figures: number }> {
  const svgs: string[] = [];
  for (const v of compare.variances) {
    const j = draws.names.indexOf(v.variable);
    if (j < 0 || !Number.isFinite(v.estimate)) continue;
    const pooled = Float64Array.from(draws.chains.flatMap((c) => Array.from(c[j])));
    svgs.push(`<figure id="${figureId(`reml-${v.variable}`)}">${await renderSvg(remlVarianceSpec(v.variable, pooled, v))}</figure>`);
  }
  for (const e of compare.effects) svgs.push(`<figure id="${figureId(`blup-${e.term}`)}">${await renderSvg(blupSpec(e.term, e.points))}</figure>`);
  const html = `<section id="compare"><h2>Posterior beside REML</h2><p>From <code>mixmc compare</code> (compare.json, compare.csv): each variance's posterior with the REML estimate (line) ± 2 SE (band), and the posterior means against the BLUPs (dashed: identity).</p><div class="figs">${svgs.join('')}</div></section>`;
  return { html, figures: svgs.length };
}

/** The posterior predictive check of each trait: its p-values and figures, or why there is none. */
async function ppcSection(checks: readonly PredictiveCheck[] | undefined, run: RunRecord): Promise<{ html: string; figures: number }> {
  const head = '<section id="ppc"><h2>Model checking: posterior predictive check</h2>';
  if (!checks || checks.length === 0) {
    const why =
      run.status !== 'finished'
        ? 'It is computed when the chains finish; this run has not.'
        : 'There is none for this model: the check replicates Gaussian, binary and ordinal traits, not censored ones.';
    return { html: `${head}<p>${why}</p></section>`, figures: 0 };
  }
  const parts: string[] = [];
  let figures = 0;
  for (const check of checks) {
    const rows = check.statistics.map(
      (s) =>
        `<tr><td>${escapeHtml(s.name)}</td><td>${number(s.observed)}</td><td>${number(s.replicatedMean)}</td><td>${number(s.replicatedSd, 3)}</td><td${Math.min(s.ppp, 1 - s.ppp) < 0.025 ? ' class="bad"' : ''}>${s.ppp.toFixed(3)}</td></tr>`,
    );
    const svgs = [await renderSvg(ppcHistogramSpec(check)), await renderSvg(ppcStatisticsSpec(check))];
    figures += svgs.length;
    const title = checks.length > 1 ? `<h3>${escapeHtml(check.trait)} (${check.records} records)</h3>` : '';
    parts.push(`${title}<table><tr><th>statistic T</th><th>T(y)</th><th>mean T(yRep)</th><th>sd</th><th>ppp</th></tr>${rows.join('')}</table>
<div class="figs">${svgs.map((v, k) => `<figure id="${figureId(`ppc-${check.trait}-${k + 1}`)}">${v}</figure>`).join('')}</div>`);
  }
  const html = `${head}<p>At each of ${checks[0].draws} kept draws each trait's records were replicated from the model; ppp = P(T(yRep) ≥ T(y) | y), in red when below 0.025 or above 0.975 (the model does not reproduce that feature of the data).</p>
${parts.join('\n')}</section>`;
  return { html, figures };
}

/** The whole report as one HTML string. */
export async function buildReport(input: ReportInput): Promise<{ html: string; figures: number }> {
  const { run, summary, draws } = input;
  const names = figured(draws.names, input.vars);
  const withFigures = new Set(names);
  const sections: string[] = [];
  let figures = 0;
  for (const name of names) {
    const j = draws.names.indexOf(name);
    const chains = draws.chains.map((c) => c[j]);
    if (chains.every((c) => c.length === 0)) continue;
    const svgs = await Promise.all([
      renderSvg(traceSpec(chains)),
      renderSvg(rankSpec(chains)),
      renderSvg(densitySpec(chains, priorCurve(run, name, chains))),
      renderSvg(acfSpec(chains)),
    ]);
    figures += svgs.length;
    sections.push(
      `<section class="param" id="${figureId(name)}"><h3>${escapeHtml(name)}</h3><div class="figs">${svgs.map((s) => `<figure>${s}</figure>`).join('')}</div></section>`,
    );
  }
  const modelFigures: string[] = [];
  const ofTrait = (name: string, trait: string | undefined): string => (trait === undefined ? name : `${name}(${trait})`);
  for (const set of input.markers ?? [])
    modelFigures.push(
      `<figure id="${figureId(ofTrait(set.term, set.trait))}">${await renderSvg(manhattanSpec(set.rows, set.valueName, ofTrait(set.term, set.trait)))}</figure>`,
    );
  for (const w of input.windows ?? []) {
    const id = w.trait === undefined ? 'windows' : figureId(ofTrait('windows', w.trait));
    modelFigures.push(`<figure id="${id}">${await renderSvg(windowsSpec(w.rows, w.threshold, w.trait))}</figure>`);
  }
  for (const f of input.fitted ?? []) {
    if (f.points.length === 0) continue;
    const id = f.trait === undefined ? 'fitted' : figureId(ofTrait('fitted', f.trait));
    modelFigures.push(`<figure id="${id}">${await renderSvg(fittedSpec(f.points, f.trait))}</figure>`);
  }
  figures += modelFigures.length;
  const modelSection = modelFigures.length > 0 ? `<section id="model"><h2>Markers and fit</h2><div class="figs">${modelFigures.join('')}</div></section>` : '';
  const compare = input.compare ? await compareSection(input.compare, draws) : { html: '', figures: 0 };
  const ppc = await ppcSection(summary.ppc, run);
  figures += compare.figures + ppc.figures;
  const title = `mixmc report: ${escapeHtml(run.spec.formula)}`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}</style></head><body>
<h1>${title}</h1>
${runSection(run, summary)}
${warningsSection(summary, withFigures)}
${criteriaSection(summary)}
${summaryTable(summary, withFigures)}
<section id="figures"><h2>Parameters</h2>${sections.join('\n')}</section>
${modelSection}
${compare.html}
${ppc.html}
<script>${SORT_SCRIPT}</script></body></html>
`;
  return { html, figures };
}
