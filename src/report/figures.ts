/**
 * The report's figures: Vega-Lite specifications rendered to SVG in Node by Vega's headless view
 * (renderer 'none', no canvas, no network), so that the report is one self-contained file. Large
 * chains are thinned for display only: at most MAX_POINTS points per chain in a trace.
 * - trace: the draws of every chain against the iteration;
 * - rank histogram: the ranks of every chain's draws among all chains' draws, in 20 bins per chain
 *   (Vehtari et al. 2021, "Rank-normalization, folding, and localization", Bayesian Analysis
 *   16:667: uniform when the chains agree);
 * - density: a kernel density per chain (Vega's density transform, Scott's bandwidth);
 * - autocorrelation: per chain, lags 0 … 40;
 * - markers: a Manhattan plot of PIP or |E[β]|, the genomic windows' shares and WPPA (when
 *   `mixmc windows` has written windows.csv), and the fitted values against the observed response.
 */
import type * as vl from 'vega-lite';

const MAX_POINTS = 500;
const BINS = 20;
const MAX_LAG = 40;
/** Width and height of a small figure, in pixels. */
export const WIDTH = 260;
export const HEIGHT = 110;

export type Spec = vl.TopLevelSpec;

/** Vega and Vega-Lite, loaded on the first figure (they take a third of a second to load; no other command needs them). */
let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/** An SVG string of a Vega-Lite specification. */
export async function renderSvg(spec: Spec): Promise<string> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vegaLite] = await libraries;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const chainColor = { field: 'chain', type: 'nominal', legend: null } as const;

/** The trace of every chain, thinned to at most MAX_POINTS points each. */
export function traceSpec(chains: readonly Float64Array[], iterations?: readonly (readonly number[])[]): Spec {
  const values: { chain: string; iteration: number; value: number }[] = [];
  chains.forEach((c, k) => {
    const step = Math.max(1, Math.ceil(c.length / MAX_POINTS));
    for (let t = 0; t < c.length; t += step) values.push({ chain: String(k + 1), iteration: iterations?.[k]?.[t] ?? t + 1, value: c[t] });
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    title: 'trace',
    data: { values },
    mark: { type: 'line', strokeWidth: 0.7, opacity: 0.8 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
      y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      color: chainColor,
    },
  };
}

/** Ranks of every draw among all chains' draws (average ranks for ties), per chain. */
function pooledRanks(chains: readonly Float64Array[]): Float64Array[] {
  const all: { v: number; k: number; t: number }[] = [];
  chains.forEach((c, k) => c.forEach((v, t) => all.push({ v, k, t })));
  all.sort((a, b) => a.v - b.v);
  const ranks = chains.map((c) => new Float64Array(c.length));
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const r = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) ranks[all[m].k][all[m].t] = r;
    i = j + 1;
  }
  return ranks;
}

/** Rank histograms, one panel per chain. */
export function rankSpec(chains: readonly Float64Array[]): Spec {
  const total = chains.reduce((s, c) => s + c.length, 0);
  const values: { chain: string; bin: number; count: number }[] = [];
  pooledRanks(chains).forEach((r, k) => {
    const counts = new Array<number>(BINS).fill(0);
    for (const x of r) counts[Math.min(BINS - 1, Math.floor(((x - 1) / total) * BINS))]++;
    counts.forEach((count, bin) => values.push({ chain: `chain ${k + 1}`, bin, count }));
  });
  return {
    title: 'rank histograms',
    data: { values },
    facet: { column: { field: 'chain', type: 'nominal', title: null } },
    spec: {
      width: Math.max(40, Math.floor(WIDTH / chains.length) - 10),
      height: HEIGHT - 20,
      mark: 'bar',
      encoding: {
        x: { field: 'bin', type: 'ordinal', axis: null },
        y: { field: 'count', type: 'quantitative', title: null },
        color: { field: 'chain', type: 'nominal', legend: null },
      },
    },
  };
}

/** Kernel densities per chain, with an optional curve (the prior's density) drawn dashed over them. */
export function densitySpec(chains: readonly Float64Array[], prior?: { x: number; density: number }[]): Spec {
  const values: { chain: string; value: number }[] = [];
  chains.forEach((c, k) => {
    const step = Math.max(1, Math.ceil(c.length / (4 * MAX_POINTS)));
    for (let t = 0; t < c.length; t += step) values.push({ chain: String(k + 1), value: c[t] });
  });
  const layers: Record<string, unknown>[] = [
    {
      data: { values },
      transform: [{ density: 'value', groupby: ['chain'] }],
      mark: { type: 'line', strokeWidth: 1 },
      encoding: { x: { field: 'value', type: 'quantitative', title: null }, y: { field: 'density', type: 'quantitative', title: null }, color: chainColor },
    },
  ];
  if (prior) {
    layers.push({
      data: { values: prior },
      mark: { type: 'line', strokeDash: [4, 3], color: 'black', strokeWidth: 1 },
      encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'density', type: 'quantitative' } },
    });
  }
  return { width: WIDTH, height: HEIGHT, title: prior ? 'density (dashed: prior)' : 'density', layer: layers } as unknown as Spec;
}

