/**
 * The report's figures that check the model rather than the chains:
 * - the posterior predictive check (summary.json's ppc): the observed response's histogram (or its
 *   categories' proportions) against the replicates' mean per bin and a band of ±2 sd over the draws;
 *   each statistic T's replicated mean ± 2 sd with T(y) marked;
 * - a compare run (compare.json, compare.csv): the posterior means of the random effects, marker
 *   effects and GEBVs against the BLUPs, and each variance's posterior density with the REML
 *   estimate and ±2 SE marked.
 */
import type { PredictiveCheck } from '../types.js';
import { HEIGHT, identitySpec, type Spec, WIDTH } from './figures.js';

/** The observed histogram (bars) against the replicates' mean (line) and ±2 sd band per bin. */
export function ppcHistogramSpec(check: PredictiveCheck): Spec {
  const h = check.histogram;
  if (h.categories) {
    const values = h.categories.map((category, k) => ({
      category,
      observed: h.observed[k],
      mean: h.replicatedMean[k],
      lo: h.replicatedMean[k] - 2 * h.replicatedSd[k],
      hi: h.replicatedMean[k] + 2 * h.replicatedSd[k],
    }));
    const x = { field: 'category', type: 'nominal', sort: null, title: null };
    return {
      width: WIDTH,
      height: 2 * HEIGHT,
      title: 'categories: observed (bars), replicated mean ± 2 sd',
      data: { values },
      layer: [
        { mark: { type: 'bar', color: '#c6dbef' }, encoding: { x, y: { field: 'observed', type: 'quantitative', title: 'proportion' } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, color: 'black' }, encoding: { x, y: { field: 'mean', type: 'quantitative' } } },
      ],
    } as unknown as Spec;
  }
  const edges = h.edges ?? [];
  const width = edges.length > 1 ? edges[1] - edges[0] : 1;
  // proportions per bin as densities, so the figure reads on the response's scale
  const values = h.observed.map((o, k) => ({
    from: edges[k],
    to: edges[k + 1],
    mid: (edges[k] + edges[k + 1]) / 2,
    observed: o / width,
    mean: h.replicatedMean[k] / width,
    lo: Math.max(0, h.replicatedMean[k] - 2 * h.replicatedSd[k]) / width,
    hi: (h.replicatedMean[k] + 2 * h.replicatedSd[k]) / width,
  }));
  const x = { field: 'mid', type: 'quantitative', title: 'response', scale: { zero: false } };
  return {
    width: 2 * WIDTH,
    height: 2 * HEIGHT,
    title: `response: observed (bars), replicated mean and ±2 sd band over ${check.draws} draws`,
    data: { values },
    layer: [
      {
        mark: { type: 'rect', color: '#c6dbef' },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: 'response' },
          x2: { field: 'to' },
          y: { field: 'observed', type: 'quantitative', title: 'density' },
          y2: { datum: 0 },
        },
      },
      { mark: { type: 'area', opacity: 0.2, color: '#e6550d' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      { mark: { type: 'line', color: '#e6550d' }, encoding: { x, y: { field: 'mean', type: 'quantitative' } } },
    ],
  } as unknown as Spec;
}

/** Each statistic's replicated mean ± 2 sd (bar) and its observed value (red tick), one panel per statistic. */
export function ppcStatisticsSpec(check: PredictiveCheck): Spec {
  const values = check.statistics.map((s) => ({
    statistic: `${s.name} (ppp ${s.ppp.toFixed(3)})`,
    observed: s.observed,
    mean: s.replicatedMean,
    lo: s.replicatedMean - 2 * s.replicatedSd,
    hi: s.replicatedMean + 2 * s.replicatedSd,
  }));
  return {
    title: 'statistics: replicated mean ± 2 sd, observed in red',
    data: { values },
    facet: {
      row: {
        field: 'statistic',
        type: 'nominal',
        title: null,
        sort: values.map((v) => v.statistic),
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontSize: 11 },
      },
    },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: WIDTH,
      height: 24,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2, color: '#777' },
          encoding: { x: { field: 'lo', type: 'quantitative', title: null, scale: { zero: false } }, x2: { field: 'hi' } },
        },
        { mark: { type: 'point', filled: true, color: '#777' }, encoding: { x: { field: 'mean', type: 'quantitative' } } },
        { mark: { type: 'tick', color: '#d62728', thickness: 2 }, encoding: { x: { field: 'observed', type: 'quantitative' } } },
      ],
    },
  } as unknown as Spec;
}

/** Posterior means against BLUPs of one term (u[TERM], a marker set, gebv). */
export function blupSpec(term: string, points: readonly { blup: number; posterior: number }[]): Spec {
  return identitySpec(
    points.map((p) => ({ x: p.blup, y: p.posterior })),
    { title: `${term}: posterior mean against REML/BLUP`, x: 'BLUP', y: 'posterior mean' },
  );
}

/** A variance's posterior density (pooled draws, at most 8,000) with the REML estimate (rule) and ±2 SE (band). */
export function remlVarianceSpec(variable: string, draws: Float64Array, reml: { estimate: number; se: number }): Spec {
  const step = Math.max(1, Math.ceil(draws.length / 8000));
  const values: { value: number }[] = [];
  for (let t = 0; t < draws.length; t += step) values.push({ value: draws[t] });
  const band = [{ lo: reml.estimate - 2 * reml.se, hi: reml.estimate + 2 * reml.se, estimate: reml.estimate }];
  return {
    width: WIDTH,
    height: HEIGHT,
    title: `${variable}: posterior, REML ± 2 SE`,
    layer: [
      {
        data: { values: band },
        mark: { type: 'rect', color: '#fdd0a2', opacity: 0.6 },
        encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
      },
      {
        data: { values },
        transform: [{ density: 'value' }],
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: { x: { field: 'value', type: 'quantitative', title: null }, y: { field: 'density', type: 'quantitative', title: null } },
      },
      { data: { values: band }, mark: { type: 'rule', color: '#d94801', strokeWidth: 1.5 }, encoding: { x: { field: 'estimate', type: 'quantitative' } } },
    ],
  } as unknown as Spec;
}
