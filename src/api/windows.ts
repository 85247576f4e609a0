/**
 * windows(): genomic windows of a marker fit (the GWAS windows of JWAS and GenSel; Fernando et al.
 * 2017, Genet. Sel. Evol. 49:23), from the saved draws of its marker effects. A window w is a run of
 * consecutive markers — those of one chromosome in the same `mb` megabases (from the .bim's
 * positions), or `markers` at a time. For each saved draw of β, with g = Σ_j x_j β_j the genetic
 * values of the records and g_w = Σ_{j∈w} x_j β_j its window's part (x_j the centred genotypes the
 * fit used):
 *   variance_w = cov(g_w, g),   Σ_w variance_w = var(g) = var[genetic] of the draw,
 *   share_w = variance_w / var(g)  (the additive split; JWAS's var(g_w)/var(g) does not sum to 1),
 * and the window posterior probability of association WPPA_w = P(share_w > threshold), the
 * threshold 1/(number of windows) unless given.
 */
import { join } from 'node:path';
import { prepare } from '../blocks/plan.js';
import { MixmcError } from '../errors.js';
import { axpyColumn } from '../model/markers.js';
import { writeFileAtomic, csvField, csvValue } from '../output/files.js';
import { readRunJson } from '../output/runDir.js';
import { effectSources } from '../run/effectDraws.js';

export interface WindowOptions {
  /** Window width in megabases (default 1, for markers with positions). */
  mb?: number;
  /** Markers per window instead (required when the markers have no positions). */
  markers?: number;
  /** The share a window must exceed to count as associated (default 1/windows). */
  threshold?: number;
  /** The marker set by name ('' or absent: the unnamed or only set). */
  set?: string;
  /** Write windows.csv into the run directory. */
  write?: boolean;
}

export interface WindowRow {
  window: number;
  chr: string;
  start: string;
  end: string;
  first: string;
  last: string;
  markers: number;
  /** Posterior means of cov(g_w, g) and of the share, its SD, and the WPPA. */
  variance: number;
  share: number;
  shareSd: number;
  wppa: number;
}

export interface WindowResult {
  windows: WindowRow[];
  threshold: number;
  /** Saved draws used (all chains). */
  draws: number;
  /** Per draw: var(g), and the sum of the windows' variances (equal up to rounding). */
  genetic: Float64Array;
  windowSum: Float64Array;
}

/** Start index of every window over the markers, from positions or a marker count. */
function windowStarts(markers: readonly { chr: string; pos: string }[], opts: WindowOptions): number[] {
  if (opts.markers !== undefined) {
    if (!Number.isInteger(opts.markers) || opts.markers < 1) throw new MixmcError('markers per window must be a whole number ≥ 1', { term: 'markers' });
    return Array.from({ length: Math.ceil(markers.length / opts.markers) }, (_, k) => k * opts.markers!);
  }
  const width = (opts.mb ?? 1) * 1e6;
  if (!(width > 0)) throw new MixmcError('the window width in megabases must be > 0', { term: 'mb' });
  const starts: number[] = [];
  let key = '';
  markers.forEach((m, j) => {
    const pos = Number(m.pos);
    if (m.pos === '' || !Number.isFinite(pos)) {
      throw new MixmcError(`marker ${j + 1} has no position (genotypes from a CSV matrix): give the window as a number of markers (--markers K)`, {
        term: 'markers',
      });
    }
    const k = `${m.chr}:${Math.floor(pos / width)}`;
    if (k !== key) starts.push(j);
    key = k;
  });
  return starts;
}

/**
 * The genomic windows of a finished marker fit's run directory (module comment).
 * @throws MixmcError when the run saved no effect draws, has no such set, or the markers have no positions and no count is given.
 */