/** Autocorrelations of every chain, lags 0 … MAX_LAG. */
export function acfSpec(chains: readonly Float64Array[]): Spec {
  const values: { chain: string; lag: number; acf: number }[] = [];
  chains.forEach((c, k) => {
    const n = c.length;
    let mean = 0;
    for (const v of c) mean += v;
    mean /= n;
    let c0 = 0;
    for (const v of c) c0 += (v - mean) * (v - mean);
    for (let lag = 0; lag <= Math.min(MAX_LAG, n - 1); lag++) {
      let s = 0;
      for (let t = 0; t + lag < n; t++) s += (c[t] - mean) * (c[t + lag] - mean);
      values.push({ chain: String(k + 1), lag, acf: c0 > 0 ? s / c0 : 0 });
    }
  });
  return {
    width: WIDTH,
    height: HEIGHT,
    title: 'autocorrelation',
    data: { values },
    mark: { type: 'line', point: false, strokeWidth: 1 },
    encoding: {
      x: { field: 'lag', type: 'quantitative' },
      y: { field: 'acf', type: 'quantitative', title: null, scale: { domain: [-0.2, 1] } },
      color: chainColor,
    },
  };
}

/** The most points a scatter or Manhattan plot draws: beyond, the largest values and an even sample of the rest. */
const MAX_SCATTER = 4000;

/**
 * A Manhattan plot: every marker's value (its PIP for a mixture prior, |E[β]| otherwise) against its
 * position in genome order (chromosomes in turn, coloured alternately; marker order when there are no
 * positions). Beyond MAX_SCATTER markers, the top half by value and an even sample of the others.
 */
export function manhattanSpec(markers: readonly { id: string; chr: string; pos: number; value: number }[], valueName: string, set = 'markers'): Spec {
  const chromosomes = [...new Set(markers.map((m) => m.chr))];
  const offsets = new Map<string, number>();
  let offset = 0;
  for (const c of chromosomes) {
    offsets.set(c, offset);
    const inChr = markers.filter((m) => m.chr === c);
    offset += (Number.isFinite(inChr[inChr.length - 1]?.pos) ? Math.max(...inChr.map((m) => m.pos)) : inChr.length) + 1;
  }
  let values = markers.map((m, j) => ({
    marker: m.id,
    chr: m.chr,
    x: (offsets.get(m.chr) ?? 0) + (Number.isFinite(m.pos) ? m.pos : j),
    value: m.value,
    band: chromosomes.indexOf(m.chr) % 2,
  }));
  if (values.length > MAX_SCATTER) {
    const byValue = [...values].sort((a, b) => b.value - a.value);
    const top = byValue.slice(0, MAX_SCATTER / 2);
    const rest = byValue.slice(MAX_SCATTER / 2);
    const step = Math.ceil(rest.length / (MAX_SCATTER / 2));
    values = [...top, ...rest.filter((_, k) => k % step === 0)];
  }
  return {
    width: 2 * WIDTH + 100,
    height: 2 * HEIGHT,
    title: `${set}: ${valueName}`,
    data: { values },
    mark: { type: 'point', filled: true, size: 12 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: chromosomes.length > 1 ? 'genome position (chromosomes in turn)' : 'marker',
        axis: { labels: chromosomes.length <= 1 },
      },
      y: { field: 'value', type: 'quantitative', title: valueName },
      color: { field: 'band', type: 'nominal', legend: null, scale: { range: ['#1f77b4', '#7f7f7f'] } },
      tooltip: [{ field: 'marker' }, { field: 'chr' }, { field: 'value', type: 'quantitative' }],
    },
  } as Spec;
}

/** Fitted (GEBV-bearing) values against the observed response (of one trait), with the identity line. */
export function fittedSpec(points: readonly { observed: number; fitted: number }[], trait?: string): Spec {
  return identitySpec(
    points.map((p) => ({ x: p.observed, y: p.fitted })),
    { title: trait === undefined ? 'fitted against observed' : `${trait}: fitted against observed`, x: 'observed', y: 'fitted' },
  );
}

/** A scatter of y against x with the identity line (at most MAX_SCATTER points, evenly taken). */
export function identitySpec(points: readonly { x: number; y: number }[], titles: { title: string; x: string; y: string }): Spec {
  const step = Math.max(1, Math.ceil(points.length / MAX_SCATTER));
  const values = points.filter((_, k) => k % step === 0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of values) {
    lo = Math.min(lo, p.x, p.y);
    hi = Math.max(hi, p.x, p.y);
  }
  const axis = (field: 'x' | 'y') => ({ field, type: 'quantitative', title: titles[field], scale: { zero: false } });
  return {
    width: WIDTH,
    height: WIDTH,
    title: titles.title,
    layer: [
      { data: { values }, mark: { type: 'point', size: 10, opacity: 0.6 }, encoding: { x: axis('x'), y: axis('y') } },
      {
        data: {
          values: [
            { x: lo, y: lo },
            { x: hi, y: hi },
          ],
        },
        mark: { type: 'line', color: 'black', strokeDash: [4, 3], strokeWidth: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  } as unknown as Spec;
}

/** Each genomic window's posterior mean share of var[genetic] (bars) and its WPPA (points), in genome order (windows.csv). */
export function windowsSpec(windows: readonly { window: number; share: number; wppa: number }[], threshold: number, trait?: string): Spec {
  return {
    title: `genomic windows${trait === undefined ? '' : ` of ${trait}`}: share of var[genetic] (bars) and WPPA = P(share > ${Number(threshold.toPrecision(3))}) (points)`,
    data: { values: windows.map((w) => ({ ...w })) },
    vconcat: [
      {
        width: 2 * WIDTH + 100,
        height: HEIGHT,
        mark: 'bar',
        encoding: { x: { field: 'window', type: 'quantitative', title: null }, y: { field: 'share', type: 'quantitative', title: 'share' } },
      },
      {
        width: 2 * WIDTH + 100,
        height: HEIGHT,
        mark: { type: 'point', filled: true, size: 14 },
        encoding: {
          x: { field: 'window', type: 'quantitative', title: 'window' },
          y: { field: 'wppa', type: 'quantitative', title: 'WPPA', scale: { domain: [0, 1] } },
        },
      },
    ],
  } as Spec;
}
