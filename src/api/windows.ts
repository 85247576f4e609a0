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
 * threshold 1/(number of windows) unless given. In a multi-trait model all of this is per trait k
 * (g_k = Σ_j x_j β_jk), and each window also gets the correlation of its genetic values between
 * traits a and b, cor(g_wa, g_wb) over the records, per draw (as JWAS reports a window's genetic
 * correlation; Cheng et al. 2018, Genetics 209:89).
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
  /** The trait, in a multi-trait model. */
  trait?: string;
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

/** A window's genetic correlation between two traits: cor(g_w,trait1, g_w,trait2) over the records, per draw. */
export interface WindowCorrelation {
  window: number;
  chr: string;
  start: string;
  end: string;
  trait1: string;
  trait2: string;
  /** Posterior mean and SD over the draws where both traits' window values vary (`draws` of them). */
  cor: number;
  corSd: number;
  draws: number;
}

export interface WindowResult {
  /** The windows, per trait (trait-major) in a multi-trait model. */
  windows: WindowRow[];
  /** A multi-trait model's window correlations, per pair of traits (pair-major). */
  correlations?: WindowCorrelation[];
  threshold: number;
  /** Saved draws used (all chains). */
  draws: number;
  /** Per draw: var(g), and the sum of the windows' variances (equal up to rounding); trait-major with several traits. */
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
  const traits = source.traits;
  const t = traits?.length ?? 1;
  const p = source.markers.length;
  const size = p * t;
  const rows = source.chains.reduce((sum, c) => sum + c.length / size, 0);
  if (rows === 0) {
    throw new MixmcError(
      `the run saved no draws of the marker effects; fit it again with "saveEffects": K in the marker set (every K-th kept draw) to get genomic windows`,
      { term: 'saveEffects' },
    );
  }
  const model = prepare(run.spec, { baseDir: run.baseDir });
  const md = model.design.markers[s];
  const n = md.n;
  const starts = windowStarts(source.markers, opts);
  const W = starts.length;
  const threshold = opts.threshold ?? 1 / W;
  // per trait k: the windows' parts g_wk of the draw (k·W + w), g_k, and the sums over draws
  const parts = Array.from({ length: t * W }, () => new Float64Array(n));
  const partMean = new Float64Array(t * W);
  const g = new Float64Array(n);
  const sumVariance = new Float64Array(t * W);
  const sumShare = new Float64Array(t * W);
  const sumShare2 = new Float64Array(t * W);
  const above = new Float64Array(t * W);
  const genetic = new Float64Array(t * rows);
  const windowSum = new Float64Array(t * rows);
  const pairs = traitPairs(t);
  const corSum = new Float64Array(pairs.length * W);
  const corSum2 = new Float64Array(pairs.length * W);
  const corDraws = new Float64Array(pairs.length * W);
  let d = 0;
  for (const chain of source.chains) {
    for (let r = 0; r < chain.length / size; r++, d++) {
      for (let k = 0; k < t; k++) {
        g.fill(0);
        for (let w = 0; w < W; w++) {
          const part = parts[k * W + w];
          part.fill(0);
          const end = w + 1 < W ? starts[w + 1] : p;
          for (let j = starts[w]; j < end; j++) axpyColumn(md.records, source.means[j], source.center[j], j, chain[r * size + j * t + k], part);
          for (let i = 0; i < n; i++) g[i] += part[i];
        }
        let mean = 0;
        for (let i = 0; i < n; i++) mean += g[i];
        mean /= n;
        let varG = 0;
        for (let i = 0; i < n; i++) varG += (g[i] - mean) * (g[i] - mean);
        varG /= n - 1;
        genetic[k * rows + d] = varG;
        for (let w = 0; w < W; w++) {
          const part = parts[k * W + w];
          let pm = 0;
          for (let i = 0; i < n; i++) pm += part[i];
          pm /= n;
          partMean[k * W + w] = pm;
          let cov = 0;
          for (let i = 0; i < n; i++) cov += (part[i] - pm) * (g[i] - mean);
          cov /= n - 1;
          const share = cov / varG;
          const at = k * W + w;
          windowSum[k * rows + d] += cov;
          sumVariance[at] += cov;
          sumShare[at] += share;
          sumShare2[at] += share * share;
          if (share > threshold) above[at]++;
        }
      }
      // cor(g_wa, g_wb) over the records, where both parts vary in this draw
      pairs.forEach(([a, b], q) => {
        for (let w = 0; w < W; w++) {
          const x = parts[a * W + w];
          const y = parts[b * W + w];
          const mx = partMean[a * W + w];
          const my = partMean[b * W + w];
          let sxy = 0;
          let sxx = 0;
          let syy = 0;
          for (let i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
          }
          if (!(sxx > 0 && syy > 0)) continue;
          const cor = sxy / Math.sqrt(sxx * syy);
          corSum[q * W + w] += cor;
          corSum2[q * W + w] += cor * cor;
          corDraws[q * W + w]++;
        }
      });
    }
  }
  const where = (w: number) => {
    const first = starts[w];
    const last = (w + 1 < W ? starts[w + 1] : p) - 1;
    return { first, last, chr: source.markers[first].chr, start: source.markers[first].pos, end: source.markers[last].pos };
  };
  const out: WindowRow[] = [];
  for (let k = 0; k < t; k++) {
    for (let w = 0; w < W; w++) {
      const { first, last, chr, start, end } = where(w);
      const at = k * W + w;
      const share = sumShare[at] / rows;
      out.push({
        window: w + 1,
        ...(traits ? { trait: traits[k] } : {}),
        chr,
        start,
        end,
        first: source.markers[first].id,
        last: source.markers[last].id,
        markers: last - first + 1,
        variance: sumVariance[at] / rows,
        share,
        shareSd: sampleSd(sumShare2[at], share, rows),
        wppa: above[at] / rows,
      });
    }
  }
  const correlations: WindowCorrelation[] = pairs.flatMap(([a, b], q) =>
    starts.map((_, w) => {
      const { chr, start, end } = where(w);
      const m = corDraws[q * W + w];
      const cor = m > 0 ? corSum[q * W + w] / m : Number.NaN;
      return { window: w + 1, chr, start, end, trait1: traits![a], trait2: traits![b], cor, corSd: sampleSd(corSum2[q * W + w], cor, m), draws: m };
    }),
  );
  if (opts.write) writeWindows(runDir, out, correlations);
  return { windows: out, ...(traits ? { correlations } : {}), threshold, draws: rows, genetic, windowSum };
}

