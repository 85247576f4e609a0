/**
 * report(): the self-contained HTML report of a run directory (src/report/html.ts), finished,
 * interrupted or still being written — from run.json and the draws written so far.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMissing, parseNumber, readTable, type Table } from '../io/csv.js';
import { readDraws } from '../io/draws.js';
import { writeFileAtomic } from '../output/files.js';
import { COMPARE_FILES, markersFile, type RunRecord, readRunJson } from '../output/runDir.js';
import type { ReportInput } from '../report/html.js';
import { buildReport } from '../report/html.js';
import { buildSbcReport, type SbcReportInput } from '../report/sbc.js';
import { recordedOptions, summarizeDraws } from '../run/summaries.js';
import type { Summary } from '../types.js';

export interface ReportOptions {
  /** Where to write (default DIR/report.html). */
  out?: string;
  /** Parameters (names or globs with *) that get figures. */
  vars?: readonly string[];
}

/**
 * Write the report of the run in `dir`.
 * @throws MixmcError when `dir` is not a run directory.
 */
export async function report(dir: string, opts: ReportOptions = {}): Promise<{ file: string; bytes: number; figures: number }> {
  const out = resolve(opts.out ?? join(dir, 'report.html'));
  if (existsSync(join(dir, 'sbc.json')) && existsSync(join(dir, 'sbc.csv'))) {
    // a simulation-based calibration's folder: its rank histograms
    const { html, figures } = await buildSbcReport(readSbcCsv(join(dir, 'sbc.csv')));
    writeFileAtomic(out, html);
    return { file: out, bytes: statSync(out).size, figures };
  }
  const run = readRunJson(dir);
  const draws = readDraws([dir]);
  // a finished run's summary.json has everything (WAIC, prior shares, the data's warnings); otherwise the draws so far
  const file = join(dir, 'summary.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Summary) : undefined;
  const summary: Summary = run.status === 'finished' && saved ? saved : summarizeDraws(draws, recordedOptions(run, saved, draws, {}), 'trim');
  const { html, figures } = await buildReport({ run, summary, draws, vars: opts.vars, ...modelFiles(dir, run) });
  writeFileAtomic(out, html);
  return { file: out, bytes: statSync(out).size, figures };
}

/** A column of a results CSV as numbers (NaN where missing or absent). */
function numbers(table: Table, name: string): number[] {
  const c = table.header.indexOf(name);
  return table.rows.map((r) => (c < 0 || isMissing(r[c]) ? Number.NaN : parseNumber(r[c])));
}

/** The marker sets' markers files, windows.csv, fitted.csv and a compare run's files, when they are there. */
function modelFiles(dir: string, run: RunRecord): Pick<ReportInput, 'markers' | 'fitted' | 'windows' | 'compare'> {
  const out: Pick<ReportInput, 'markers' | 'fitted' | 'windows' | 'compare'> = {};
  const compared = compareFiles(dir);
  if (compared) out.compare = compared;
  // a set's term is 'markers' (the unnamed set) or 'markers:NAME'
  const sets = run.markerSets.map((set) => ({ term: set.term, file: join(dir, markersFile(set.term === 'markers' ? '' : set.term.slice('markers:'.length))) }));
  // one plot per set, or per set and trait when the file has a trait column (a multi-trait model)
  const markers = sets
    .filter((s) => existsSync(s.file))
    .flatMap((s) => {
      const t = readTable(s.file);
      const pip = numbers(t, 'pip');
      const mean = numbers(t, 'mean');
      const pos = numbers(t, 'pos');
      const id = t.header.indexOf('id');
      const chr = t.header.indexOf('chr');
      const usePip = pip.some((v) => !Number.isNaN(v));
      const row = (r: readonly string[], j: number) => ({
        id: r[id],
        chr: isMissing(r[chr]) ? '' : r[chr],
        pos: pos[j],
        value: usePip ? pip[j] : Math.abs(mean[j]),
      });
      const valueName = usePip ? 'PIP' : '|E[β]|';
      return byTrait(t).map(({ trait, rows }) => ({
        term: s.term,
        ...(trait === undefined ? {} : { trait }),
        valueName,
        rows: rows.map(({ r, j }) => row(r, j)),
      }));
    });
  if (markers.length > 0) out.markers = markers;
  const windows = join(dir, 'windows.csv');
  if (existsSync(windows)) {
    const t = readTable(windows);
    const window = numbers(t, 'window');
    const share = numbers(t, 'share');
    const wppa = numbers(t, 'wppa');
    out.windows = byTrait(t).map(({ trait, rows }) => ({
      ...(trait === undefined ? {} : { trait }),
      rows: rows.map(({ j }) => ({ window: window[j], share: share[j], wppa: wppa[j] })),
      threshold: 1 / rows.length,
    }));
  }
  const fitted = join(dir, 'fitted.csv');
  if (existsSync(fitted)) {
    const t = readTable(fitted);
    const observed = numbers(t, 'observed');
    const mean = numbers(t, 'mean');
    out.fitted = byTrait(t).map(({ trait, rows }) => ({
      ...(trait === undefined ? {} : { trait }),
      points: rows.flatMap(({ j }) => (Number.isFinite(observed[j]) && Number.isFinite(mean[j]) ? [{ observed: observed[j], fitted: mean[j] }] : [])),
    }));
  }
  return out;
}

/** A table's rows (with their indices) by the value of its trait column, in order of appearance; one group without a trait column. */
function byTrait(t: Table): { trait?: string; rows: { r: readonly string[]; j: number }[] }[] {
  const at = t.header.indexOf('trait');
  const indexed = t.rows.map((r, j) => ({ r, j }));
  if (at < 0) return [{ rows: indexed }];
  const groups = new Map<string, { r: readonly string[]; j: number }[]>();
  for (const x of indexed) {
    const group = groups.get(x.r[at]);
    if (group) group.push(x);
    else groups.set(x.r[at], [x]);
  }
  return [...groups].map(([trait, rows]) => ({ trait, rows }));
}

/** compare.json's variances (REML estimate and SE) and compare.csv's effects by term, when the run is a compare run. */
function compareFiles(dir: string): ReportInput['compare'] {
  const json = join(dir, COMPARE_FILES.json);
  const csv = join(dir, COMPARE_FILES.csv);
  if (!existsSync(json) || !existsSync(csv)) return undefined;
  const c = JSON.parse(readFileSync(json, 'utf8')) as { varianceComponents: { variable: string; reml: { estimate: number; se: number } }[] };
  const t = readTable(csv);
  const term = t.header.indexOf('term');
  const blup = numbers(t, 'blup');
  const posterior = numbers(t, 'posterior_mean');
  const byTerm = new Map<string, { blup: number; posterior: number }[]>();
  t.rows.forEach((r, i) => {
    const points = byTerm.get(r[term]) ?? [];
    points.push({ blup: blup[i], posterior: posterior[i] });
    byTerm.set(r[term], points);
  });
  return {
    variances: c.varianceComponents.map((v) => ({ variable: v.variable, estimate: v.reml.estimate, se: v.reml.se })),
    effects: [...byTerm].map(([name, points]) => ({ term: name, points })),
  };
}

/** sbc.csv back as the calibration's figures need it. */
function readSbcCsv(file: string): SbcReportInput {
  const t = readTable(file);
  const bins = t.header.filter((h) => /^bin\d+$/.test(h));
  const col = (name: string) => numbers(t, name);
  const [variable, sims, chi2, df, p] = [t.header.indexOf('variable'), col('sims'), col('chi2'), col('df'), col('p')];
  const counts = bins.map(col);
  const parameters = t.rows.map((r, i) => ({ variable: r[variable], sims: sims[i], chi2: chi2[i], df: df[i], p: p[i], counts: counts.map((c) => c[i]) }));
  return { sims: Math.max(0, ...sims), bins: bins.length, parameters };
}
