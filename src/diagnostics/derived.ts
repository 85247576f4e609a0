/**
 * Derived quantities, computed draw by draw and then summarised like any parameter (never from
 * plug-in posterior means, which differ whenever the posterior is skewed): shares of the phenotypic
 * variance, ratios to the residual variance, and h². Which columns they come from is the caller's
 * (src/model/names.ts derivedSpec): this module only computes, and only what the draws lack (a fit
 * traces them itself, src/blocks/derived.ts; draws from elsewhere may not).
 */
import type { DrawSet } from '../types.js';

export interface DerivedSpec {
  /** The residual variance's column. */
  residual: string;
  /** Random terms: prop = variance / total, ratio = variance / residual, where total = residual + extra + Σ variances. */
  terms: readonly { variance: string; prop: string; ratio: string }[];
  /** Further columns of the phenotypic variance (var[genetic]). */
  extra: readonly string[];
  /** `name` = variance/(variance + residual), per draw. */
  h2?: { variance: string; name: string };
}

/** The draw set with the derived columns appended (chains share the input's arrays). */
export function withDerived(draws: DrawSet, spec: DerivedSpec): DrawSet {
  const idx = (name: string): number => draws.names.indexOf(name);
  const iRes = idx(spec.residual);
  if (iRes < 0) return draws;
  const extra = spec.extra.map(idx).filter((i) => i >= 0);
  const terms = spec.terms.map((t) => ({ ...t, i: idx(t.variance) })).filter((t) => t.i >= 0);
  const names: string[] = [];
  const make: ((c: readonly Float64Array[], t: number) => number)[] = [];
  const total = (c: readonly Float64Array[], t: number): number => {
    let s = c[iRes][t];
    for (const k of extra) s += c[k][t];
    for (const term of terms) s += c[term.i][t];
    return s;
  };
  for (const term of terms) {
    const i = term.i;
    if (idx(term.prop) < 0) {
      names.push(term.prop);
      make.push((c, t) => c[i][t] / total(c, t));
    }
    if (idx(term.ratio) < 0) {
      names.push(term.ratio);
      make.push((c, t) => c[i][t] / c[iRes][t]);
    }
  }
  const h2 = spec.h2;
  const g = h2 ? idx(h2.variance) : -1;
  if (h2 && g >= 0 && idx(h2.name) < 0) {
    names.push(h2.name);
    make.push((c, t) => c[g][t] / (c[g][t] + c[iRes][t]));
  }
  if (names.length === 0) return draws;
  const chains = draws.chains.map((c) => {
    const n = c[0]?.length ?? 0;
    return [...c, ...make.map((f) => Float64Array.from({ length: n }, (_, t) => f(c, t)))];
  });
  return { names: [...draws.names, ...names], chains };
}