/** The SD of m values from their sum of squares and mean (NaN for fewer than two). */
function sampleSd(sumSquares: number, mean: number, m: number): number {
  return m > 1 ? Math.sqrt(Math.max(0, (sumSquares - m * mean * mean) / (m - 1))) : Number.NaN;
}

/** Every pair of the t traits, (a, b) with a < b. */
function traitPairs(t: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < t; a++) for (let b = a + 1; b < t; b++) out.push([a, b]);
  return out;
}

/**
 * windows.csv: one row per window, in genome order (per trait, trait-major, with a trait column in a
 * multi-trait model); and then window-correlations.csv: per window and pair of traits, the posterior
 * mean and SD of the correlation of the window's genetic values, over the draws where both vary.
 */
function writeWindows(dir: string, rows: readonly WindowRow[], correlations: readonly WindowCorrelation[]): void {
  const multi = rows.some((w) => w.trait !== undefined);
  const lines = [
    multi
      ? 'window,trait,chr,start,end,first,last,markers,variance,share,share_sd,wppa'
      : 'window,chr,start,end,first,last,markers,variance,share,share_sd,wppa',
  ];
  for (const w of rows) {
    lines.push(
      [
        w.window,
        ...(multi ? [csvField(w.trait ?? '')] : []),
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
  if (!multi) return;
  const cors = ['window,chr,start,end,trait1,trait2,cor,cor_sd,draws'];
  for (const c of correlations) {
    cors.push(
      [c.window, csvField(c.chr), csvField(c.start), csvField(c.end), csvField(c.trait1), csvField(c.trait2), csvValue(c.cor), csvValue(c.corSd), c.draws].join(
        ',',
      ),
    );
  }
  writeFileAtomic(join(dir, 'window-correlations.csv'), `${cors.join('\n')}\n`);
}
