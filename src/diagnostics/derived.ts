/**
 * Derived quantities, computed draw by draw and then summarised like any parameter (never from
 * plug-in posterior means, which differ whenever the posterior is skewed):
 * - prop[TERM] = var[TERM] / (Σ_k var[k] + var[genetic] + var[residual]), the share of the
 *   phenotypic variance of every random term;
 * - ratio[TERM] = var[TERM] / var[residual];
 * - h2 = var[T] / (var[T] + var[residual]) for a genetic random term T (an animal or genomic term),
 *   when the sampler did not already trace h2 (marker models do).
 */
import type { DrawSet } from './summary.js';

const NOT_RANDOM = new Set(['residual', 'genetic', 'markers']);

export interface DerivedOptions {
  /** Random terms whose variance is additive genetic (for h2). */
  geneticTerms?: readonly string[];
}

/** The draw set with the derived columns appended (chains share the input's arrays). */
export function withDerived(draws: DrawSet, opts: DerivedOptions = {}): DrawSet {
  const idx = (name: string): number => draws.names.indexOf(name);
  const iRes = idx('var[residual]');
  if (iRes < 0) return draws;
  const terms = draws.names
    .map((n) => /^var\[(.+)\]$/.exec(n)?.[1])
    .filter((t): t is string => t !== undefined && !NOT_RANDOM.has(t));
  const iGen = idx('var[genetic]');
  const names: string[] = [];
  const make: ((c: readonly Float64Array[], t: number) => number)[] = [];
  const termIdx = terms.map((t) => idx(`var[${t}]`));
  const total = (c: readonly Float64Array[], t: number): number => {
    let s = c[iRes][t] + (iGen >= 0 ? c[iGen][t] : 0);
    for (const k of termIdx) s += c[k][t];
    return s;
  };
  terms.forEach((term, k) => {
    const i = termIdx[k];
    names.push(`prop[${term}]`);
    make.push((c, t) => c[i][t] / total(c, t));
    names.push(`ratio[${term}]`);
    make.push((c, t) => c[i][t] / c[iRes][t]);
  });
  if (idx('h2') < 0) {
    const genetic = (opts.geneticTerms ?? []).map((t) => idx(`var[${t}]`)).filter((i) => i >= 0);
    if (genetic.length === 1) {
      const g = genetic[0];
      names.push('h2');
      make.push((c, t) => c[g][t] / (c[g][t] + c[iRes][t]));
    }
  }
  if (names.length === 0) return draws;
  const chains = draws.chains.map((c) => {
    const n = c[0]?.length ?? 0;
    return [...c, ...make.map((f) => Float64Array.from({ length: n }, (_, t) => f(c, t)))];
  });
  return { names: [...draws.names, ...names], chains };
}