export function windows(runDir: string, opts: WindowOptions = {}): WindowResult {
  const run = readRunJson(runDir);
  const sources = effectSources(runDir);
  const name = opts.set ?? '';
  const s = sources.findIndex((src) => src.name === name || (name === 'markers' && src.name === ''));
  if (s < 0) throw new MixmcError(`the run has no marker set '${name}' (it has ${sources.map((x) => `'${x.name}'`).join(', ')})`, { term: 'set' });
  const source = sources[s];
  if (source.traits)
    throw new MixmcError(
      'genomic windows are computed for single-trait marker models (multi-trait windows are not implemented): fit each trait on its own for its windows; gebv.csv and markers.csv have every trait',
      { term: 'markers' },
    );
  const rows = source.chains.reduce((sum, c) => sum + c.length / source.markers.length, 0);
  if (rows === 0) {
    throw new MixmcError(
      `the run saved no draws of the marker effects; fit it again with "saveEffects": K in the marker set (every K-th kept draw) to get genomic windows`,
      { term: 'saveEffects' },
    );
  }
  const model = prepare(run.spec, { baseDir: run.baseDir });
  const md = model.design.markers[s];
  const p = source.markers.length;
  const n = md.n;
  const starts = windowStarts(source.markers, opts);
  const W = starts.length;
  const threshold = opts.threshold ?? 1 / W;
  const parts = Array.from({ length: W }, () => new Float64Array(n));
  const g = new Float64Array(n);
  const sumVariance = new Float64Array(W);
  const sumShare = new Float64Array(W);
  const sumShare2 = new Float64Array(W);
  const above = new Float64Array(W);
  const genetic = new Float64Array(rows);
  const windowSum = new Float64Array(rows);
  let d = 0;
  for (const chain of source.chains) {
    for (let r = 0; r < chain.length / p; r++, d++) {
      g.fill(0);
      for (let w = 0; w < W; w++) {
        const part = parts[w];
        part.fill(0);
        const end = w + 1 < W ? starts[w + 1] : p;
        for (let j = starts[w]; j < end; j++) axpyColumn(md.records, source.means[j], source.center[j], j, chain[r * p + j], part);
        for (let i = 0; i < n; i++) g[i] += part[i];
      }
      let mean = 0;
      for (let i = 0; i < n; i++) mean += g[i];
      mean /= n;
      let varG = 0;
      for (let i = 0; i < n; i++) varG += (g[i] - mean) * (g[i] - mean);
      varG /= n - 1;
      genetic[d] = varG;
      for (let w = 0; w < W; w++) {
        const part = parts[w];
        let pm = 0;
        for (let i = 0; i < n; i++) pm += part[i];
        pm /= n;
        let cov = 0;
        for (let i = 0; i < n; i++) cov += (part[i] - pm) * (g[i] - mean);
        cov /= n - 1;
        const share = cov / varG;
        windowSum[d] += cov;
        sumVariance[w] += cov;
        sumShare[w] += share;
        sumShare2[w] += share * share;
        if (share > threshold) above[w]++;
      }
    }
  }
  const out: WindowRow[] = starts.map((first, w) => {
    const last = (w + 1 < W ? starts[w + 1] : p) - 1;
    const share = sumShare[w] / rows;
    return {
      window: w + 1,
      chr: source.markers[first].chr,
      start: source.markers[first].pos,
      end: source.markers[last].pos,
      first: source.markers[first].id,
      last: source.markers[last].id,
      markers: last - first + 1,
      variance: sumVariance[w] / rows,
      share,
      shareSd: rows > 1 ? Math.sqrt(Math.max(0, (sumShare2[w] - rows * share * share) / (rows - 1))) : Number.NaN,
      wppa: above[w] / rows,
    };
  });
  if (opts.write) writeWindows(runDir, out);
  return { windows: out, threshold, draws: rows, genetic, windowSum };
}

/** windows.csv: one row per window, in genome order. */
function writeWindows(dir: string, rows: readonly WindowRow[]): void {
  const lines = ['window,chr,start,end,first,last,markers,variance,share,share_sd,wppa'];
  for (const w of rows) {
    lines.push(
      [
        w.window,
        csvField(w.chr),
        csvField(w.start),
        csvField(w.end),
        csvField(w.first),
        csvField(w.last),
        w.markers,
        csvValue(w.variance),
        csvValue(w.share),
        csvValue(w.shareSd),
        csvValue(w.wppa),
      ].join(','),
    );
  }
  writeFileAtomic(join(dir, 'windows.csv'), `${lines.join('\n')}\n`);
}
